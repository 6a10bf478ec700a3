"""The salesperson's desk beyond single quotes: quote templates, copies of quotes, the seller's
company profile and the record of quotes sent by e-mail.

A **template** is a named quote request without its customer, dates and number: starting a
quote from it gives the request a customer and today's date (:func:`request_from_template`). A
**copy** of a quote is version 1 of a new number made from the latest request of another quote
(:func:`copied_request`), priced with the current catalog. The **seller's profile** (name,
address, contact, logo) is printed on the tenant's quote documents.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import Field

from tco.core.errors import Problem
from tco.core.text import CleanNote, CleanText, Label, Name, Note
from tco.quoting.customers import Email, Phone
from tco.quoting.requests import FrozenModel, QuoteRequestError

#: Request fields a template does not keep: they belong to one quote.
NOT_IN_TEMPLATE = ("customer", "as_of", "valid_until", "title")


class QuoteTemplate(FrozenModel):
    """A named starting point for quotes: a request without customer and dates."""

    id: int
    name: CleanText
    description: CleanNote = ""
    request: dict[str, Any]
    source_number: str | None = None
    source_version: int | None = None
    created_at: datetime
    created_by: str


class TemplateFields(FrozenModel):
    name: Name
    description: Note = ""


def template_request(request: Mapping[str, Any]) -> dict[str, Any]:
    """What a template keeps of a saved request: all but its customer, dates and title."""
    return {k: v for k, v in request.items() if k not in NOT_IN_TEMPLATE}


def request_from_template(
    template: Mapping[str, Any], overrides: Mapping[str, Any], *, today: date
) -> dict[str, Any]:
    """A quote request from a template: ``overrides`` (customer, title, seller, ...) on top,
    ``as_of`` today unless given. A request without a customer is refused, naming it."""
    raw = {**template, "as_of": today.isoformat(), **overrides}
    if "customer" not in raw:
        raise QuoteRequestError(
            [Problem("customer", "required: say who the quote is for (a name or a customer id)")]
        )
    return raw


def copied_request(
    request: Mapping[str, Any], overrides: Mapping[str, Any], *, today: date
) -> dict[str, Any]:
    """The request of a copy: the source's latest request dated today (its validity counted
    again from today: a fixed ``valid_until`` is dropped), ``overrides`` on top."""
    raw = {k: v for k, v in request.items() if k != "valid_until"}
    raw["as_of"] = today.isoformat()
    raw.update(overrides)
    return raw


#: The logo's largest size, and the image types a document may show.
LOGO_BYTES = 256 * 1024
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def logo_type(data: bytes) -> str:
    """``image/png`` or ``image/jpeg`` from the file's first bytes; a :class:`QuoteRequestError`
    at path ``logo`` for anything else or a file too large."""
    if len(data) > LOGO_BYTES:
        raise QuoteRequestError(
            [Problem("logo", f"is {len(data)} bytes; at most {LOGO_BYTES} are allowed")]
        )
    for magic, media in LOGO_TYPES.items():
        if data.startswith(magic):
            return media
    raise QuoteRequestError([Problem("logo", "must be a PNG or JPEG image")])


class CompanyFields(FrozenModel):
    """The seller's company as its quote documents show it."""

    name: Name
    address: Note = Field(
        default="", description="postal address; one line per line of the letterhead"
    )
    phone: Phone = ""
    email: Email = ""
    website: Label = ""


class CompanyProfile(FrozenModel):
    """A tenant's saved company profile; ``logo`` holds the image's bytes (PNG or JPEG)."""

    name: CleanText
    address: CleanNote = ""
    phone: str = ""
    email: str = ""
    website: CleanText = ""
    logo: bytes | None = None
    logo_type: str | None = None
    updated_at: datetime
    updated_by: str

    @property
    def logo_data_uri(self) -> str | None:
        """The logo as a ``data:`` URI (documents are self-contained)."""
        if self.logo is None or self.logo_type is None:
            return None
        return f"data:{self.logo_type};base64,{base64.b64encode(self.logo).decode()}"


class Sending(FrozenModel):
    """A quote version sent by e-mail: to whom, when, by whom, and the message's id."""

    number: str
    version: int
    recipient: str
    subject: CleanText
    message_id: str
    sent_at: datetime
    sent_by: str
