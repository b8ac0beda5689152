"""The shape of the code holds: no import cycles, SQL only in bot/store, a pure domain, telegram
only where Telegram is spoken, and layers that import only downwards. Read from the source."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL = re.compile(r"^\s*(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|"
                 r"DELETE\s+FROM|CREATE\s+(TABLE|INDEX))", re.I | re.S)
# from the bottom up: a package may import its own and those below it, never one above
LAYERS = ["domain", "store", "render", "translate", "messaging", "followup", "services",
          "importers", "handlers", "cli"]
TELEGRAM = ("bot.handlers", "bot.messaging", "bot.render", "bot.testing", "bot.cli", "bot.app",
            "bot.context")


def modules() -> dict[str, ast.Module]:
    out = {}
    for path in (ROOT / "bot").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = ast.parse(path.read_text(encoding="utf-8"))
    return out


def imports(tree: ast.Module) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return found


def layer(name: str) -> int | None:
    part = name.split(".")[1] if name.count(".") else ""
    return LAYERS.index(part) if part in LAYERS else None


def test_no_import_cycles() -> None:
    mods = modules()
    graph = {m: {t for t in imports(tree) if t in mods and t != m and not m.startswith(t + ".")}
             for m, tree in mods.items()}
    seen: set[str] = set()

    def cycle_from(start: str, path: list[str]) -> list[str] | None:
        for nxt in graph[path[-1]]:
            if nxt == start:
                return path
            if nxt not in path and nxt not in seen:
                found = cycle_from(start, [*path, nxt])
                if found:
                    return found
        return None

    for m in sorted(graph):
        found = cycle_from(m, [m])
        assert found is None, " -> ".join([*found, m])
        seen.add(m)


def test_layers_import_only_downwards_and_sql_stays_in_the_store() -> None:
    problems = []
    for name, tree in modules().items():
        mine = layer(name)
        for target in imports(tree):
            theirs = layer(target) if target.startswith("bot.") else None
            if mine is not None and theirs is not None and theirs > mine:
                problems.append(f"{name} imports {target} (a layer above)")
            if (target.split(".")[0] == "telegram" and not name.startswith(TELEGRAM)
                    and not _type_only(tree, target)):
                problems.append(f"{name} imports {target}")
            if name.startswith("bot.domain") and target.startswith(
                    ("bot.store", "bot.config", "bot.handlers", "aiosqlite", "telegram", "httpx")):
                problems.append(f"{name} (domain) imports {target}")
        if not name.startswith(("bot.store", "bot.testing")):
            problems += [f"{name}:{node.lineno} SQL" for node in ast.walk(tree)
                         if isinstance(node, ast.Constant) and isinstance(node.value, str)
                         and SQL.match(node.value)]
    assert not problems, "\n".join(problems)


def _type_only(tree: ast.Module, target: str) -> bool:
    """An import under `if TYPE_CHECKING:` (annotations only)."""
    for node in ast.walk(tree):
        if (isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
                and any(target in imports(ast.Module(body=[stmt], type_ignores=[]))
                        for stmt in node.body)):
            return True
    return False
