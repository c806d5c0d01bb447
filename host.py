"""What kind of machine this is: the one place that branches on platform.

On Termux, Python reports ``sys.platform == "android"`` (3.13+; older Termux builds say
"linux" but set ``TERMUX_VERSION``). A phone differs from a desktop in ways the code
cares about: its Python has no torch, sqlite-vec is a compiled ``vec0.so`` instead of a
wheel, watchdog must be told to use inotify, reminders go through termux-notification,
and llama.cpp runs best on the big cores only.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import Literal

TERMUX_PREFIX = Path("/data/data/com.termux/files/usr")


def is_android() -> bool:
    return sys.platform == "android" or "TERMUX_VERSION" in os.environ


def prefix() -> Path:
    """``$PREFIX`` on Termux (where pkg installs), else ``sys.prefix``."""
    value = os.environ.get("PREFIX")
    if value:
        return Path(value)
    return TERMUX_PREFIX if is_android() else Path(sys.prefix)


def sqlite_vec_candidates() -> list[Path]:
    """Where a compiled sqlite-vec may be (termux/install.sh puts it in the first)."""
    found = []
    if explicit := os.environ.get("POCKETMIND_SQLITE_VEC"):
        found.append(Path(explicit))
    found += [
        prefix() / "lib" / "sqlite-vec" / "vec0.so",
        Path.home() / ".local" / "lib" / "sqlite-vec" / "vec0.so",
    ]
    return found


def _cpu_max_khz(cpu_root: Path) -> dict[int, int]:
    speeds: dict[int, int] = {}
    for freq in sorted(cpu_root.glob("cpu[0-9]*/cpufreq/cpuinfo_max_freq")):
        try:
            cpu = int(freq.parent.parent.name.removeprefix("cpu"))
            speeds[cpu] = int(freq.read_text().strip())
        except (OSError, ValueError):
            continue
    return speeds


def usable_cores() -> list[int]:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def big_cores(cpu_root: Path = Path("/sys/devices/system/cpu")) -> list[int]:
    """The fastest cores: on a phone's big.LITTLE SoC, those llama.cpp should use.

    Cores whose top clock is within 80 % of the fastest count as big (prime and
    performance cores together). Without cpufreq (a desktop, a container): every core
    this process may run on.
    """
    allowed = usable_cores()
    speeds = {cpu: khz for cpu, khz in _cpu_max_khz(cpu_root).items() if cpu in allowed}
    if len(set(speeds.values())) < 2:
        return allowed
    top = max(speeds.values())
    return sorted(cpu for cpu, khz in speeds.items() if khz >= 0.8 * top)


def default_threads() -> int:
    """Threads for llama.cpp: the big cores on a phone, every usable core elsewhere."""
    return max(1, len(big_cores() if is_android() else usable_cores()))


def default_embedder_backend() -> Literal["llama", "sentence-transformers"]:
    """torch does not install under Termux: the phone embeds through llama.cpp."""
    return "llama" if is_android() else "sentence-transformers"


def default_kv_cache() -> Literal["f16", "q8_0"]:
    """A phone has a few GB shared with every app: the quantized attention cache."""
    return "q8_0" if is_android() else "f16"


def default_ubatch() -> int:
    """Prompt tokens llama.cpp computes at once. Its compute buffer grows with this (for
    SmolLM2: 25 MiB at 128, 99 MiB at 512) while prefill speed on a CPU barely does
    (287 against 293 tokens/s here): a phone takes the small one."""
    return 128 if is_android() else 512


def wants_inotify() -> bool:
    """watchdog's platform probe does not know Android and falls back to polling."""
    return is_android()


def pocketmind_command(home: Path) -> str:
    """The absolute command line that calls this installation's ``pocketmind`` (what a
    notification's buttons run)."""
    exe = Path(sys.executable).with_name("pocketmind")
    path = str(exe) if exe.exists() else shutil.which("pocketmind") or "pocketmind"
    return f"{shlex.quote(path)} --home {shlex.quote(str(home))}"
