"""Quote versions, statuses and their allowed changes, revisions and version diffs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from tco.core.errors import ConflictError, Problem
from tco.core.money import format_amount, round_money
from tco.core.results import ScenarioResult
from tco.core.scenario import Scenario
from tco.core.text import CleanNote, CleanText
from tco.quoting.catalog import (
    Catalog,
)
from tco.quoting.pricing import PriceSheet
from tco.quoting.requests import FrozenModel

# --------------------------------------------------------------------------------------------
# Versions, status and diffs


class QuoteStatus(StrEnum):
    draft = "draft"
    sent = "sent"
    accepted = "accepted"
    rejected = "rejected"
    expired = "expired"


#: Allowed status changes; accepted, rejected and expired are final.
TRANSITIONS: dict[QuoteStatus, frozenset[QuoteStatus]] = {
    QuoteStatus.draft: frozenset({QuoteStatus.sent, QuoteStatus.rejected, QuoteStatus.expired}),
    QuoteStatus.sent: frozenset(
        {QuoteStatus.accepted, QuoteStatus.rejected, QuoteStatus.expired, QuoteStatus.draft}
    ),
    QuoteStatus.accepted: frozenset(),
    QuoteStatus.rejected: frozenset(),
    QuoteStatus.expired: frozenset(),
}


def effective_status(status: QuoteStatus, valid_until: date, today: date) -> QuoteStatus:
    """A draft or sent quote past its validity is expired."""
    if status in (QuoteStatus.draft, QuoteStatus.sent) and today > valid_until:
        return QuoteStatus.expired
    return status


def check_transition(
    number: str, current: QuoteStatus, new: QuoteStatus, valid_until: date, today: date
) -> None:
    """Raise :class:`ConflictError` unless ``current -> new`` is allowed on ``today``."""
    now = effective_status(current, valid_until, today)
    if new == QuoteStatus.expired and now == QuoteStatus.expired and current != new:
        return
    if new not in TRANSITIONS[now]:
        allowed = ", ".join(sorted(TRANSITIONS[now])) or "none (it is final)"
        why = f" (valid until {valid_until.isoformat()})" if now != current else ""
        raise ConflictError(
            [
                Problem(
                    "status",
                    f"quote {number} is {now.value}{why}; it cannot become {new.value} "
                    f"(allowed: {allowed})",
                )
            ]
        )


class QuoteVersion(FrozenModel):
    """One saved version of a quote: never changes once saved."""

    number: str
    version: int
    created_at: datetime
    created_by: str
    catalog_version: int | None
    engine_version: str
    request: dict[str, Any]
    snapshot: Catalog
    scenario: Scenario
    result: ScenarioResult
    price_sheets: tuple[PriceSheet, ...]
    recommendation: str
    note: CleanNote = ""


class QuoteSummary(FrozenModel):
    """A quote's header: number, customer, status and audit fields."""

    number: str
    tenant: str
    customer: CleanText
    seller: CleanText
    title: CleanText
    currency: str
    status: QuoteStatus
    current_version: int
    as_of: date
    valid_until: date
    recommended: str
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    #: the customer record the quote points to (None: the customer is only named)
    customer_id: int | None = None
    #: the pipeline's figures of the current version (:mod:`tco.quoting.pipeline`): the
    #: one-time total of the recommended offer (exact) and its lifetime saving (present value,
    #: float64 projection, kept to 6 decimals); None for a quote without them
    value: Decimal | None = None
    saving: float | None = None


def apply_changes(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A revised request: ``changes`` merged into ``base``.

    Mappings merge key by key; offers merge by ``id`` (a new id adds an offer); other lists and
    values replace. ``remove_offers: [id, ...]`` drops offers.
    """
    out: dict[str, Any] = dict(base)
    for key, value in changes.items():
        if key == "remove_offers":
            continue
        old = out.get(key)
        if key == "offers" and isinstance(value, list) and isinstance(old, list):
            merged = [dict(o) if isinstance(o, Mapping) else o for o in old]
            for o in value:
                idx = next(
                    (
                        k
                        for k, m in enumerate(merged)
                        if isinstance(m, Mapping)
                        and isinstance(o, Mapping)
                        and m.get("id") == o.get("id")
                    ),
                    None,
                )
                if idx is None or not isinstance(o, Mapping):
                    merged.append(o)
                else:
                    merged[idx] = apply_changes(merged[idx], o)
            out[key] = merged
        elif isinstance(value, Mapping) and isinstance(old, Mapping):
            out[key] = apply_changes(old, value)
        else:
            out[key] = value
    remove = changes.get("remove_offers")
    if isinstance(remove, list) and isinstance(out.get("offers"), list):
        out["offers"] = [
            o for o in out["offers"] if not (isinstance(o, Mapping) and o.get("id") in remove)
        ]
    return out


class Change(FrozenModel):
    """One difference between two versions: an input or a result, old and new value."""

    section: Literal["input", "result"]
    path: str
    old: str | None
    new: str | None
    delta: str | None = None


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        for k, v in value.items():
            _flatten(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(value, list | tuple):
        keyed = all(isinstance(v, Mapping) and "id" in v for v in value) and value
        for k, v in enumerate(value):
            label = f"[{v['id']}]" if keyed else f"[{k}]"
            _flatten(v, f"{path}{label}", out)
    else:
        out[path] = value


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _results_table(result: ScenarioResult) -> dict[str, float | int | str | None]:
    cur = result.currency
    out: dict[str, float | int | str | None] = {"recommended": result.comparison.recommended}
    for o in result.offers:
        out[f"offers[{o.id}].lifetime_cost"] = float(round_money(o.lifetime_cost, cur))
        for cat, pv in o.by_category.items():
            out[f"offers[{o.id}].by_category.{cat}"] = float(round_money(pv, cur))
        c = result.comparison.offers.get(o.id)
        if c is not None:
            out[f"offers[{o.id}].net_savings"] = float(round_money(c.net_savings, cur))
            out[f"offers[{o.id}].simple_payback_year"] = c.simple_payback_year
            out[f"offers[{o.id}].discounted_payback_year"] = c.discounted_payback_year
    return out


def diff_versions(
    request_a: Mapping[str, Any],
    result_a: ScenarioResult,
    request_b: Mapping[str, Any],
    result_b: ScenarioResult,
) -> tuple[Change, ...]:
    """Which inputs and which results changed between two versions, and by how much.

    Inputs are compared field by field (offers by id); results at the precision shown
    (money to the minor unit).
    """
    changes: list[Change] = []
    fa: dict[str, Any] = {}
    fb: dict[str, Any] = {}
    _flatten(request_a, "", fa)
    _flatten(request_b, "", fb)
    for key in sorted(set(fa) | set(fb)):
        old, new = fa.get(key), fb.get(key)
        if old != new:
            delta = None
            try:
                if old is not None and new is not None and not isinstance(old, bool):
                    delta = str(Decimal(str(new)) - Decimal(str(old)))
            except ArithmeticError:
                delta = None
            changes.append(
                Change(section="input", path=key, old=_text(old), new=_text(new), delta=delta)
            )
    ra, rb = _results_table(result_a), _results_table(result_b)
    cur = result_b.currency
    for key in list(dict.fromkeys([*ra, *rb])):
        old_r, new_r = ra.get(key), rb.get(key)
        if old_r == new_r:
            continue
        delta = None
        money = isinstance(old_r, float) or isinstance(new_r, float)
        if isinstance(old_r, int | float) and isinstance(new_r, int | float):
            d = new_r - old_r
            delta = format_amount(d, cur, grouping=False) if money else str(d)

        def show(v: float | int | str | None, money: bool = money) -> str | None:
            if v is None:
                return None
            if money and isinstance(v, float):
                return format_amount(v, cur, grouping=False)
            return str(v)

        if delta is not None and money and delta.lstrip("-").strip("0.") == "":
            continue
        changes.append(
            Change(section="result", path=key, old=show(old_r), new=show(new_r), delta=delta)
        )
    return tuple(changes)
