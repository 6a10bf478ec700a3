"""What a customer review shows (:mod:`tco.presenters.review` formats it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tco.ledger.followup import CustomerFollowUp
from tco.ledger.promise import Promise
from tco.ledger.tracking import CustomerStatus


@dataclass(frozen=True)
class ReviewData:
    """The customer's status on ``as_of``, each asset's promise (by asset id) and the
    follow-up items of the customer."""

    customer: CustomerStatus
    promises: dict[int, Promise]
    followup: tuple[CustomerFollowUp, ...]
    as_of: date
