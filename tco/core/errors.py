"""Project exceptions and the problem records they carry.

A request that cannot be priced raises a :class:`TcoError` subclass that names every problem by
its path in the input (``offers[1].costs[2].every_years``). Findings that still allow a result
travel as :class:`Issue` records on the result instead of being raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where it is (``path``) and what is wrong (``message``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class TcoError(Exception):
    """Base class of the project's errors: an input that cannot be used as it is."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        """One readable line per problem."""
        return [str(p) for p in self.problems]


class ScenarioError(TcoError):
    """A scenario that breaks a rule of the scenario contract (docs/scenario.md)."""


class InputFileError(TcoError):
    """A file that cannot be read or parsed (missing, unreadable, invalid YAML or JSON)."""


class NotFoundError(TcoError):
    """A reference to something that does not exist (a quote number, a sku, a plan)."""


class ConflictError(TcoError):
    """A request that conflicts with the current state (a status change that is not allowed)."""


def format_path(loc: Iterable[str | int]) -> str:
    """Turn a pydantic location tuple into ``offers[1].costs[2].every_years``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
