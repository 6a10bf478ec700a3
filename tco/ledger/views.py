"""Plain JSON data of the ledger's objects, for the API and ``--json`` (machines).

Amounts are unrounded numbers in the quote's currency (float64 projections, money of the day
for actual amounts), dates ISO strings; recorded event amounts are strings (exact decimals).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from tco.ledger.calibration import ProductReliability
from tco.ledger.events import VALUE_FIELDS, Event, canonical
from tco.ledger.followup import CustomerFollowUp
from tco.ledger.promise import Promise
from tco.ledger.reliability import Reliability
from tco.ledger.tracking import AssetRecord, AssetStatus, CustomerStatus


def record_json(a: AssetRecord, currency: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": a.id,
        "customer": a.customer,
        "quote_number": a.quote_number,
        "quote_version": a.quote_version,
        "offer_id": a.offer_id,
        "unit": a.unit,
        "units": a.units,
        "sku": a.sku,
        "product_name": a.product_name,
        "serial_number": a.serial_number,
        "commissioned_on": a.commissioned_on.isoformat(),
        "accepted_on": a.accepted_on.isoformat(),
        "mtbf_hours": a.mtbf_hours,
        "shape": a.shape,
    }
    if currency is not None:
        out["currency"] = currency
    return out


def reliability_json(r: Reliability | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "prior_mtbf_hours": r.prior_mtbf_hours,
        "shape": r.shape,
        "prior_failures": r.prior_failures,
        "failures": r.failures,
        "operating_hours": r.operating_hours,
        "expected_failures": r.expected_failures,
        "factor": r.factor,
        "mtbf_hours": r.mtbf_hours,
        "credible": r.credible,
        "mtbf_interval_hours": [r.mtbf_low_hours, r.mtbf_high_hours],
    }


def status_json(s: AssetStatus) -> dict[str, Any]:
    """An asset's promised vs actual on ``as_of``."""
    return {
        "as_of": s.as_of.isoformat(),
        "years_elapsed": s.years_elapsed,
        "categories": {
            c.category.value: {"promised": c.promised, "actual": c.actual, "measured": c.measured}
            for c in s.categories
        },
        "promised_measured": s.promised_measured,
        "actual_measured": s.actual_measured,
        "promised_to_date": s.promised_to_date,
        "actual_to_date": s.actual_to_date,
        "failures": s.failures,
        "expected_failures": s.expected_failures,
        "downtime_hours": s.downtime_hours,
        "promised_downtime_hours": s.promised_downtime_hours,
        "operating_hours": s.operating_hours,
        "hours_from_readings": s.hours_from_readings,
        "seller_paid": s.seller_paid,
        "reliability": reliability_json(s.reliability),
        "promised_lifetime_cost": s.promised_lifetime_cost,
        "reforecast_lifetime_cost": s.reforecast_lifetime_cost,
        "alternative_lifetime_cost": s.alternative_lifetime_cost,
        "turns_against": s.turns_against,
        "last_activity": s.last_activity.isoformat(),
        "last_contact": s.last_contact.isoformat() if s.last_contact else None,
    }


def asset_json(s: AssetStatus, promise: Promise) -> dict[str, Any]:
    """An asset, its status and its promise (per unit, years 0..N)."""
    return {
        **record_json(s.asset, promise.currency),
        "status": status_json(s),
        "promise": promise.model_dump(mode="json"),
    }


def event_json(
    e: Event, recorded_at: datetime | None = None, by: str | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "event_id": e.event_id,
        "asset_id": e.asset_id,
        "date": e.occurred_on.isoformat(),
        "kind": e.kind.value,
    }
    for name in VALUE_FIELDS:
        value = getattr(e, name)
        if value is not None:
            out[name] = canonical(value)
    if e.note:
        out["note"] = e.note
    if recorded_at is not None:
        out["recorded_at"] = recorded_at.isoformat()
        out["recorded_by"] = by
    return out


def customer_json(c: CustomerStatus) -> dict[str, Any]:
    return {
        "customer": c.customer,
        "currency": c.currency,
        "assets": [a.asset.id for a in c.assets],
        "promised_measured": c.promised_measured,
        "actual_measured": c.actual_measured,
        "failures": c.failures,
        "expected_failures": c.expected_failures,
        "downtime_hours": c.downtime_hours,
        "promised_downtime_hours": c.promised_downtime_hours,
        "promised_lifetime_cost": c.promised_lifetime_cost,
        "reforecast_lifetime_cost": c.reforecast_lifetime_cost,
        "last_activity": c.last_activity.isoformat(),
    }


def followup_json(groups: Sequence[CustomerFollowUp], as_of: date) -> dict[str, Any]:
    return {
        "as_of": as_of.isoformat(),
        "customers": [
            {
                "customer": g.customer,
                "items": [
                    {
                        "reason": f.reason.value,
                        "assets": list(f.asset_ids),
                        "quote_number": f.quote_number,
                        "currency": f.currency or None,
                        "day": f.day.isoformat() if f.day else None,
                        "days": f.days,
                        "actual": f.actual,
                        "reference": f.reference,
                        "plan": f.plan or None,
                        "renewal_stated": f.renewal_stated,
                    }
                    for f in g.items
                ],
            }
            for g in groups
        ],
    }


def product_json(p: ProductReliability) -> dict[str, Any]:
    return {
        "sku": p.sku,
        "name": p.name,
        "installations": p.installations,
        "reliability": reliability_json(p.reliability),
    }
