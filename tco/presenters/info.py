"""What a rendered document says about the quote it belongs to (header fields)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from tco.core.text import CleanText
from tco.quoting.builder import CoverageTerm
from tco.quoting.desk import CompanyProfile


class QuoteInfo(BaseModel):
    """Header of a quote document or workbook. Every field is optional: a bare scenario
    renders without a quote number, customer or seller. Names are cleaned of bidi controls
    (:mod:`tco.core.text`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    title: CleanText | None = None
    number: str | None = None
    version: int | None = None
    customer: CleanText | None = None
    seller: CleanText | None = None
    issued: date | None = None
    valid_until: date | None = None
    terms: str | None = None
    #: The warranties and service-plan terms of the quote's offers (empty for a bare scenario).
    coverage: tuple[CoverageTerm, ...] = ()
    #: False where the quote leaves the buyer's procurement effort out (set to zero).
    buyer_effort_counted: bool = True
    #: The seller's company (name, address, contact, logo): the documents' letterhead.
    company: CompanyProfile | None = None
