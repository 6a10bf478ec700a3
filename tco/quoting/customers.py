"""Customer records: the company a quote is for, its sites, its contacts and its price segment.

A record belongs to one tenant and is named uniquely in it. A quote request may point to one by
``customer.id``; the record then supplies the customer's name and segment
(:func:`with_customer`). A request that names the customer without an id stays valid and points
to no record, as before records existed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationError

from tco.core.errors import NotFoundError, Problem, format_path
from tco.core.text import CleanNote, CleanText, Label, Name, Note
from tco.quoting.catalog import STANDARD_SEGMENT, Code, problem_message
from tco.quoting.requests import FrozenModel, QuoteRequestError

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def _email(value: str) -> str:
    if value and not _EMAIL.match(value):
        raise ValueError(f"'{value}' is not an e-mail address")
    return value.lower()


#: An e-mail address (empty where not known), stored in lower case.
Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]
Phone = Annotated[str, Field(max_length=50, pattern=r"^[0-9+()/.\s-]*$")]


class Site(FrozenModel):
    """A place of the customer where machines are installed or delivered."""

    name: Name
    address: Note = ""
    country: Annotated[str, Field(pattern=r"^([A-Z]{2})?$")] = ""


class Contact(FrozenModel):
    """A person at the customer: the quote can be sent to them."""

    name: Name
    email: Email = ""
    phone: Phone = ""
    position: Label = ""
    site: Label = Field(default="", description="the name of one of the customer's sites")


class CustomerFields(FrozenModel):
    """What a salesperson gives for a customer record (new, or replacing an existing one)."""

    name: Name
    segment: Code = STANDARD_SEGMENT
    reference: Label = Field(default="", description="the customer's number in your own systems")
    sites: Annotated[tuple[Site, ...], Field(max_length=100)] = ()
    contacts: Annotated[tuple[Contact, ...], Field(max_length=200)] = ()
    notes: Note = ""


class CustomerRecord(FrozenModel):
    """A saved customer record of one tenant."""

    id: int
    name: CleanText
    segment: str
    reference: CleanText = ""
    sites: tuple[Site, ...] = ()
    contacts: tuple[Contact, ...] = ()
    notes: CleanNote = ""
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


def parse_customer(raw: Any) -> CustomerFields:
    """Validate a customer record as given (plain data); problems named by path. A contact's
    site must be one of the record's sites."""
    if not isinstance(raw, Mapping):
        raise QuoteRequestError([Problem("", "a customer must be a mapping with a name")])
    try:
        customer = CustomerFields.model_validate(raw)
    except ValidationError as exc:
        raise QuoteRequestError(
            [Problem(format_path(e["loc"]), problem_message(e)) for e in exc.errors()]
        ) from None
    sites = {s.name for s in customer.sites}
    problems = [
        Problem(f"contacts[{i}].site", f"'{c.site}' is not one of the customer's sites")
        for i, c in enumerate(customer.contacts)
        if c.site and c.site not in sites
    ]
    names = [s.name for s in customer.sites]
    problems += [
        Problem(f"sites[{i}].name", f"'{n}' is named twice")
        for i, n in enumerate(names)
        if n in names[:i]
    ]
    if problems:
        raise QuoteRequestError(problems)
    return customer


def customer_id_of(raw_request: Any) -> int | None:
    """The customer record a raw request points to (``customer.id``), if any and well formed."""
    customer = raw_request.get("customer") if isinstance(raw_request, Mapping) else None
    value = customer.get("id") if isinstance(customer, Mapping) else None
    if isinstance(value, float) and value.is_integer():  # JSON may write 12 as 12.0
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < 2**31:
        return None  # not an id: the request's validation names it
    return value


def with_customer(raw_request: Any, record: CustomerRecord | None) -> Any:
    """The raw request with the customer's name and segment taken from ``record`` (the record
    ``customer.id`` names; None when it names none the tenant has).

    Given alongside the id, a name or segment must be the record's (a request cannot say one
    customer and point to another); the name is compared without regard to case and spaces at
    the ends."""
    number = customer_id_of(raw_request)
    if number is None:
        return raw_request
    if record is None:
        raise NotFoundError([Problem("customer.id", f"no customer {number}")])
    given = dict(raw_request["customer"])
    problems = []
    name = given.get("name")
    if isinstance(name, str) and name.strip() and name.strip().lower() != record.name.lower():
        problems.append(
            Problem(
                "customer.name",
                f"'{name.strip()}' is not the name of customer {number} ('{record.name}'); "
                "give the id alone, or another customer's id",
            )
        )
    segment = given.get("segment")
    if isinstance(segment, str) and segment and segment != record.segment:
        problems.append(
            Problem(
                "customer.segment",
                f"'{segment}' is not the segment of customer {number} ('{record.segment}')",
            )
        )
    if problems:
        raise QuoteRequestError(problems)
    given.update(name=record.name, segment=record.segment)
    if record.reference and not given.get("reference"):
        given["reference"] = record.reference
    return {**raw_request, "customer": given}
