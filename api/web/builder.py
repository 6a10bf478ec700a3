"""The builder's two operations over :mod:`tco.services`: preview (price the form in process,
save nothing) and save (a new quote, or a new version of one).

A revision is previewed the way it will be saved: the form's request merged into the latest
saved request, priced against that version's catalog snapshot (or the current catalog when
the salesperson asks for current prices). When the form chooses something the snapshot does
not have (another service plan or product), the preview prices it with the current catalog and
says so, and saving asks for *Price with the current catalog* (pre-ticked) instead of failing.

Saving is once per form: the form's one-time token is an idempotency key
(:func:`tco.store.idempotency.run_once`, as the API's ``Idempotency-Key``), so a second submit
of the same form (a double click, Back and Save again) returns the quote the first one saved.
A revision names the version it was made on; when the quote has moved on meanwhile, nothing is
saved and the outcome carries the conflict. Plausibility warnings (:mod:`api.web.checks`) must
be confirmed before a save.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api.database import Database
from api.web.checks import CONFIRM_FIELD, Check, Limits, digest, plausibility
from api.web.forms import COMP, OURS, FormErrors, map_problems, request_from_form
from api.web.i18n import translator
from tco import services
from tco.core.errors import ConflictError, NotFoundError, TcoError
from tco.presenters.i18n import quote_words
from tco.quoting.builder import PricedQuote, price_quote
from tco.quoting.catalog import Catalog
from tco.quoting.versions import apply_changes
from tco.store.idempotency import (
    IdempotencyKeyReusedError,
    StoredResponse,
    check_key,
    run_once,
    stored_response,
)
from tco.store.uow import UnitOfWork

TOKEN_FIELD = "form_token"
#: Form fields that are not part of what the form says (left out of its fingerprint).
_NOT_CONTENT = ("csrf_token", TOKEN_FIELD, CONFIRM_FIELD)


@dataclass(frozen=True)
class Saved:
    """The quote version a form saved; ``replayed`` when an earlier submit of the same form
    saved it, ``same_values`` whether that submit sent the same values."""

    number: str
    version: int
    replayed: bool = False
    same_values: bool = True


@dataclass(frozen=True)
class Conflict:
    """A revision made on ``base`` while the quote is at ``current`` by now."""

    base: int
    current: int


@dataclass(frozen=True)
class Outcome:
    """A priced (preview) or saved quote, or the messages of the fields to fix; the warnings
    to confirm, notes on how the form is priced, a revision's conflict."""

    errors: FormErrors
    priced: PricedQuote | None = None
    saved: Saved | None = None
    checks: tuple[Check, ...] = ()
    notes: tuple[str, ...] = ()
    reprice_needed: bool = False
    confirm_needed: bool = False
    conflict: Conflict | None = None
    catalog: Catalog | None = field(default=None, repr=False)

    @property
    def digest(self) -> str:
        return digest(self.checks)


def _roles(values: Mapping[str, str]) -> dict[str, str]:
    return {values.get("ours_id") or OURS: OURS, values.get("comp_id") or COMP: COMP}


def _ids(raw: Any) -> list[str]:
    offers = raw.get("offers", []) if isinstance(raw, Mapping) else []
    return [str(o.get("id")) if isinstance(o, Mapping) else "" for o in offers]


def _failed(exc: TcoError, raw: Any, values: Mapping[str, str]) -> FormErrors:
    return map_problems(exc.problems, _ids(raw), _roles(values))


@dataclass(frozen=True)
class _Basis:
    """What a form is priced as: the request (merged into the saved one when revising), the
    catalog, and whether the current catalog is used because the snapshot lacks something."""

    raw: Any
    catalog: Catalog
    reprice_needed: bool = False
    note: str = ""


def _basis(
    uow: UnitOfWork, request: dict[str, Any], number: str | None, reprice: bool, language: str
) -> _Basis:
    """For a revision: the saved version's snapshot, or the current catalog with ``reprice``
    or where the snapshot lacks what the form chose (``reprice_needed``, with a note saying
    so, whether or not ``reprice`` is ticked)."""
    if number is None:
        return _Basis(request, services.current_catalog(uow)[1])
    previous = services.show_quote(uow, number).version
    raw = apply_changes(previous.request, request)
    current_version, current = services.current_catalog(uow)
    try:
        price_quote(raw, previous.snapshot, quote_words)
    except NotFoundError as exc:
        try:
            price_quote(raw, current, quote_words)
        except NotFoundError:  # the current catalog lacks it too: the snapshot's problems show
            return _Basis(raw, current if reprice else previous.snapshot)
        except TcoError:  # other problems are the form's, shown as the current catalog finds them
            pass
        t = translator(language)
        what = ", ".join(_missing(request, previous.snapshot, current)) or "; ".join(
            p.message for p in exc.problems
        )
        note = t(
            "{what} is not among the prices saved with version {version} (a version keeps only "
            "what it uses). This version is priced with the current catalog (version "
            "{current}), and so are its other items: “Price with the current catalog” is ticked."
        ).format(what=what, version=previous.version, current=current_version.version)
        return _Basis(raw, current, reprice_needed=True, note=note)
    except TcoError:
        pass
    return _Basis(raw, current if reprice else previous.snapshot)


def _missing(request: Mapping[str, Any], snapshot: Catalog, current: Catalog) -> list[str]:
    """Our product and plan as named in the current catalog, where the snapshot lacks them."""
    ours = request["offers"][0]
    sku = str(ours["equipment"][0].get("sku") or "")
    code = ours.get("service_plan")
    out = []
    product = current.product(sku)
    if product is not None and snapshot.product(sku) is None:
        out.append(f"“{product.name}” ({sku})")
    plan = current.plan(str(code)) if code else None
    if plan is not None and snapshot.plan(plan.code) is None:
        out.append(f"“{plan.name}” ({plan.code})")
    return out


def preview(
    uow: UnitOfWork,
    values: Mapping[str, str],
    *,
    number: str | None,
    reprice: bool,
    language: str,
    limits: Limits,
) -> Outcome:
    request, errors = request_from_form(values, language)
    if request is None:
        return Outcome(errors)
    basis = _basis(uow, request, number, reprice, language)
    checks = plausibility(request, values, basis.catalog, language=language, limits=limits)
    notes: tuple[str, ...] = (basis.note,) if basis.note else ()
    base = _version_of(values)
    if number is not None and base is not None:
        latest = services.show_quote(uow, number).version
        if latest.version != base:
            notes += (
                translator(language)(
                    "Version {current} of this quote was saved meanwhile by {who}; this form "
                    "was made on version {base}. Saving it shows what changed, and saves nothing."
                ).format(current=latest.version, who=latest.created_by, base=base),
            )
    try:
        priced = price_quote(basis.raw, basis.catalog, quote_words)
    except TcoError as exc:
        return Outcome(_failed(exc, basis.raw, values), checks=checks, notes=notes)
    return Outcome(
        FormErrors(),
        priced=priced,
        checks=checks,
        notes=notes,
        reprice_needed=basis.reprice_needed,
        catalog=basis.catalog,
    )


def fingerprint(values: Mapping[str, str]) -> str:
    """What a submitted form says, as a hash (its tokens left out)."""
    content = {k: v for k, v in values.items() if k not in _NOT_CONTENT}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _version_of(values: Mapping[str, str]) -> int | None:
    text = values.get("base_version", "").strip()
    return int(text) if text.isdigit() else None


def save(
    database: Database,
    tenant: str,
    values: Mapping[str, str],
    *,
    by: str,
    number: str | None,
    reprice: bool,
    language: str,
    limits: Limits,
) -> Outcome:
    """Save the form once (see the module's docstring); nothing is saved when the outcome has
    errors, warnings not yet confirmed or a conflict."""
    uow = database.uow(tenant)
    once = _FormOnce.of(values, number)
    if once.token:  # this form was saved before: its quote, whatever else has happened since
        stored = stored_response(
            database.engine, tenant=tenant, key=once.key, operation=once.operation
        )
        if stored is not None:
            return _replayed(stored, values)
    if number is not None:  # made on an older version: nothing else matters (checked again below)
        base, latest = _version_of(values), services.show_quote(uow, number).summary
        if base is not None and base != latest.current_version:
            return Outcome(FormErrors(), conflict=Conflict(base, latest.current_version))
    request, errors = request_from_form(values, language)
    if request is None:
        return Outcome(errors)
    basis = _basis(uow, request, number, reprice, language)
    checks = plausibility(request, values, basis.catalog, language=language, limits=limits)
    notes = (basis.note,) if basis.note else ()
    if basis.reprice_needed and not reprice:
        return Outcome(FormErrors(), checks=checks, notes=notes, reprice_needed=True)
    if checks and values.get(CONFIRM_FIELD, "") != digest(checks):
        return Outcome(FormErrors(), checks=checks, confirm_needed=True)
    work = _saver(uow, tenant, request, values, by=by, number=number, reprice=reprice)
    try:
        stored, replayed = once.run(database, tenant, work)
    except IdempotencyKeyReusedError:
        problems = FormErrors()
        problems.add(None, translator(language)("This form was used for another quote; reload it."))
        return Outcome(problems)
    except ConflictError as exc:
        if number is not None and any(p.path == "version" for p in exc.problems):
            now = services.show_quote(uow, number).summary.current_version
            return Outcome(FormErrors(), conflict=Conflict(_version_of(values) or 0, now))
        return Outcome(_failed(exc, basis.raw, values), checks=checks)
    except TcoError as exc:
        return Outcome(_failed(exc, basis.raw, values), checks=checks)
    if replayed:
        return _replayed(stored, values)
    body = stored.body
    return Outcome(
        FormErrors(),
        saved=Saved(number=str(body["number"]), version=int(body["version"])),
        checks=checks,
    )


@dataclass(frozen=True)
class _FormOnce:
    """A form's token and what saving it once means: its idempotency key and operation."""

    token: str
    key: str
    operation: str

    @classmethod
    def of(cls, values: Mapping[str, str], number: str | None) -> _FormOnce:
        token = values.get(TOKEN_FIELD, "")
        try:
            check_key(token)
        except TcoError:
            token = ""  # a form without a token (an old page) is saved as it is
        operation = "web: new quote" if number is None else f"web: revise {number}"
        return cls(token, f"web-form:{token}", operation)

    def run(
        self,
        database: Database,
        tenant: str,
        work: Callable[[sessionmaker[Session] | None], StoredResponse],
    ) -> tuple[StoredResponse, bool]:
        """The saved response and whether it is a replay of an earlier save of this form."""
        if not self.token:
            return work(None), False
        return run_once(
            database.engine,
            tenant=tenant,
            key=self.key,
            operation=self.operation,
            payload={"form_token": self.token},
            work=work,
        )


def _saver(
    uow: UnitOfWork,
    tenant: str,
    request: dict[str, Any],
    values: Mapping[str, str],
    *,
    by: str,
    number: str | None,
    reprice: bool,
) -> Callable[[sessionmaker[Session] | None], StoredResponse]:
    """The work of saving: a new quote, or a revision made on the version the form shows."""

    def work(sessions: sessionmaker[Session] | None) -> StoredResponse:
        unit = uow if sessions is None else UnitOfWork(tenant, sessions=sessions)
        if number is None:
            view = services.create_quote(unit, request, by=by)
        else:
            view = services.revise_quote(
                unit,
                number,
                request,
                by=by,
                reprice=reprice,
                note=values.get("note", "")[:500],
                expected_version=_version_of(values),
            )
        saved = view.summary.number
        body = {"number": saved, "version": view.version.version, "form": fingerprint(values)}
        return StoredResponse(303, body, f"/quotes/{saved}")

    return work


def _replayed(stored: StoredResponse, values: Mapping[str, str]) -> Outcome:
    body = stored.body
    return Outcome(
        FormErrors(),
        saved=Saved(
            number=str(body["number"]),
            version=int(body["version"]),
            replayed=True,
            same_values=body.get("form") == fingerprint(values),
        ),
    )
