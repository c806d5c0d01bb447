"""`models pull` against a real local HTTP server: resume, bad checksum, 404, mirrors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from model_server import serve

from pocketmind.cli import main
from pocketmind.embedders import PACKAGED_MODEL_ID, packaged_minilm_path
from pocketmind.models.catalog import CATALOG, MINILM_REVISION
from pocketmind.models.download import ChecksumMismatch, DownloadError, Pin, fetch
from pocketmind.models.embedding_gguf import read_embedding_info

BODY = bytes(range(256)) * 4096  # 1 MiB
SHA = hashlib.sha256(BODY).hexdigest()


def test_a_whole_download_is_verified_and_installed_atomically(tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    with serve({"/m.gguf": BODY}) as server:
        dest = tmp_path / "models" / "m.gguf"
        assert fetch(
            Pin(f"{server.url}/m.gguf", SHA, len(BODY)),
            dest,
            progress=lambda d, t: seen.append((d, t)),
        )
        assert dest.read_bytes() == BODY
        assert not dest.with_name("m.gguf.part").exists()
        assert seen[-1] == (len(BODY), len(BODY))
        assert [done for done, _ in seen] == sorted(done for done, _ in seen)
        # Already there and verified: no second request.
        assert not fetch(Pin(f"{server.url}/m.gguf", SHA, len(BODY)), dest)
        assert len(server.requests) == 1


def test_an_interrupted_download_resumes_from_the_part_file(tmp_path: Path) -> None:
    dest = tmp_path / "m.gguf"
    pin_path = "/m.gguf"
    with serve({pin_path: BODY}) as server:
        server.cut_after, server.cuts_left = 300_000, 1
        pin = Pin(f"{server.url}{pin_path}", SHA, len(BODY))
        with pytest.raises(DownloadError, match=r"interrupted after 300000 bytes.*run the same"):
            fetch(pin, dest, retries=0)
        part = dest.with_name("m.gguf.part")
        assert part.stat().st_size == 300_000
        assert not dest.exists()
        assert fetch(pin, dest, retries=0)
        assert server.requests[-1] == (pin_path, "bytes=300000-")
        assert dest.read_bytes() == BODY


def test_a_dropped_connection_is_resumed_within_one_pull(tmp_path: Path) -> None:
    with serve({"/m.gguf": BODY}) as server:
        server.cut_after, server.cuts_left = 100_000, 2
        dest = tmp_path / "m.gguf"
        assert fetch(Pin(f"{server.url}/m.gguf", SHA, len(BODY)), dest, retries=3)
        assert [r for _, r in server.requests] == [None, "bytes=100000-", "bytes=200000-"]
        assert dest.read_bytes() == BODY


def test_a_server_that_ignores_ranges_restarts_cleanly(tmp_path: Path) -> None:
    dest = tmp_path / "m.gguf"
    dest.with_name("m.gguf.part").write_bytes(BODY[:5000])
    with serve({"/m.gguf": BODY}) as server:
        server.ignore_range = True
        assert fetch(Pin(f"{server.url}/m.gguf", SHA, len(BODY)), dest)
    assert dest.read_bytes() == BODY


def test_a_whole_part_file_is_verified_without_downloading_again(tmp_path: Path) -> None:
    dest = tmp_path / "m.gguf"
    dest.with_name("m.gguf.part").write_bytes(BODY)
    with serve({"/m.gguf": BODY}) as server:
        assert fetch(Pin(f"{server.url}/m.gguf", SHA, len(BODY)), dest)
        assert server.requests == [("/m.gguf", f"bytes={len(BODY)}-")]
    assert dest.read_bytes() == BODY


def test_a_bad_checksum_installs_nothing_and_keeps_no_part(tmp_path: Path) -> None:
    dest = tmp_path / "m.gguf"
    wrong = hashlib.sha256(b"other bytes").hexdigest()
    with (
        serve({"/m.gguf": BODY}) as server,
        pytest.raises(ChecksumMismatch, match=f"not the pinned {wrong}"),
    ):
        fetch(Pin(f"{server.url}/m.gguf", wrong, len(BODY)), dest)
    assert not dest.exists()
    assert not dest.with_name("m.gguf.part").exists()


def test_a_missing_file_names_the_url_and_status(tmp_path: Path) -> None:
    with serve({}) as server:
        url = f"{server.url}/nothing.gguf"
        with pytest.raises(DownloadError, match=f"{url}: HTTP 404"):
            fetch(Pin(url, SHA), tmp_path / "m.gguf")
    assert not (tmp_path / "m.gguf").exists()


def test_a_pin_that_is_not_a_sha256_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="not a lowercase hex sha256"):
        fetch(Pin("http://127.0.0.1:9/x", "abc"), tmp_path / "x")


def test_cli_pulls_a_url_only_with_a_pin(pocketmind_home: Path) -> None:
    runner = CliRunner()
    with serve({"/x/tiny.gguf": BODY}) as server:
        refused = runner.invoke(main, ["models", "pull", "--url", f"{server.url}/x/tiny.gguf"])
        assert refused.exit_code == 2
        assert "unpinned download is refused" in refused.output
        done = runner.invoke(
            main,
            [
                "models",
                "pull",
                "--quiet",
                "--url",
                f"{server.url}/x/tiny.gguf",
                "--sha256",
                SHA.upper(),
            ],
        )
        assert done.exit_code == 0, done.output
    assert (pocketmind_home / "models" / "tiny.gguf").read_bytes() == BODY
    assert "sha256 verified" in done.output


def test_cli_names_unknown_models_and_http_failures(pocketmind_home: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(main, ["models", "pull", "qwen9"])
    assert unknown.exit_code == 1
    assert "no model named 'qwen9'" in unknown.output and "qwen3-0.6b" in unknown.output
    with serve({}) as server:
        missing = runner.invoke(main, ["models", "pull", "qwen3-0.6b", "--mirror", server.url])
    assert missing.exit_code == 1
    assert "HTTP 404" in missing.output and "Qwen3-0.6B-Q8_0.gguf" in missing.output
    assert not list((pocketmind_home / "models").glob("*.gguf"))


def test_a_mirror_serving_other_bytes_is_caught_by_the_pin(pocketmind_home: Path) -> None:
    qwen = CATALOG["qwen3-0.6b"].files[0]
    with serve({f"/{qwen.path}": BODY}) as server:
        result = CliRunner().invoke(
            main, ["models", "pull", "qwen3-0.6b", "--quiet", "--mirror", server.url]
        )
    assert result.exit_code == 1
    assert qwen.sha256 in result.output
    assert not (pocketmind_home / "models" / "Qwen3-0.6B-Q8_0.gguf").exists()


@pytest.mark.slow
def test_the_embedder_is_pulled_from_a_mirror_and_converted(pocketmind_home: Path) -> None:
    """The real pins against the real bytes: a mirror laid out like Hugging Face, serving
    the packaged MiniLM's files."""
    source = packaged_minilm_path()
    model = CATALOG["all-minilm-l6-v2"]
    files = {f"/{f.path}": (source / f.saved_as).read_bytes() for f in model.files}
    assert all(MINILM_REVISION in path for path in files)
    with serve(files) as server:
        result = CliRunner().invoke(
            main, ["models", "pull", "all-minilm-l6-v2", "--quiet", "--mirror", server.url]
        )
        assert result.exit_code == 0, result.output
        target = pocketmind_home / "models" / "embed" / "all-MiniLM-L6-v2.gguf"
        assert read_embedding_info(target).space == PACKAGED_MODEL_ID
        assert not (target.parent / "all-MiniLM-L6-v2.source").exists()
        requests = len(server.requests)
        again = CliRunner().invoke(
            main, ["models", "pull", "all-minilm-l6-v2", "--quiet", "--mirror", server.url]
        )
        assert again.exit_code == 0
        assert len(server.requests) == requests  # installed already: nothing fetched
    listing = CliRunner().invoke(main, ["models"])
    assert "all-MiniLM-L6-v2.gguf (43.7 MiB)" in listing.output
    # The embedding GGUF is never offered as a chat model.
    assert "embed/" not in listing.output.split("embedder:")[0]
