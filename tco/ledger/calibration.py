"""The field-calibrated catalog: per product, the failure profile pooled over its installed units.

For every catalog product with a failure profile and installed units, the failures and operating
hours of all its units update the catalog's figure (:func:`tco.ledger.reliability.pooled`; the
prior is the maker's figure, ``failures.field.prior_mtbf_hours`` where the catalog is already
calibrated, so field data is never counted twice). Operating hours are the units' highest
hour-meter readings, or the quote's hours per year x years since commissioning for a unit
without one. :func:`calibrated_catalog` writes the updated MTBF (or characteristic life) into
the products with a :class:`~tco.quoting.catalog.FieldBasis`, so a quote priced against it says
"based on N installations and H operating hours".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tco.ledger.reliability import DEFAULT_PRIOR_FAILURES, Reliability, UnitRecord, pooled
from tco.ledger.tracking import AssetStatus
from tco.quoting.catalog import Catalog, FieldBasis, Product

#: Decimal places of a calibrated MTBF (hours).
MTBF_PLACES = 1


@dataclass(frozen=True, slots=True)
class ProductReliability:
    """One product's field reliability, pooled over its ``installations``."""

    sku: str
    name: str
    installations: int
    reliability: Reliability


def _prior(product: Product) -> tuple[float, float] | None:
    fp = product.failures
    if fp is None:
        return None
    return (fp.field.prior_mtbf_hours if fp.field is not None else fp.mtbf_hours), fp.shape


def product_reliability(
    catalog: Catalog,
    statuses: Sequence[AssetStatus],
    *,
    prior_failures: float = DEFAULT_PRIOR_FAILURES,
) -> list[ProductReliability]:
    """The pooled field reliability of every catalog product that has installed units."""
    by_sku: dict[str, list[AssetStatus]] = {}
    for s in statuses:
        if s.asset.sku is not None:
            by_sku.setdefault(s.asset.sku, []).append(s)
    out = []
    for product in catalog.products:
        prior = _prior(product)
        units = by_sku.get(product.sku)
        if prior is None or not units:
            continue
        records = [UnitRecord(s.failures, s.operating_hours) for s in units]
        rel = pooled(prior[0], records, shape=prior[1], prior_failures=prior_failures)
        out.append(ProductReliability(product.sku, product.name, len(units), rel))
    return out


def calibrated_catalog(
    catalog: Catalog, products: Sequence[ProductReliability], as_of: date
) -> Catalog:
    """``catalog`` with the failure profiles of ``products`` replaced by their field figures."""
    found = {p.sku: p for p in products}
    updated = []
    for product in catalog.products:
        p = found.get(product.sku)
        fp = product.failures
        if p is None or fp is None:
            updated.append(product)
            continue
        rel = p.reliability
        basis = FieldBasis(
            installations=p.installations,
            operating_hours=round(rel.operating_hours, 2),
            failures=rel.failures,
            prior_mtbf_hours=rel.prior_mtbf_hours,
            prior_failures=rel.prior_failures,
            as_of=as_of,
        )
        mtbf = round(rel.mtbf_hours, MTBF_PLACES)
        failures = fp.model_copy(update={"mtbf_hours": mtbf, "field": basis})
        updated.append(product.model_copy(update={"failures": failures}))
    return catalog.model_copy(update={"products": tuple(updated)})
