"""Ranges on a quote's figures: what the salesperson and the catalog say could be otherwise.

A quote's figures rest on the seller's claims (a product's time between failures, its energy
use) and on futures nobody knows (the electricity price, the discount rate, the cost of an hour
of downtime). A range says how far such a figure may lie from the quote's value, as factors of
it: ``low`` and ``high`` (``low <= 1 <= high``) with today's value the most likely
(triangular or beta-PERT with mode 1) or all values equally likely (uniform). ``spread: 0.2``
is short for 0.8 to 1.2; ``spread: 0`` takes the figure as certain.

- A catalog product may carry default ranges (``ranges: {mtbf: ..., energy: ...}``): every
  quote with that product starts with them. One range acts on the product wherever it appears
  (the same machine in two offers fails as often in both: one unknown, drawn once).
- A request's ``uncertainty`` sets the number of draws, the seed and ranges of its own
  (:data:`INPUTS`), which replace a catalog range on the same offers.

:func:`uncertainty_section` turns them into the scenario's ``uncertainty`` section
(docs/scenario.md), the one the engine samples; a saved version keeps that section, seed
included, with its result: re-evaluating the saved scenario reproduces the figures exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tco.core.errors import Problem
from tco.core.uncertainty import MAX_DRAWS, MIN_DRAWS, WHOLE
from tco.quoting.words import ENGLISH, N_, Words

#: Draws of a quote's simulation unless its request asks for another number.
QUOTE_DRAWS = 2_000
#: The seed of a quote's simulation unless its request names one.
QUOTE_SEED = 1

Factor = Annotated[float, Field(strict=True, gt=0.0, le=100.0, allow_inf_nan=False)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _12(x: float) -> float:
    """``x`` to 12 significant digits: 0.091, not 0.09100000000000001, in the saved section."""
    return float(f"{x:.12g}")


class FactorRange(_Frozen):
    """A figure between ``low`` and ``high`` times its value in the quote (``spread: s`` is
    ``1 - s`` to ``1 + s``); today's value the most likely unless ``uniform``."""

    spread: Annotated[float, Field(strict=True, ge=0.0, lt=1.0, allow_inf_nan=False)] | None = (
        Field(
            default=None,
            description="plus or minus this share of the value (0.2: 0.8 to 1.2; 0: certain)",
        )
    )
    low: Factor | None = Field(default=None, description="the lowest factor, at most 1")
    high: Factor | None = Field(default=None, description="the highest factor, at least 1")
    distribution: Literal["triangular", "pert", "uniform"] = "triangular"

    @model_validator(mode="after")
    def _bounds(self) -> FactorRange:
        if self.spread is not None:
            if self.low is not None or self.high is not None:
                raise ValueError("give 'spread' or 'low' and 'high', not both")
            return self
        if self.low is None or self.high is None:
            raise ValueError("give 'spread' (0.2 for plus or minus 20 %) or both 'low' and 'high'")
        if not self.low <= 1.0 <= self.high:
            raise ValueError(
                f"low ({self.low}) must be at most 1 and high ({self.high}) at least 1: a range "
                "holds the quote's own value"
            )
        return self

    @property
    def certain(self) -> bool:
        """No range: the figure is taken as it is (``spread: 0``, or low and high 1)."""
        lo, hi = self.bounds
        return lo == hi

    @property
    def bounds(self) -> tuple[float, float]:
        if self.spread is not None:
            return 1.0 - self.spread, 1.0 + self.spread
        assert self.low is not None
        assert self.high is not None
        return self.low, self.high

    def distribution_of(self, scale: float = 1.0) -> dict[str, Any]:
        """The scenario's distribution of this range times ``scale`` (1: a factor)."""
        lo, hi = self.bounds
        out: dict[str, Any] = {"distribution": self.distribution, "low": _12(lo * scale)}
        if self.distribution != "uniform":
            out["mode"] = scale
        out["high"] = _12(hi * scale)
        return out


class ProductRanges(_Frozen):
    """A catalog product's default ranges: its time between failures and its energy use."""

    mtbf: FactorRange | None = Field(default=None, description="of failures.mtbf_hours")
    energy: FactorRange | None = Field(default=None, description="of the energy it draws")


#: What a request's range may act on: its cost lines or figures, and the input's name.
INPUTS: dict[str, str] = {
    "energy_price": N_("Electricity price"),
    "energy_use": N_("Energy use"),
    "mtbf": N_("Time between failures"),
    "repair_cost": N_("Repair cost"),
    "maintenance_cost": N_("Maintenance cost"),
    "downtime_cost": N_("Cost of downtime"),
    "operating_hours": N_("Operating hours"),
    "discount_rate": N_("Discount rate"),
}
InputName = Literal[
    "energy_price",
    "energy_use",
    "mtbf",
    "repair_cost",
    "maintenance_cost",
    "downtime_cost",
    "operating_hours",
    "discount_rate",
]
#: Inputs on the whole quote: no ``offer``.
_QUOTE_WIDE = frozenset({"energy_price", "downtime_cost", "operating_hours", "discount_rate"})


class RangeSetting(FactorRange):
    """A request's range on one input, of one offer (``offer``) or of all."""

    input: InputName
    offer: str | None = Field(default=None, description="an offer id; all offers if left out")

    @model_validator(mode="after")
    def _offer_wide(self) -> RangeSetting:
        if self.offer is not None and self.input in _QUOTE_WIDE:
            raise ValueError(f"'{self.input}' is the same for every offer: leave out 'offer'")
        return self


class QuoteUncertainty(_Frozen):
    """A request's simulation: draws, seed, sampling, ranges, and whether the catalog's
    default ranges apply."""

    draws: Annotated[int, Field(ge=MIN_DRAWS, le=MAX_DRAWS), WHOLE] = QUOTE_DRAWS
    seed: Annotated[int, Field(ge=0, le=2**63 - 1), WHOLE] = QUOTE_SEED
    sampling: Literal["latin_hypercube", "random"] = "latin_hypercube"
    ranges: Annotated[tuple[RangeSetting, ...], Field(max_length=40)] = ()
    catalog_ranges: bool = Field(
        default=True, description="start from the products' default ranges (MTBF, energy)"
    )

    @model_validator(mode="after")
    def _once(self) -> QuoteUncertainty:
        seen: set[tuple[str, str | None]] = set()
        for r in self.ranges:
            key = (r.input, r.offer)
            if key in seen:
                where = f" of offer '{r.offer}'" if r.offer else ""
                raise ValueError(f"two ranges on '{r.input}'{where}: give each once")
            seen.add(key)
        return self


# --------------------------------------------------------------------------------------------
# From ranges to the scenario's section


@dataclass
class OfferFacts:
    """What the builder saw in one offer: its id and name, its energy lines by product sku,
    the product that fails most often (its sku) and whether it has maintenance lines."""

    id: str
    name: str
    energy_lines: dict[str, list[str]] = field(default_factory=dict)
    failing: str | None = None
    has_failures: bool = False
    has_maintenance: bool = False
    has_repairs: bool = False


@dataclass(frozen=True)
class Section:
    """The scenario's ``uncertainty`` section and, per input, the request path it came from."""

    data: dict[str, Any]
    origins: tuple[str, ...]


def _catalog_inputs(
    products: dict[str, tuple[str, ProductRanges]],
    offers: Sequence[OfferFacts],
    replaced: set[tuple[str, str]],
    words: Words,
) -> tuple[list[dict[str, Any]], list[str]]:
    """One input per product and range: its energy lines and its failures in every offer."""
    inputs: list[dict[str, Any]] = []
    origins: list[str] = []
    for sku, (name, ranges) in sorted(products.items()):
        if ranges.energy is not None and not ranges.energy.certain:
            sel = [
                {"offer": o.id, "category": "energy", "line": line}
                for o in offers
                if ("energy_use", o.id) not in replaced
                for line in o.energy_lines.get(sku, [])
            ]
            if sel:
                label = words.line_name("{product}: energy use", product=name)
                inputs.append(_input(label, sel, ranges.energy.distribution_of()))
                origins.append(f"catalog product '{sku}' ranges.energy")
        if ranges.mtbf is not None and not ranges.mtbf.certain:
            sel = [
                {"offer": o.id, "field": "failures.mtbf_hours"}
                for o in offers
                if o.failing == sku and ("mtbf", o.id) not in replaced
            ]
            if sel:
                label = words.line_name("{product}: time between failures", product=name)
                inputs.append(_input(label, sel, ranges.mtbf.distribution_of()))
                origins.append(f"catalog product '{sku}' ranges.mtbf")
    return inputs, origins


def _input(name: str, applies_to: list[dict[str, Any]], factor: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "applies_to": applies_to, "factor": factor}


def _selectors(r: RangeSetting, offers: Sequence[OfferFacts]) -> list[dict[str, Any]] | str:
    """The selectors of a request's range, or why it selects nothing."""
    chosen = [o for o in offers if r.offer in (None, o.id)]
    if not chosen:
        return f"names no offer (offer ids: {', '.join(o.id for o in offers)})"
    kinds = {
        "energy_use": ("has_energy", {"category": "energy"}, "energy costs"),
        "maintenance_cost": ("has_maintenance", {"category": "maintenance"}, "maintenance costs"),
        "mtbf": ("has_failures", {"field": "failures.mtbf_hours"}, "failure model"),
        "repair_cost": ("has_repairs", {"field": "failures.repair_cost"}, "repair cost"),
    }
    if r.input not in kinds:  # quote-wide
        fields = {
            "energy_price": {"category": "energy"},
            "downtime_cost": {"field": "assumptions.downtime_cost_per_hour"},
            "operating_hours": {"field": "assumptions.operating_hours_per_year"},
            "discount_rate": {"field": "assumptions.discount_rate"},
        }
        if r.input == "energy_price" and not any(o.energy_lines for o in offers):
            return "no offer has energy costs"
        return [fields[r.input]]
    flag, selector, what = kinds[r.input]
    having = [
        o for o in chosen if (bool(o.energy_lines) if flag == "has_energy" else getattr(o, flag))
    ]
    if not having:
        return f"no chosen offer has a {what}" if what.endswith("model") else f"no {what}"
    return [{"offer": o.id, **selector} for o in having]


def _request_input(
    r: RangeSetting, offers: Sequence[OfferFacts], discount_rate: float, downtime: float, w: Words
) -> dict[str, Any] | str:
    """A request's range as an input of the section, or what is wrong with it."""
    sel = _selectors(r, offers)
    if isinstance(sel, str):
        return sel
    label = w.line_name(INPUTS[r.input])
    if r.offer is not None:
        offer = next(o for o in offers if o.id == r.offer)
        label = w.line_name("{input}: {offer}", input=label, offer=offer.name)
    if r.input == "discount_rate":
        if discount_rate == 0.0:
            return "the discount rate is 0: a range of factors of it is empty"
        return {"name": label, "applies_to": sel, "value": r.distribution_of(discount_rate)}
    if r.input == "downtime_cost" and downtime == 0.0:
        return "the cost of an hour of downtime is 0: a range of factors of it is empty"
    return _input(label, sel, r.distribution_of())


def uncertainty_section(
    setting: QuoteUncertainty | None,
    products: dict[str, tuple[str, ProductRanges]],
    offers: Sequence[OfferFacts],
    assumptions: tuple[float, float],
    words: Words = ENGLISH,
) -> Section | list[Problem] | None:
    """The scenario's ``uncertainty`` section from a request's setting (None: the defaults)
    and the catalog's ranges of the products in the quote (sku: (name, ranges)); None when no
    range applies, else the section or the problems of the request's ranges.

    ``assumptions`` are the quote's discount rate and downtime cost per hour."""
    setting = setting or QuoteUncertainty()
    replaced: set[tuple[str, str]] = {
        (str(r.input), o.id) for r in setting.ranges for o in offers if r.offer in (None, o.id)
    }
    inputs: list[dict[str, Any]] = []
    origins: list[str] = []
    if setting.catalog_ranges:
        inputs, origins = _catalog_inputs(products, offers, replaced, words)
    problems: list[Problem] = []
    for i, r in enumerate(setting.ranges):
        if r.certain:  # replaces the catalog's range with none
            continue
        made = _request_input(r, offers, *assumptions, words)
        if isinstance(made, str):
            where = "offer" if r.offer is not None and made.startswith("names") else "input"
            problems.append(Problem(f"uncertainty.ranges[{i}].{where}", made))
        else:
            inputs.append(made)
            origins.append(f"uncertainty.ranges[{i}]")
    if problems:
        return problems
    if not inputs:
        return None
    data = {
        "draws": setting.draws,
        "seed": setting.seed,
        "sampling": setting.sampling,
        "inputs": inputs,
    }
    return Section(data=data, origins=tuple(origins))
