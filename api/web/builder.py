"""The builder's two operations over :mod:`tco.services`: preview (price the form in process,
save nothing) and save (a new quote, or a new version of one).

A revision is previewed the way it will be saved: the form's request merged into the latest
saved request, priced against that version's catalog snapshot (or the current catalog when
the salesperson asks for current prices).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.web.forms import COMP, OURS, FormErrors, map_problems, request_from_form
from tco import services
from tco.catalog import Catalog
from tco.errors import TcoError
from tco.quote import PricedQuote, apply_changes, price_quote
from tco.store.uow import UnitOfWork


@dataclass(frozen=True)
class Outcome:
    """A priced (preview) or saved quote, or the messages of the fields to fix."""

    errors: FormErrors
    priced: PricedQuote | None = None
    saved: services.QuoteView | None = None


def _roles(values: Mapping[str, str]) -> dict[str, str]:
    return {values.get("ours_id") or OURS: OURS, values.get("comp_id") or COMP: COMP}


def _ids(raw: Any) -> list[str]:
    offers = raw.get("offers", []) if isinstance(raw, Mapping) else []
    return [str(o.get("id")) if isinstance(o, Mapping) else "" for o in offers]


def _failed(exc: TcoError, raw: Any, values: Mapping[str, str]) -> Outcome:
    return Outcome(map_problems(exc.problems, _ids(raw), _roles(values)))


def _basis(
    uow: UnitOfWork, request: dict[str, Any], number: str | None, reprice: bool
) -> tuple[Any, Catalog]:
    if number is None:
        return request, services.current_catalog(uow)[1]
    previous = services.show_quote(uow, number).version
    raw = apply_changes(previous.request, request)
    catalog = services.current_catalog(uow)[1] if reprice else previous.snapshot
    return raw, catalog


def preview(
    uow: UnitOfWork, values: Mapping[str, str], *, number: str | None, reprice: bool
) -> Outcome:
    request, errors = request_from_form(values)
    if request is None:
        return Outcome(errors)
    raw, catalog = _basis(uow, request, number, reprice)
    try:
        return Outcome(FormErrors(), priced=price_quote(raw, catalog))
    except TcoError as exc:
        return _failed(exc, raw, values)


def save(
    uow: UnitOfWork, values: Mapping[str, str], *, by: str, number: str | None, reprice: bool
) -> Outcome:
    request, errors = request_from_form(values)
    if request is None:
        return Outcome(errors)
    try:
        if number is None:
            view = services.create_quote(uow, request, by=by)
        else:
            view = services.revise_quote(
                uow, number, request, by=by, reprice=reprice, note=values.get("note", "")[:500]
            )
    except TcoError as exc:
        raw = request if number is None else _basis(uow, request, number, reprice)[0]
        return _failed(exc, raw, values)
    return Outcome(FormErrors(), saved=view)
