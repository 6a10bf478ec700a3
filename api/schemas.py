"""Response and request bodies of the quote, catalog and key endpoints (money as strings)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tco.core.text import Label, Note
from tco.quoting.catalog import CatalogChanges, CatalogVersion, Product, ServicePlan
from tco.quoting.pipeline import PipelineTotal
from tco.quoting.versions import Change, QuoteStatus, QuoteSummary, QuoteVersion
from tco.store.apikeys import Role


class _In(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class QuoteDocument(BaseModel):
    """A quote's header (status as of today) and one saved version."""

    quote: QuoteSummary
    version: QuoteVersion


class PipelineTotals(BaseModel):
    """The quotes of one currency in a list (all pages): how many, their value (one-time totals,
    exact) and lifetime saving (present value, unrounded), and the same for the open ones (draft
    or sent)."""

    currency: str
    count: int
    value: Decimal
    saving: float
    open_count: int
    open_value: Decimal
    open_saving: float


def totals_of(totals: Iterable[PipelineTotal]) -> list[PipelineTotals]:
    return [
        PipelineTotals(
            currency=t.currency,
            count=t.count,
            value=t.value,
            saving=t.saving,
            open_count=t.open_count,
            open_value=t.open_value,
            open_saving=t.open_saving,
        )
        for t in totals
    ]


class QuotePage(BaseModel):
    """One page of the tenant's quotes, newest number last, and the totals of all pages."""

    items: list[QuoteSummary]
    total: int
    limit: int
    offset: int
    totals: list[PipelineTotals] = Field(
        default_factory=list, description="per currency, over every page of the list"
    )


class Revision(_In):
    """A new version: ``changes`` merged into the latest request (offers merge by id)."""

    changes: dict[str, Any] = Field(
        examples=[
            {"offers": [{"id": "ours", "equipment": [{"sku": "CMP-VSD-37", "discount": 0.1}]}]}
        ]
    )
    reprice: bool = Field(
        default=False, description="price with the latest catalog instead of the saved snapshot"
    )
    note: Note = Field(default="", description="up to 2,000 characters, cleaned")


class StatusChange(_In):
    status: QuoteStatus
    offer: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="with `accepted`: the id of the offer the buyer chose (default: the "
        "recommended one); one installed asset is made per unit of its equipment",
    )


class QuoteDiff(BaseModel):
    number: str
    from_version: int
    to_version: int
    changes: list[Change]


class CatalogInfo(BaseModel):
    """The tenant's latest catalog version and its content."""

    version: CatalogVersion
    catalog: dict[str, Any]


class ProductList(BaseModel):
    catalog_version: int
    items: list[Product]


class ServicePlanList(BaseModel):
    catalog_version: int
    items: list[ServicePlan]


class CatalogImport(BaseModel):
    created: bool = Field(description="false when the catalog equals the latest version")
    version: CatalogVersion


class CatalogImportReport(CatalogImport):
    """The catalog version after an import and what the import added, changed and removed."""

    previous_version: int | None = Field(
        description="the version the import was merged into or replaced; null for the first"
    )
    changes: CatalogChanges = Field(
        description=(
            "per kind (products by sku, service_plans by code, price_books by id): added, "
            "changed (content differs) and removed (only with replace) keys and the count of "
            "unchanged items; defaults: the default-assumption fields whose value changed"
        )
    )


class KeyRequest(_In):
    role: Role
    #: Cleaned as every text from users is (control and bidi characters removed): a NUL byte
    #: cannot be stored in PostgreSQL's text.
    label: Label = ""


class KeyInfo(BaseModel):
    id: int
    prefix: str = Field(description="shown in lists; enough to revoke the key")
    tenant: str
    role: Role
    label: str
    created_at: datetime
    revoked_at: datetime | None


class NewKey(KeyInfo):
    key: str = Field(description="the key itself: shown once, stored only as a hash")


class KeyList(BaseModel):
    items: list[KeyInfo]
