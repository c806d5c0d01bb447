"""The house's shape, measured from the code itself (issue #13's figures).

Reads every module of the package with ``ast`` (tests/ and bench/ left out) and prints:

- SQL sites outside each table's owner: a string literal holding SELECT, INSERT, UPDATE,
  DELETE or CREATE that names a table, in a module that does not own every table it names
  (owners below; ``_migrations`` belongs to schema.py). Also the older count the issue
  gave: SQL sites outside ``memory/`` (once owners exist, it counts their own sites too).
- Reaches through ``store.db`` (an attribute ``.db`` read off a name or attribute called
  ``store``) outside ``memory/``.
- Import cycles between files (strongly connected components of the file import graph,
  counting imports inside functions too: they are arrows all the same).
- Arrows running up the floors (/work/shared/ARCHITECTURE.md's order, faces on top, db.py
  and settings at the bottom): an import from a lower floor's file of a higher floor's.
- Modules over 400 lines.

    python bench/architecture.py [--root DIR] [--list]

``--list`` prints every offending site, not just the counts.
"""

from __future__ import annotations

import argparse
import ast
import platform
import re
import sys
from collections import defaultdict
from pathlib import Path

PACKAGE = "pocketmind"
SKIP = {"tests", "bench", ".venv", "build", "termux", "__pycache__"}

# Which module(s) own each table: a path prefix relative to the package root. A module
# whose path starts with one of a table's prefixes may run SQL on it.
OWNERS: dict[str, tuple[str, ...]] = {
    "memories": ("memory/",),
    "memories_fts": ("memory/",),
    "memories_vec": ("memory/",),
    "embedding_space": ("memory/",),
    "events": ("ingest/",),
    "reminders": ("skills/reminders",),
    "reminder_firings": ("skills/reminders",),
    "skills": ("skills/runs",),
    "skill_runs": ("skills/runs",),
    "pending_actions": ("skills/runs",),
    "places": ("sensing/places",),
    "exchanges": ("exchanges/",),
    "exchange_memories": ("exchanges/",),
    "feedback": ("exchanges/",),
    "exports": ("training/export",),
    "_migrations": ("schema.py",),
}
# ``sqlite_master`` is SQLite's own catalog, not a room's table: recovery and doctor may
# read it.

# Floors from the top (faces) to the bottom. A first path component (package or
# top-level module) not listed counts as the bottom floor.
FLOORS: list[set[str]] = [
    {"cli", "tui", "doctor", "__main__"},
    {"daemon"},
    {"mcp", "bridge"},  # bridge/ is the MCP room (a package named mcp hides the SDK)
    {"chat"},
    {"plans"},
    {"tools"},
    {"skills"},
    {"sensing"},
    {"training"},
    {"exchanges"},
    {"retrieval"},
    {"ingest"},
    {"memory"},
    {"engine"},
    {"embedders"},
    {"models"},
    {"db", "settings", "host", "clock", "plugins", "configfile", "privacy", "errors"},
]

SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|WITH)\b", re.I)
TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE|JOIN|TABLE|EXISTS|ON)\s+([A-Za-z_][A-Za-z0-9_]*)", re.I)


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package under ``root``."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] in SKIP or any(p.startswith(".") for p in rel.parts):
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join([PACKAGE, *parts])] = path
    return found


def _resolve(name: str, mod: str, is_pkg: bool, level: int) -> str:
    if level == 0:
        return name
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def imports(mod: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules ``mod`` imports (``from x import y`` counts y when a module)."""
    tree = ast.parse(path.read_text())
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node.module or "", mod, is_pkg, node.level)
            names = [f"{base}.{a.name}" for a in node.names] + [base]
            names = [n for n in names if n in known] or [base]
            if f"{base}" in known and any(f"{base}.{a.name}" in known for a in node.names):
                names = [n for n in names if n != base]  # `from pkg import submodule`
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != mod:
                out.add(name)
    if mod.rpartition(".")[0] in known and mod.rpartition(".")[0] != PACKAGE:
        pass  # a package's __init__ runs first, but that is Python's arrow, not ours
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one file (Tarjan, iterative enough)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def floor(mod: str) -> int:
    parts = mod.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    for n, names in enumerate(FLOORS):
        if top in names:
            return n
    return len(FLOORS) - 1


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _executed_strings(tree: ast.AST) -> list[ast.Constant]:
    """String constants (f-strings' literal parts too) that look like SQL statements."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SQL.match(node.value):
                found.append(node)
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if SQL.match(text):
                found.append(ast.Constant(value=text, lineno=node.lineno))
    return found


def sql_sites(path: Path, rel: str) -> tuple[list[str], list[str]]:
    """(sites outside the owners, sites outside memory/) in one file."""
    tree = ast.parse(path.read_text())
    outside, outside_memory = [], []
    inner = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    for node in _executed_strings(tree):
        if id(node) in inner:
            continue
        text = str(node.value)
        tables = {t for t in TABLE.findall(text) if t in OWNERS}
        if not tables:
            continue
        where = f"{rel}:{node.lineno}"
        if not all(any(rel.startswith(p) for p in OWNERS[t]) for t in tables):
            outside.append(f"{where} {sorted(tables)}")
        if not rel.startswith("memory/"):
            outside_memory.append(where)
    return outside, outside_memory


def store_db_reaches(path: Path, rel: str) -> list[str]:
    if rel.startswith("memory/"):
        return []
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "db":
            owner = node.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
            if name in ("store", "_store", "memory_store"):
                found.append(f"{rel}:{node.lineno}")
    return found


def measure(root: Path) -> dict[str, list[str]]:
    mods = modules(root)
    known = set(mods)
    graph = {m: imports(m, p, known) for m, p in mods.items()}
    # A package's __init__ importing its own submodules is how packages work, and a
    # submodule importing a sibling through the package is the same room: not a cycle
    # between rooms, but still one between files, so both are kept.
    out: dict[str, list[str]] = defaultdict(list)
    for mod, path in mods.items():
        rel = _rel(path, root)
        owners, memory = sql_sites(path, rel)
        out["sql_outside_owner"] += owners
        out["sql_outside_memory"] += memory
        out["store_db_reaches"] += store_db_reaches(path, rel)
        lines = len(path.read_text().splitlines())
        if lines > 400:
            out["over_400_lines"].append(f"{rel} {lines}")
        for dep in sorted(graph[mod]):
            if floor(dep) < floor(mod):
                out["up_arrows"].append(f"{mod} -> {dep}")
    init_free = {
        m: {d for d in deps if not (mods[d].name == "__init__.py" and m.startswith(d + "."))}
        for m, deps in graph.items()
    }
    init_free = {
        m: {d for d in deps if not (mods[m].name == "__init__.py" and d.startswith(m + "."))}
        for m, deps in init_free.items()
    }
    out["import_cycles"] = [" <-> ".join(c) for c in cycles(init_free)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--list", action="store_true", help="print every offending site")
    args = parser.parse_args()
    figures = measure(args.root)
    print(f"# {platform.platform()} python {platform.python_version()} root={args.root}")
    for name in (
        "sql_outside_owner",
        "sql_outside_memory",
        "store_db_reaches",
        "import_cycles",
        "up_arrows",
        "over_400_lines",
    ):
        items = figures.get(name, [])
        print(f"{name:20} {len(items)}")
        if args.list or name in ("import_cycles", "up_arrows", "over_400_lines"):
            for item in items:
                print(f"    {item}")


if __name__ == "__main__":
    main()
