"""Redaction of sensed text and of exports: the variants that used to slip through, a
property test that generates their shapes, and ordinary text that must survive."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from pocketmind.redact import iban_ok, normalize, redact
from pocketmind.settings import Settings, load_settings
from pocketmind.training.redaction import Redactor

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
NAMES = ["Maya Kowalski", "Jürgen", "Weiß"]


@pytest.fixture(scope="module")
def scrub() -> Redactor:
    settings: Settings = load_settings("/nonexistent-pocketmind-home")
    settings.export.redact_names = list(NAMES)
    return Redactor(settings)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Card 4111.1111.1111.1111 charged", "4111111111111111"),
        ("Card 4111\u00a01111\u00a01111\u00a01111 charged", "4111111111111111"),
        ("Card 4111\u202f1111\u202f1111\u202f1111 charged", "4111111111111111"),
        ("Card 4111\u200b1111\u200b1111\u200b1111 charged", "4111111111111111"),
        ("Card 4\u200b111 1111 1\u2060111 1111 charged", "4111111111111111"),
        ("iban de89 3704 0044 0532 0130 00", "3704004405320130"),
        ("send it to gb82west12345698765432 today", "12345698765432"),
        ("passwd:hunter5", "hunter5"),
        ("password hunter2", "hunter2"),
        ("my pw is hunter4", "hunter4"),
        ("wifi password is Tr0ub4dor&3", "Tr0ub4dor&3"),
        ("the password for the wifi is sunshine7", "sunshine7"),
        ("Your code is\n482913", "482913"),
        ("Your verification code is:\n 7731 ", "7731"),
        ("code: 48 29 13", "48 29 13"),
    ],
)
def test_sensing_redaction_catches_the_variants(text: str, secret: str) -> None:
    out = normalize(redact(text))
    assert secret not in out and secret not in re.sub(r"\D", "", out)


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("call 415.555.0132 after 5", ["415", "0132"]),
        ("call (415) 555-0132", ["0132"]),
        ("mail maya\u200b@exam\u200cple.org now", ["maya", "example"]),
        ("m\ufeffaya.k@example.org", ["aya.k", "example"]),
        ("Kowalski, Maya called", ["kowalski", "maya"]),
        ("KOWALSKI MAYA called", ["kowalski", "maya"]),
        ("Ma\u200bya Kowalski called", ["kowalski", "maya"]),
        ("Juergen says hi", ["juergen"]),
        ("Jurgen says hi", ["jurgen"]),
        ("Ju\u0308rgen says hi", ["jürgen", "jurgen"]),  # decomposed ü
        ("Mr Weiss called", ["weiss"]),
    ],
)
def test_export_redaction_catches_the_variants(scrub: Redactor, text: str, gone: list[str]) -> None:
    out = normalize(scrub(text)).lower()
    assert not [g for g in gone if g in out], out


ORDINARY = [
    "meet at 10:30 on 3 May, 2 people",
    "Dentist on Friday at 3pm",
    "The train leaves at 07:45 from platform 12",
    "[1] 2025-01-02 13:04 · notes · fact: Maria's birthday",
    "Born on 1990-05-17, moved on 03.05.2024 at 14:00",
    "Meeting 12/03/2025 10:30 with 3 people in room 204",
    "Pi is 3.14159265 and the budget is 1.234.567 euros",
    "Version 2.10.3 is out; the server is 192.168.100.200",
    "Order 4111111111111112 shipped",  # fails Luhn
    "Your password was changed",
    "Password reset link sent",
    "Use a password manager",
    "Code review at 10:30 on 2025-01-02",
    "Security update 2025-01-02 13:04",
    "Mayan ruins and Jürgens Garten are places, not people",
    "…and then — “quoted” — done ½",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_survives(scrub: Redactor, text: str) -> None:
    assert redact(text) == text
    assert scrub(text) == text


# --- the shapes, generated ----------------------------------------------------------

SEPARATORS = st.sampled_from([" ", "-", ".", "", "\u00a0", "\u202f", "\u2009", "\u200b"])


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        n = int(ch)
        if i % 2 == 0:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return str(-total % 10)


@st.composite
def _invisible(draw: st.DrawFn, text: str) -> str:
    """``text`` with zero-width characters dropped in at random places."""
    spots = draw(st.lists(st.integers(0, len(text)), max_size=3))
    for spot in sorted(spots, reverse=True):
        text = text[:spot] + draw(st.sampled_from(ZERO_WIDTH)) + text[spot:]
    return text


@st.composite
def cards(draw: st.DrawFn) -> tuple[str, str]:
    body = draw(st.sampled_from("3456")) + draw(st.text("0123456789", min_size=14, max_size=14))
    digits = body + _luhn_digit(body)
    sep = draw(SEPARATORS)
    shown = sep.join(digits[i : i + 4] for i in range(0, 16, 4))
    return draw(_invisible(shown)), digits


@st.composite
def ibans(draw: st.DrawFn) -> tuple[str, str]:
    country, bban = draw(
        st.sampled_from(
            [
                ("DE", st.text("0123456789", min_size=18, max_size=18)),
                ("GB", st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=4, max_size=4)),
            ]
        )
    )
    bban_text = draw(bban)
    if country == "GB":
        bban_text += draw(st.text("0123456789", min_size=14, max_size=14))
    moved = bban_text + country + "00"
    check = 98 - int("".join(str(int(c, 36)) for c in moved)) % 97
    compact = f"{country}{check:02d}{bban_text}"
    assert iban_ok(compact)
    cased = "".join(c.lower() if draw(st.booleans()) else c for c in compact)
    sep = draw(st.sampled_from([" ", "", "\u00a0"]))
    shown = sep.join(cased[i : i + 4] for i in range(0, len(cased), 4))
    prefix = draw(st.sampled_from(["", "IBAN ", "iban: ", "to "]))
    return prefix + draw(_invisible(shown)), compact[4:]


@st.composite
def phones(draw: st.DrawFn) -> tuple[str, str]:
    area = draw(st.integers(201, 989))
    exchange = draw(st.integers(200, 999))
    line = draw(st.integers(0, 9999))
    digits = f"{area}{exchange}{line:04d}"
    sep = draw(st.sampled_from([".", "-", " ", "\u00a0"]))
    shape = draw(st.sampled_from(["{a}{s}{e}{s}{l}", "({a}) {e}-{l}", "+1 {a}{s}{e}{s}{l}"]))
    shown = shape.format(a=area, e=exchange, l=f"{line:04d}", s=sep)
    return draw(_invisible(shown)), digits


SECRET_CHARS = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789&!#%_"


@st.composite
def passwords(draw: st.DrawFn) -> tuple[str, str]:
    key = draw(st.sampled_from(["password", "Password", "PASSWORD", "passwd", "pwd", "pw"]))
    sep = draw(st.sampled_from([":", ": ", " : ", "=", " ", " is ", " IS "]))
    lead = draw(st.sampled_from(["", "my ", "wifi ", "The new "]))
    secret = draw(st.text(SECRET_CHARS, min_size=6, max_size=14).filter(lambda s: s[0] not in "_"))
    secret = secret[:-1] + draw(st.sampled_from("23456789"))  # never an ordinary word
    return draw(_invisible(f"{lead}{key}{sep}")) + secret, secret


@st.composite
def codes(draw: st.DrawFn) -> tuple[str, str]:
    digits = draw(st.text("0123456789", min_size=6, max_size=6))
    grouped = draw(
        st.sampled_from([digits, f"{digits[:3]} {digits[3:]}", " ".join(re.findall("..", digits))])
    )
    shape = draw(
        st.sampled_from(
            [
                "Your code is\n{c}",
                "Your verification code is:\n{c}",
                "code: {c}",
                "{c} is your login code",
                "OTP {c}. Do not share it",
            ]
        )
    )
    return shape.format(c=draw(_invisible(grouped))), digits


@st.composite
def emails(draw: st.DrawFn) -> tuple[str, str]:
    local = draw(st.from_regex(r"[a-z][a-z0-9._]{0,8}[a-z0-9]", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z]{3,10}\.(org|com|de)", fullmatch=True))
    address = f"{local}@{domain}"
    return f"write to {draw(_invisible(address))} soon", address


@st.composite
def names(draw: st.DrawFn) -> tuple[str, str]:
    shown = draw(
        st.sampled_from(
            ["Maya Kowalski", "Kowalski, Maya", "kowalski maya", "Juergen", "JURGEN", "Weiss"]
        )
    )
    return f"lunch with {draw(_invisible(shown))} later", shown.split(",")[0].split()[0]


@hyp_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(cards(), ibans(), phones(), passwords(), codes(), emails(), names()))
def test_generated_secrets_never_survive_an_export(scrub: Redactor, case: tuple[str, str]) -> None:
    text, secret = case
    out = normalize(scrub(text))
    assert secret.lower() not in out.lower(), (text, out)
    if secret.isdigit():  # nor its digits, whatever now separates them
        assert secret not in re.sub(r"\D", "", out), (text, out)


@hyp_settings(max_examples=150, deadline=None)
@given(st.one_of(cards(), ibans(), passwords(), codes()))
def test_generated_secrets_never_survive_sensing(case: tuple[str, str]) -> None:
    text, secret = case
    out = normalize(redact(text))
    assert secret.lower() not in out.lower(), (text, out)
    if secret.isdigit():
        assert secret not in re.sub(r"\D", "", out), (text, out)


@hyp_settings(max_examples=150, deadline=None)
@given(
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    day=st.integers(1, 28),
    month=st.sampled_from(["Jan", "May", "September"]),
    people=st.integers(1, 99),
    year=st.integers(1990, 2035),
)
def test_generated_ordinary_sentences_survive(
    scrub: Redactor, hour: int, minute: int, day: int, month: str, people: int, year: int
) -> None:
    for text in (
        f"meet at {hour:02d}:{minute:02d} on {day} {month}, {people} people",
        f"{year}-{(day % 12) + 1:02d}-{day:02d} {hour:02d}:{minute:02d} · calendar · event",
        f"{day:02d}.{(day % 12) + 1:02d}.{year} at {hour}:{minute:02d}, room {people}",
    ):
        assert scrub(text) == text
