"""The uncertainty block in the terminal: each offer's range and chances, the inputs that move
the net savings most with their switching values, and a progress bar for runs over a second.

Amounts are rounded once, to the currency's minor unit, from the block's unrounded figures.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

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

from tco.cli.tables import TableWords
from tco.core.results import ScenarioResult, key_offer

#: Inputs shown in the table of what moves the net savings, the largest swings first.
TOP_INPUTS = 5
#: A run shows its progress bar once it has taken this long.
SHOW_AFTER_S = 1.0


def _value(w: TableWords, x: float | None) -> str:
    """An input's value to 4 significant digits in the reader's number format ("–": none)."""
    if x is None:
        return "–"
    digits = max(0, 3 - math.floor(math.log10(abs(x)))) if x != 0 else 0
    return w.loc.number(Decimal(repr(x)).quantize(Decimal(1).scaleb(-digits)), digits)


def _share(w: TableWords, x: float) -> str:
    return w.loc.percent(x, 1)


def range_table(result: ScenarioResult, language: str = "en") -> Table:
    """Offers side by side, as in the comparison table: lifetime cost at P10, P50 and P90, the
    chance each costs least, and net savings at P10 and P90 with the chance of saving."""
    u = result.uncertainty
    assert u is not None
    cur = result.currency
    w = TableWords(language, cur)
    sampling = w._("Latin hypercube") if u.sampling == "latin_hypercube" else w._("random sampling")
    table = Table(
        title=w._(
            "Range over {draws} draws ({sampling}, seed {seed}), present value in {currency}",
            draws=w.loc.number(u.draws),
            sampling=sampling,
            seed=u.seed,
            currency=cur,
        ),
        caption=w._("P10 (P90): 1 draw in 10 lies below (above); the base case is the table above"),
    )
    table.add_column("", no_wrap=True)
    for offer in result.offers:
        table.add_column(escape(f"{offer.name} ({offer.id})"), justify="right")
    risks = [u.offers[o.id] for o in result.offers]
    comps = [u.comparison.get(o.id) for o in result.offers]
    baseline = w._("baseline")
    for label, pick in (("P10", "p10"), ("P50", "p50"), ("P90", "p90")):
        table.add_row(
            w._("Lifetime cost {p}", p=label),
            *(w.money(getattr(r.lifetime_cost, pick)) for r in risks),
        )
    table.add_row(
        w._("Chance of the lowest cost"), *(_share(w, r.probability_lowest_cost) for r in risks)
    )
    for label, pick in (("P10", "p10"), ("P90", "p90")):
        table.add_row(
            w._("Net savings {p}", p=label),
            *(baseline if c is None else w.money(getattr(c.net_savings, pick)) for c in comps),
        )
    table.add_row(
        w._("Chance of saving"),
        *(baseline if c is None else _share(w, c.probability_saves) for c in comps),
        end_section=True,
    )
    return table


def swing_table(result: ScenarioResult, language: str = "en") -> Table:
    """The inputs with the largest swings: each alone at its P10 and P90, the net savings of
    the key offer there (its lifetime cost where only the baseline is offered), and the value
    at which that offer's net savings would be 0."""
    u = result.uncertainty
    assert u is not None
    w = TableWords(language, result.currency)
    key = key_offer(result)
    title = (
        w._(
            "What moves the net savings of {offer} most (one input at a time, the others at base)",
            offer=key,
        )
        if key
        else w._(
            "What moves the lifetime cost of {offer} most (one input at a time, the others at "
            "base)",
            offer=result.comparison.baseline,
        )
    )
    caption = w._(
        "switching value: where the net savings would be 0 (– : not between the input's "
        "P0.1 and P99.9); factors multiply the scenario's value"
    )
    table = Table(title=title, caption=caption if key else None)
    heads = [w._("input"), "P10", "P90", w._("at P10"), w._("at P90"), w._("swing")]
    for i, head in enumerate(heads):
        table.add_column(head, justify="left" if i == 0 else "right")
    if key:
        table.add_column(w._("switching value"), justify="right")
    switching = {(s.input, s.offer): s.value for s in u.switching_values}
    for s in u.sensitivity[:TOP_INPUTS]:
        lo, hi = s.net_savings[key] if key else s.lifetime_cost[result.comparison.baseline]
        row = [escape(s.input), _value(w, s.low), _value(w, s.high), w.money(lo), w.money(hi)]
        row.append(w.money(abs(hi - lo)))
        if key:
            row.append(_value(w, switching.get((s.input, key))))
        table.add_row(*row)
    return table


def risk_tables(result: ScenarioResult, language: str = "en") -> Group:
    """The tables ``tco evaluate`` prints after the comparison when the scenario has an
    uncertainty section, in ``language`` (``en`` or ``de``)."""
    return Group(range_table(result, language), swing_table(result, language))


class _DrawsBar:
    """A progress callback that shows a bar on a terminal once a run has taken
    :data:`SHOW_AFTER_S` seconds, and removes it at the end."""

    def __init__(
        self,
        console: Console,
        clock: Callable[[], float] = time.monotonic,
        label: str = "simulating",
    ) -> None:
        self.label = label
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
                TextColumn(self.label),
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
def draws_progress(
    console: Console | None = None, language: str = "en"
) -> Iterator[Callable[[int, int], None]]:
    """A progress callback for :func:`tco.core.results.evaluate` (on stderr by default)."""
    bar = _DrawsBar(
        console if console is not None else Console(stderr=True),
        label=TableWords(language, "EUR")._("simulating"),
    )
    try:
        yield bar
    finally:
        bar.close()
