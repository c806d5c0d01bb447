"""Fetching a model file: resumable, verified against a pinned sha256, atomic.

The bytes go to ``NAME.part`` beside the target and are hashed on the way; an interrupted
download resumes from the ``.part`` with an HTTP Range request (a server that ignores the
range sends the whole file again, and we start over). The file takes its name only
after its size and sha256 match the pin, so a half-downloaded or tampered model is never
picked up by the engine. A checksum mismatch removes the ``.part``: its bytes are wrong,
and resuming from them would fail again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

CHUNK = 1 << 20
Progress = Callable[[int, int | None], None]  # (bytes so far, total if known)


class DownloadError(RuntimeError):
    """A download failed; the message names the URL and what to do."""


class ChecksumMismatch(DownloadError):
    """The bytes arrived but are not the pinned ones."""


@dataclass(frozen=True)
class Pin:
    url: str
    sha256: str
    size: int | None = None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _verified(dest: Path, pin: Pin) -> bool:
    if not dest.is_file():
        return False
    if pin.size is not None and dest.stat().st_size != pin.size:
        return False
    return sha256_of(dest) == pin.sha256


def fetch(
    pin: Pin,
    dest: Path,
    *,
    client: httpx.Client | None = None,
    progress: Progress | None = None,
    retries: int = 3,
) -> bool:
    """Make ``dest`` hold the pinned bytes. False if it already did, True if downloaded."""
    if len(pin.sha256) != 64 or any(c not in "0123456789abcdef" for c in pin.sha256):
        raise DownloadError(f"{pin.url}: the pin is not a lowercase hex sha256: {pin.sha256!r}")
    if _verified(dest, pin):
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    own = client is None
    http = client or httpx.Client(follow_redirects=True, timeout=httpx.Timeout(60.0))
    try:
        for attempt in range(retries + 1):
            try:
                _fetch_once(http, pin, dest, progress)
                return True
            except (httpx.TransportError, _Interrupted) as exc:
                if attempt == retries:
                    part = dest.with_name(dest.name + ".part")
                    have = part.stat().st_size if part.exists() else 0
                    raise DownloadError(
                        f"{pin.url}: interrupted after {have} bytes ({exc}); run the same "
                        "command again to resume"
                    ) from exc
        raise AssertionError("unreachable")
    finally:
        if own:
            http.close()


class _Interrupted(Exception):
    pass


def _fetch_once(http: httpx.Client, pin: Pin, dest: Path, progress: Progress | None) -> None:
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    if pin.size is not None and have > pin.size:
        part.unlink()
        have = 0
    digest = hashlib.sha256()
    if have:
        with part.open("rb") as fh:
            while block := fh.read(CHUNK):
                digest.update(block)
    headers = {"Range": f"bytes={have}-"} if have else {}
    with http.stream("GET", pin.url, headers=headers) as response:
        if response.status_code == 416 and have and have == pin.size:
            pass  # the .part is already whole; verify it below
        elif response.status_code == 206 and have:
            _check_range(response, have, pin.url)
            _append(response, part, digest, have, pin.size, progress)
        elif response.status_code == 200:
            digest = hashlib.sha256()
            part.unlink(missing_ok=True)
            _append(response, part, digest, 0, pin.size, progress)
        else:
            raise DownloadError(
                f"{pin.url}: HTTP {response.status_code} {response.reason_phrase}"
                + (
                    " (no such file: check the model name or --mirror)"
                    if response.status_code == 404
                    else ""
                )
            )
    # The response ended normally (a cut connection raised above): whatever arrived is
    # all the server has, so a wrong size is as wrong as a wrong hash.
    size = part.stat().st_size
    got = digest.hexdigest()
    if got != pin.sha256 or (pin.size is not None and size != pin.size):
        part.unlink()
        raise ChecksumMismatch(
            f"{pin.url}: sha256 {got} ({size} bytes) is not the pinned {pin.sha256}"
            + (f" ({pin.size} bytes)" if pin.size is not None else "")
            + "; the download was deleted. A mirror serving other bytes, or a changed "
            "upstream file: nothing was installed."
        )
    os.replace(part, dest)


def _check_range(response: httpx.Response, have: int, url: str) -> None:
    content_range = response.headers.get("content-range", "")
    if not content_range.startswith(f"bytes {have}-"):
        raise DownloadError(f"{url}: asked for bytes {have}- but got {content_range!r}")


def _append(
    response: httpx.Response,
    part: Path,
    digest: hashlib._Hash,
    have: int,
    total: int | None,
    progress: Progress | None,
) -> None:
    if total is None:
        length = response.headers.get("content-length")
        total = have + int(length) if length and length.isdigit() else None
    done = have
    with part.open("ab") as fh:
        try:
            for block in response.iter_bytes():  # as it arrives: a cut keeps every byte
                fh.write(block)
                digest.update(block)
                done += len(block)
                if progress:
                    progress(done, total)
        except httpx.TransportError as exc:
            fh.flush()
            os.fsync(fh.fileno())
            raise _Interrupted(str(exc)) from exc
        fh.flush()
        os.fsync(fh.fileno())
