"""Discount approval: how much discount each role may give, and what a quote needs before it is
sent.

Every role has a discount limit (a fraction of the unit price: 0.15 is 15 %), set by the
front doors from their settings (``TCO_DISCOUNT_LIMIT_PERCENT`` for salespeople,
``TCO_DISCOUNT_LIMIT_MANAGER_PERCENT``, ``TCO_DISCOUNT_LIMIT_ADMIN_PERCENT``). A quote whose
largest discount is above the salesperson's limit needs an approval of its current version
before it can become ``sent``; the approver's own limit must cover the discount. An approval
belongs to one version: a revision needs a new one when its discount is still above the limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from tco.core.errors import ConflictError, Problem
from tco.core.text import CleanNote, CleanText
from tco.quoting.requests import FrozenModel


class ApproverRole(StrEnum):
    """The roles discount limits are set for (web users and API keys share the names)."""

    sales = "sales"
    manager = "manager"
    admin = "admin"


@dataclass(frozen=True, slots=True)
class DiscountLimits:
    """The largest discount each role may give or approve, as fractions."""

    sales: Decimal = Decimal("0.15")
    manager: Decimal = Decimal("0.30")
    admin: Decimal = Decimal(1)

    def of(self, role: str) -> Decimal:
        """The limit of ``role`` (any other role, a configurator say, has the salesperson's)."""
        if role == ApproverRole.admin:
            return self.admin
        if role == ApproverRole.manager:
            return self.manager
        return self.sales


def largest_discount(request: Mapping[str, Any]) -> Decimal:
    """The largest discount of any equipment line of our offers in a saved request (a fraction;
    0 when there is none). Lines entered by hand (a competitor's machine) carry no discount of
    ours and are left out."""
    found = Decimal(0)
    for offer in request.get("offers", []) or []:
        if not isinstance(offer, Mapping):
            continue
        for line in offer.get("equipment", []) or []:
            if not isinstance(line, Mapping) or line.get("sku") is None:
                continue
            try:
                value = Decimal(str(line.get("discount", 0) or 0))
            except InvalidOperation:
                continue
            found = max(found, value)
    return found


class Approval(FrozenModel):
    """A manager's approval of one version's discount: who, in which role, when and why."""

    number: str
    version: int
    discount: Decimal
    approved_by: CleanText
    role: str
    reason: CleanNote
    at: datetime


@dataclass(frozen=True, slots=True)
class ApprovalState:
    """What a version's discount needs: the largest discount, the salesperson's limit, and the
    approval of this version (None when it has none)."""

    discount: Decimal
    limit: Decimal
    approval: Approval | None

    @property
    def needed(self) -> bool:
        return self.discount > self.limit

    @property
    def missing(self) -> bool:
        """Above the limit and not approved: the quote cannot be sent."""
        return self.needed and (self.approval is None or self.approval.discount < self.discount)


def check_can_send(number: str, version: int, state: ApprovalState) -> None:
    """:class:`ConflictError` at path ``approval`` when the version needs an approval it lacks."""
    if state.missing:
        raise ConflictError(
            [
                Problem(
                    "approval",
                    f"quote {number} version {version} gives a discount of "
                    f"{_percent(state.discount)}, above the salesperson's limit of "
                    f"{_percent(state.limit)}: a manager must approve it before it is sent",
                )
            ]
        )


def check_approver(number: str, role: str, limits: DiscountLimits, state: ApprovalState) -> None:
    """:class:`ConflictError` unless ``role`` may approve the version's discount."""
    problems = []
    if not state.needed:
        problems.append(
            Problem(
                "approval",
                f"quote {number} gives a discount of {_percent(state.discount)}, within the "
                f"salesperson's limit of {_percent(state.limit)}: it needs no approval",
            )
        )
    elif state.approval is not None and not state.missing:
        problems.append(
            Problem(
                "approval",
                f"quote {number} version {state.approval.version} is approved already "
                f"(by {state.approval.approved_by})",
            )
        )
    elif limits.of(role) < state.discount:
        problems.append(
            Problem(
                "role",
                f"a discount of {_percent(state.discount)} is above the limit of the role "
                f"{role} ({_percent(limits.of(role))}); someone whose limit covers it must "
                "approve it",
            )
        )
    if problems:
        raise ConflictError(problems)


def _percent(fraction: Decimal) -> str:
    text = format((fraction * 100).normalize(), "f")
    return f"{text} %"
