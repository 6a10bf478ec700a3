"""What every command shares: project errors print one line per problem on stderr and exit 2."""

from __future__ import annotations

import typer
from rich.console import Console

from tco.core.errors import TcoError

EXIT_INPUT = 2


def fail(exc: TcoError) -> typer.Exit:
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    for line in exc.lines():
        err.print(f"error: {line}", markup=False)
    return typer.Exit(EXIT_INPUT)
