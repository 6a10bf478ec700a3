"""The sales pipeline: what each quote is worth, what it saves the buyer, and the totals.

Two figures per quote, taken when a version is saved and kept on the quote's header:

* **value**: the one-time total of the recommended offer's price sheet (what the buyer pays
  us up front for it), exact ``Decimal``; where the recommended offer is not ours (it has no
  price sheet), the one-time total of our first priced offer: the quote is still worth that if
  it is won. None for a quote without any price sheet.
* **lifetime saving**: how much less the recommended offer costs over its life than the next
  cheapest offer, present value, a float64 projection of the engine
  (:func:`lifetime_saving`; the builder and the quote page show the same figure).

Totals add the unrounded figures per currency (amounts in different currencies are never
added); a presenter rounds each shown figure once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from tco.core.results import ScenarioResult
from tco.quoting.pricing import PriceSheet
from tco.quoting.versions import QuoteStatus, QuoteSummary

#: Statuses of quotes still in play: they can still be won (the pipeline's open quotes).
OPEN: frozenset[QuoteStatus] = frozenset({QuoteStatus.draft, QuoteStatus.sent})


def lifetime_saving(result: ScenarioResult) -> float:
    """How much less the recommended offer costs over its life than the next cheapest offer
    (the engine's net savings where that offer is the baseline, else the difference of the two
    lifetime costs); 0 with a single offer. Present value, unrounded."""
    best = result.comparison.recommended
    others = [o for o in result.offers if o.id != best]
    if not others:
        return 0.0
    runner = min(others, key=lambda o: o.lifetime_cost)
    comp = result.comparison.offers.get(best)
    if runner.id == result.comparison.baseline and comp is not None:
        return comp.net_savings
    lcc = {o.id: o.lifetime_cost for o in result.offers}
    return runner.lifetime_cost - lcc[best]


def quote_value(result: ScenarioResult, sheets: Sequence[PriceSheet]) -> Decimal | None:
    """The one-time total of the recommended offer's price sheet, else of the first sheet."""
    best = result.comparison.recommended
    sheet = next((s for s in sheets if s.offer_id == best), None)
    if sheet is None and sheets:
        sheet = sheets[0]
    return None if sheet is None else sheet.one_time_total


def expires_within(summary: QuoteSummary, today: date, days: int) -> bool:
    """An open quote (draft or sent, still valid today) whose validity ends within ``days``
    days from ``today`` (today included)."""
    return summary.status in OPEN and today <= summary.valid_until <= today + timedelta(days=days)


@dataclass(frozen=True, slots=True)
class PipelineTotal:
    """The quotes of one currency in a list: how many, their value and lifetime saving, and
    the same for the open ones (draft or sent). Sums of unrounded figures."""

    currency: str
    count: int
    value: Decimal
    saving: float
    open_count: int
    open_value: Decimal
    open_saving: float


def pipeline_totals(rows: Iterable[QuoteSummary]) -> tuple[PipelineTotal, ...]:
    """Totals per currency, in the order the currencies first appear."""
    groups: dict[str, list[QuoteSummary]] = {}
    for s in rows:
        groups.setdefault(s.currency, []).append(s)

    def total(cur: str, items: list[QuoteSummary]) -> PipelineTotal:
        live = [s for s in items if s.status in OPEN]
        return PipelineTotal(
            currency=cur,
            count=len(items),
            value=sum((s.value or Decimal(0) for s in items), Decimal(0)),
            saving=math.fsum(s.saving or 0.0 for s in items),
            open_count=len(live),
            open_value=sum((s.value or Decimal(0) for s in live), Decimal(0)),
            open_saving=math.fsum(s.saving or 0.0 for s in live),
        )

    return tuple(total(cur, items) for cur, items in groups.items())
