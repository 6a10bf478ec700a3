"""What a rendered document says about the quote it belongs to (header fields)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict


class QuoteInfo(BaseModel):
    """Header of a quote document or workbook. Every field is optional: a bare scenario
    renders without a quote number, customer or seller."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str | None = None
    number: str | None = None
    version: int | None = None
    customer: str | None = None
    seller: str | None = None
    issued: date | None = None
    valid_until: date | None = None
    terms: str | None = None
