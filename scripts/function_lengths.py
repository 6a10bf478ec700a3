"""Fail when a function of tco/ or api/ is longer than the limit (``make lint`` runs this).

A long function hides its steps; past about 80 lines it is split into named ones. The compiled
kernel's passes (tco/core/kernel.py) are exempt: numba compiles each pass as one loop nest over
the packed tables, and splitting them costs calls inside the innermost loops. Alembic migrations
are exempt too: they are written once, read as a list of tables, and never change.

Usage: python scripts/function_lengths.py [--limit N] [PATH ...]
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

LIMIT = 80
EXEMPT_FILES = ("tco/core/kernel.py",)
EXEMPT_DIRS = ("tco/store/migrations/",)


def long_functions(path: Path, limit: int) -> Iterator[tuple[str, int, int]]:
    """(qualified name, first line, length) of every function over ``limit`` lines."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    def visit(node: ast.AST, prefix: str) -> Iterator[tuple[str, int, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (child.end_lineno or child.lineno) - child.lineno + 1
                name = f"{prefix}{child.name}"
                if length > limit:
                    yield name, child.lineno, length
                yield from visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                yield from visit(child, f"{prefix}{child.name}.")

    yield from visit(tree, "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=LIMIT)
    parser.add_argument("paths", nargs="*", default=["tco", "api"])
    args = parser.parse_args(argv)
    found = 0
    for root in args.paths:
        for path in sorted(Path(root).rglob("*.py")):
            posix = path.as_posix()
            if posix.endswith(EXEMPT_FILES) or any(d in posix for d in EXEMPT_DIRS):
                continue
            for name, line, length in long_functions(path, args.limit):
                print(f"{posix}:{line}: {name} is {length} lines (limit {args.limit})")
                found += 1
    if found:
        print(f"{found} function(s) over {args.limit} lines: split them into named steps")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
