"""Generated personas: memories, questions with gold answers, statements with gold facts.

One seed gives one persona (names, places, job, pets, tastes). ``phrasing`` picks one of
two template sets: set 0 tunes (training data), set 1 is held out (bench/answers.py),
so a benchmark never sees a persona or a phrasing the adapter was trained on when the
seeds and sets differ. Nothing here reads the user's data. ``python bench/synth.py DIR``
writes the default adapter's training chats (``synth_sft.py``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

NAMES = (
    "Maya Elena Tom Sam Priya Jonas Aiko Lena Omar Nadia Felix Ines Ruth Kofi Marta Yusuf "
    "Clara Dev Hana Luca Sofia Theo Amara Bruno Iris Mateo Zoe Ravi Freya Emil"
).split()
CITIES = (
    "Lisbon Porto Leeds Cork Berlin Lyon Oslo Krakow Bristol Seville Utrecht Turin Ghent "
    "Galway Bergen Malmo Graz Bologna Nantes Aarhus"
).split()
JOBS = (
    "nurse architect plumber teacher pharmacist electrician librarian chef pilot "
    "accountant carpenter journalist paramedic translator"
).split()
EMPLOYERS = (
    "Siemens Spotify Lidl Bosch Ikea Philips Nokia Zalando Vodafone Oxfam Heineken Decathlon"
).split()
PETS = "Rex Pico Miso Bruno Luna Pepper Olive Mochi Biscuit Nala".split()
FOODS = "sushi lasagne ramen paella tacos falafel risotto pierogi curry gnocchi".split()
INSTRUMENTS = "cello violin drums trumpet piano banjo flute saxophone".split()
COLOURS = "red blue green yellow orange silver black white".split()
BOOKS = "Dune Middlemarch Beloved Solaris Emma Ulysses Rebecca Kindred".split()
MONTHS = "January February March April May June July August September October".split()
DAYS = "Monday Tuesday Wednesday Thursday Friday".split()


@dataclass(frozen=True)
class Persona:
    sister: str
    sister_city: str
    brother: str
    brother_job: str
    job: str
    employer: str
    home: str
    dog: str
    food: str
    birthday_day: int
    birthday_month: str
    locker: str
    dentist_day: str
    dentist_hour: int
    partner: str
    instrument: str
    bike: str
    friend: str
    book: str


def persona(seed: int) -> Persona:
    rng = random.Random(seed)
    people = rng.sample(NAMES, 4)
    cities = rng.sample(CITIES, 2)
    jobs = rng.sample(JOBS, 2)
    return Persona(
        sister=people[0],
        sister_city=cities[0],
        brother=people[1],
        brother_job=jobs[0],
        job=jobs[1],
        employer=rng.choice(EMPLOYERS),
        home=cities[1],
        dog=rng.choice(PETS),
        food=rng.choice(FOODS),
        birthday_day=rng.randint(2, 28),
        birthday_month=rng.choice(MONTHS),
        locker=str(rng.randint(1000, 9999)),
        dentist_day=rng.choice(DAYS),
        dentist_hour=rng.randint(1, 5),
        partner=people[2],
        instrument=rng.choice(INSTRUMENTS),
        bike=rng.choice(COLOURS),
        friend=people[3],
        book=rng.choice(BOOKS),
    )


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def memories(p: Persona) -> list[str]:
    """What the user told the phone over time, in their own words."""
    return [
        f"my sister {p.sister} just moved to {p.sister_city}",
        f"my brother {p.brother} works as {_a(p.brother_job)}",
        f"I work as {_a(p.job)} at {p.employer}",
        f"we live in {p.home} now, close to the station",
        f"we got a dog called {p.dog} last spring",
        f"my favourite food is {p.food}",
        f"my birthday is on {p.birthday_day} {p.birthday_month}",
        f"the gym locker code is {p.locker}",
        f"dentist appointment on {p.dentist_day} at {p.dentist_hour}pm",
        f"my partner {p.partner} plays the {p.instrument}",
        f"bought a {p.bike} bike for the commute",
        f"{p.friend} from work recommended the book {p.book}",
    ]


def questions(p: Persona, phrasing: int) -> list[tuple[str, str | None]]:
    """(question, gold span) pairs; a None gold means nothing in the memories answers."""
    sets = [
        [
            ("Where does my sister live?", p.sister_city),
            ("What is my sister called?", p.sister),
            ("What does my brother do for a living?", p.brother_job),
            ("What is my job?", p.job),
            ("Which company do I work for?", p.employer),
            ("Which city do we live in?", p.home),
            ("What is our dog's name?", p.dog),
            ("What food do I like most?", p.food),
            ("When is my birthday?", p.birthday_month),
            ("What's the code for my gym locker?", p.locker),
            ("Which day is my dentist appointment?", p.dentist_day),
            ("What instrument does my partner play?", p.instrument),
            ("What colour is my bike?", p.bike),
            ("Which book did my friend recommend?", p.book),
            ("What is my cat called?", None),
            ("Where does my aunt live?", None),
            ("What car do I drive?", None),
            ("What is my wifi password?", None),
            ("Which school did I go to?", None),
        ],
        [
            (f"Which city did {p.sister} move to?", p.sister_city),
            ("Who is my sister?", p.sister),
            (f"What is {p.brother}'s job?", p.brother_job),
            ("What do I do for work?", p.job),
            ("Who is my employer?", p.employer),
            ("Where do I live?", p.home),
            ("What did we name the dog?", p.dog),
            ("What is my favourite food?", p.food),
            ("In which month is my birthday?", p.birthday_month),
            ("What is my locker code at the gym?", p.locker),
            ("When do I see the dentist?", p.dentist_day),
            (f"What does {p.partner} play?", p.instrument),
            ("What colour bike did I buy?", p.bike),
            (f"Who recommended {p.book} to me?", p.friend),
            ("What is my hamster's name?", None),
            ("Where does my uncle work?", None),
            ("What is my passport number?", None),
            ("When is my wedding anniversary?", None),
            ("Which football team do I support?", None),
            ("What is my mother's name?", None),
        ],
        # written after the support check's rules were frozen: the clean held-out set
        [
            ("In what city is my sister living these days?", p.sister_city),
            ("What's the name of my sister?", p.sister),
            ("What kind of work does my brother do?", p.brother_job),
            ("What's my profession?", p.job),
            ("Where am I employed?", p.employer),
            ("Which town is our home?", p.home),
            ("Remind me what our dog is called?", p.dog),
            ("Which dish is my favourite?", p.food),
            ("What date is my birthday?", p.birthday_month),
            ("Which number opens my gym locker?", p.locker),
            ("What time is the dentist?", f"{p.dentist_hour}pm"),
            ("Which instrument is my partner's?", p.instrument),
            ("What colour was the bike I bought?", p.bike),
            ("What book was recommended to me?", p.book),
            ("What is my grandmother's name?", None),
            ("How old is my nephew?", None),
            ("What is my blood type?", None),
            ("Which gym class do I take on Mondays?", None),
            ("What is the name of my boss?", None),
            ("Where did I go on holiday last year?", None),
        ],
    ]
    return sets[phrasing]


def statements(p: Persona, phrasing: int) -> list[tuple[str, list[str]]]:
    """(what the user says, the spans a right fact must hold)."""
    sets = [
        [
            (f"My sister {p.sister} moved to {p.sister_city}", [p.sister, p.sister_city]),
            (f"I work as {_a(p.job)}", [p.job]),
            (f"I live in {p.home}", [p.home]),
            (f"I have a dog called {p.dog}", [p.dog]),
            (f"my favourite food is {p.food}", [p.food]),
            (f"I love {p.instrument} music", [p.instrument]),
            (f"My brother is called {p.brother}", [p.brother]),
            (f"I work at {p.employer}", [p.employer]),
        ],
        [
            (f"my sister {p.sister} lives in {p.sister_city} now.", [p.sister, p.sister_city]),
            (f"My brother {p.brother} works as {_a(p.brother_job)}.", [p.brother, p.brother_job]),
            (f"I'm {_a(p.job)} at {p.employer}", [p.job, p.employer]),
            (f"I've moved to {p.home}", [p.home]),
            (f"my partner's name is {p.partner}", [p.partner]),
            (f"I really like {p.food}", [p.food]),
            (
                f"I can't stand {FOODS[(FOODS.index(p.food) + 1) % len(FOODS)]}",
                [FOODS[(FOODS.index(p.food) + 1) % len(FOODS)]],
            ),
            (f"we adopted a dog named {p.dog}", [p.dog]),
            (f"I own a {p.bike} bike", [p.bike, "bike"]),
            (f"my friend {p.friend} is a {p.brother_job}", [p.friend, p.brother_job]),
        ],
        # written after the grammar was frozen: the clean held-out set
        [
            (f"My sister is {p.sister}.", [p.sister]),
            (f"my brother {p.brother} relocated to {p.sister_city}", [p.brother, p.sister_city]),
            (f"I work for {p.employer}", [p.employer]),
            (f"I am a {p.job}", [p.job]),
            (f"We live in {p.home}", [p.home]),
            (f"My dog's name is {p.dog}", [p.dog]),
            (f"I enjoy playing the {p.instrument}", [p.instrument]),
            (
                f"I hate {FOODS[(FOODS.index(p.food) + 2) % len(FOODS)]}",
                [FOODS[(FOODS.index(p.food) + 2) % len(FOODS)]],
            ),
            (f"my favourite book is {p.book}", [p.book]),
            (f"My partner {p.partner} is a {p.brother_job}", [p.partner, p.brother_job]),
        ],
    ]
    return sets[phrasing]


def replies(p: Persona) -> list[str]:
    """The right reply to each question of phrasing set 0, in order."""
    return [
        f"Your sister {p.sister} lives in {p.sister_city}.",
        f"Your sister is {p.sister}.",
        f"Your brother {p.brother} works as {_a(p.brother_job)}.",
        f"You work as {_a(p.job)}.",
        f"You work at {p.employer}.",
        f"You live in {p.home}.",
        f"Your dog is called {p.dog}.",
        f"Your favourite food is {p.food}.",
        f"Your birthday is on {p.birthday_day} {p.birthday_month}.",
        f"The gym locker code is {p.locker}.",
        f"Your dentist appointment is on {p.dentist_day} at {p.dentist_hour}pm.",
        f"Your partner {p.partner} plays the {p.instrument}.",
        f"Your bike is {p.bike}.",
        f"{p.friend} recommended {p.book}.",
    ] + ["I don't know that yet."] * 5


if __name__ == "__main__":
    from synth_sft import main

    main()
