"""The uncertainty block in the terminal: each offer's range and chances, the inputs that move
the net savings most with their switching values, and a progress bar for runs over a second.

Amounts are rounded once, to the currency's minor unit, from the block's unrounded figures.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console, Group
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from tco.core.money import format_amount, round_money
from tco.core.results import ScenarioResult

#: Inputs shown in the table of what moves the net savings, the largest swings first.
TOP_INPUTS = 5
#: A run shows its progress bar once it has taken this long.
SHOW_AFTER_S = 1.0


def _money(x: float, currency: str) -> str:
    return format_amount(round_money(x, currency), currency)


def _share(x: float) -> str:
    return f"{x:.1%}"


def _value(x: float | None) -> str:
    return "–" if x is None else f"{x:.4g}"


def key_offer(result: ScenarioResult) -> str | None:
    """The offer whose net savings the sensitivity is sorted by: the highest base net savings
    (the first on a tie); None where there is no offer besides the baseline."""
    comp = result.comparison.offers
    if not comp:
        return None
    best = max(c.net_savings for c in comp.values())
    return next(oid for oid, c in comp.items() if c.net_savings == best)


def range_table(result: ScenarioResult) -> Table:
    """Offers side by side, as in the comparison table: lifetime cost at P10, P50 and P90, the
    chance each costs least, and net savings at P10 and P90 with the chance of saving."""
    u = result.uncertainty
    assert u is not None
    cur = result.currency
    sampling = "Latin hypercube" if u.sampling == "latin_hypercube" else "random sampling"
    table = Table(
        title=f"Range over {u.draws:,} draws ({sampling}, seed {u.seed}), present value in {cur}",
        caption="P10 (P90): 1 draw in 10 lies below (above); the base case is the table above",
    )
    table.add_column("", no_wrap=True)
    for offer in result.offers:
        table.add_column(escape(f"{offer.name} ({offer.id})"), justify="right")
    risks = [u.offers[o.id] for o in result.offers]
    comps = [u.comparison.get(o.id) for o in result.offers]
    for label, pick in (("P10", "p10"), ("P50", "p50"), ("P90", "p90")):
        table.add_row(
            f"Lifetime cost {label}",
            *(_money(getattr(r.lifetime_cost, pick), cur) for r in risks),
        )
    table.add_row("Chance of the lowest cost", *(_share(r.probability_lowest_cost) for r in risks))
    for label, pick in (("P10", "p10"), ("P90", "p90")):
        table.add_row(
            f"Net savings {label}",
            *(
                "baseline" if c is None else _money(getattr(c.net_savings, pick), cur)
                for c in comps
            ),
        )
    table.add_row(
        "Chance of saving",
        *("baseline" if c is None else _share(c.probability_saves) for c in comps),
        end_section=True,
    )
    return table


def swing_table(result: ScenarioResult) -> Table:
    """The inputs with the largest swings: each alone at its P10 and P90, the net savings of
    the key offer there (its lifetime cost where only the baseline is offered), and the value
    at which that offer's net savings would be 0."""
    u = result.uncertainty
    assert u is not None
    cur = result.currency
    key = key_offer(result)
    what = f"net savings of {key}" if key else f"lifetime cost of {result.comparison.baseline}"
    table = Table(
        title=f"What moves the {what} most (one input at a time, the others at base)",
        caption=(
            "switching value: where the net savings would be 0 (– : not between the input's "
            "P0.1 and P99.9); factors multiply the scenario's value"
            if key
            else None
        ),
    )
    for head in ("input", "P10", "P90", "at P10", "at P90", "swing"):
        table.add_column(head, justify="left" if head == "input" else "right")
    if key:
        table.add_column("switching value", justify="right")
    switching = {(s.input, s.offer): s.value for s in u.switching_values}
    for s in u.sensitivity[:TOP_INPUTS]:
        lo, hi = s.net_savings[key] if key else s.lifetime_cost[result.comparison.baseline]
        row = [escape(s.input), _value(s.low), _value(s.high), _money(lo, cur), _money(hi, cur)]
        row.append(_money(abs(hi - lo), cur))
        if key:
            row.append(_value(switching.get((s.input, key))))
        table.add_row(*row)
    return table


def risk_tables(result: ScenarioResult) -> Group:
    """The tables ``tco evaluate`` prints after the comparison when the scenario has an
    uncertainty section."""
    return Group(range_table(result), swing_table(result))


class _DrawsBar:
    """A progress callback that shows a bar on a terminal once a run has taken
    :data:`SHOW_AFTER_S` seconds, and removes it at the end."""

    def __init__(self, console: Console, clock: Callable[[], float] = time.monotonic) -> None:
        self.console = console
        self.clock = clock
        self.start = clock()
        self.bar: Progress | None = None
        self.task = TaskID(0)

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if not self.console.is_terminal or done >= total:
                return
            if self.clock() - self.start < SHOW_AFTER_S:
                return
            self.bar = Progress(
                TextColumn("simulating"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self.task = self.bar.add_task("draws", total=total)
            self.bar.start()
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@contextmanager
def draws_progress(console: Console | None = None) -> Iterator[Callable[[int, int], None]]:
    """A progress callback for :func:`tco.core.results.evaluate` (on stderr by default)."""
    bar = _DrawsBar(console if console is not None else Console(stderr=True))
    try:
        yield bar
    finally:
        bar.close()
