"""Follow-up: what needs a seller's attention, per customer, each item with its reason.

Rules (defaults in :class:`Rules`), on the day ``as_of``:

- ``silence``: no contact and no event on any of the customer's assets for more than
  ``silence_days`` days (since the last event, or the commissioning date when there is none);
  silence is a warning sign, not good news;
- ``over_promise``: an asset whose measured actual cost to date exceeds its promise to date by
  more than ``over_promise`` (a share: 0.10 = 10 %); an asset with nothing promised to date is
  over it as soon as it has a measured cost;
- ``renewal``: a service-plan term of an asset that ends within ``renewal_days`` days (its end:
  the anniversary of the commissioning date at the end of its last year), one item per quote and
  term; whether the quote states a renewal is said with it;
- ``comparison``: an asset whose re-forecast lifetime cost exceeds that of the alternative it was
  chosen over (:mod:`tco.ledger.tracking`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from tco.core.errors import Problem, TcoError
from tco.ledger.dates import add_years
from tco.ledger.promise import PlanTerm, Promise
from tco.ledger.tracking import AssetStatus


class Reason(StrEnum):
    silence = "silence"
    over_promise = "over_promise"
    renewal = "renewal"
    comparison = "comparison"


@dataclass(frozen=True, slots=True)
class Rules:
    """The thresholds of the follow-up rules."""

    silence_days: int = 90
    over_promise: float = 0.10
    renewal_days: int = 90

    def __post_init__(self) -> None:
        problems = []
        if self.silence_days < 1:
            problems.append(Problem("silence_days", f"must be at least 1, got {self.silence_days}"))
        if not 0 <= self.over_promise <= 100:
            problems.append(
                Problem("over_promise", f"must be between 0 and 100, got {self.over_promise}")
            )
        if self.renewal_days < 0:
            problems.append(Problem("renewal_days", f"must be at least 0, got {self.renewal_days}"))
        if problems:
            raise TcoError(problems)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """One thing to follow up and why. ``day``: the last activity (silence) or the end of the
    term (renewal); ``actual``/``reference``: measured actual and promised to date
    (over_promise), or the re-forecast and the alternative's lifetime cost (comparison)."""

    customer: str
    reason: Reason
    asset_ids: tuple[int, ...]
    quote_number: str | None = None
    currency: str = ""
    day: date | None = None
    days: int | None = None
    actual: float | None = None
    reference: float | None = None
    plan: str = ""
    renewal_stated: bool = False

    @property
    def share(self) -> float | None:
        """``actual / reference - 1`` where both are given and the reference is above 0."""
        if self.actual is None or not self.reference:
            return None
        return self.actual / self.reference - 1


@dataclass(frozen=True, slots=True)
class CustomerFollowUp:
    customer: str
    items: tuple[FollowUp, ...]


def _silence(
    customer: str, items: Sequence[AssetStatus], as_of: date, rules: Rules
) -> list[FollowUp]:
    last = max(s.last_activity for s in items)
    days = (as_of - last).days
    if days <= rules.silence_days:
        return []
    ids = tuple(s.asset.id for s in items)
    return [FollowUp(customer, Reason.silence, ids, day=last, days=days)]


def _over(status: AssetStatus, currency: str, rules: Rules) -> list[FollowUp]:
    promised, actual = status.promised_measured, status.actual_measured
    over = actual > promised * (1 + rules.over_promise) if promised > 0 else actual > 0
    if not over:
        return []
    a = status.asset
    return [
        FollowUp(
            a.customer,
            Reason.over_promise,
            (a.id,),
            a.quote_number,
            currency,
            actual=actual,
            reference=promised,
        )
    ]


def _comparison(status: AssetStatus, currency: str) -> list[FollowUp]:
    if not status.turns_against:
        return []
    a = status.asset
    return [
        FollowUp(
            a.customer,
            Reason.comparison,
            (a.id,),
            a.quote_number,
            currency,
            actual=status.reforecast_lifetime_cost,
            reference=status.alternative_lifetime_cost,
        )
    ]


def term_ends(promise: Promise, commissioned_on: date) -> list[tuple[PlanTerm, date, bool]]:
    """Each service-plan term of a promise, the day it ends (the anniversary of the
    commissioning date at the end of its last year) and whether the quote states a renewal
    that follows it."""
    return [
        (
            term,
            add_years(commissioned_on, term.until_year),
            any(t.from_year == term.until_year + 1 for t in promise.terms),
        )
        for term in promise.terms
    ]


def _renewals(
    statuses: Sequence[AssetStatus], promises: Mapping[int, Promise], as_of: date, rules: Rules
) -> list[FollowUp]:
    horizon = as_of + timedelta(days=rules.renewal_days)
    found: dict[tuple[str, str, str, int, date], list[int]] = {}
    stated: dict[tuple[str, str, str, int, date], bool] = {}
    for s in statuses:
        for term, end, renewed in term_ends(promises[s.asset.id], s.asset.commissioned_on):
            if as_of <= end <= horizon:
                key = (s.asset.customer, s.asset.quote_number, term.name, term.until_year, end)
                found.setdefault(key, []).append(s.asset.id)
                stated[key] = renewed
    return [
        FollowUp(
            key[0],
            Reason.renewal,
            tuple(ids),
            key[1],
            promises[ids[0]].currency,
            day=key[4],
            days=(key[4] - as_of).days,
            plan=key[2],
            renewal_stated=stated[key],
        )
        for key, ids in sorted(found.items(), key=lambda kv: kv[0][4])
    ]


def follow_ups(
    statuses: Sequence[AssetStatus],
    promises: Mapping[int, Promise],
    as_of: date,
    rules: Rules | None = None,
) -> list[CustomerFollowUp]:
    """What needs attention on ``as_of``, per customer (by name), in the order silence,
    over promise, renewal, comparison. ``promises`` maps each asset id to its promise."""
    rules = rules or Rules()
    by_customer: dict[str, list[AssetStatus]] = {}
    for s in statuses:
        by_customer.setdefault(s.asset.customer, []).append(s)
    items: dict[str, list[FollowUp]] = {c: [] for c in by_customer}
    for customer, group in by_customer.items():
        items[customer].extend(_silence(customer, group, as_of, rules))
        for s in group:
            items[customer].extend(_over(s, promises[s.asset.id].currency, rules))
    for f in _renewals(statuses, promises, as_of, rules):
        items[f.customer].append(f)
    for customer, group in by_customer.items():
        for s in group:
            items[customer].extend(_comparison(s, promises[s.asset.id].currency))
    return [CustomerFollowUp(c, tuple(items[c])) for c in sorted(items) if items[c]]
