"""Uncertainty: ranges on a scenario's inputs, what they act on, and the draws that sample them.

The ``uncertainty`` section of a scenario (docs/scenario.md, "Uncertainty and sensitivity")
names inputs; each draws one number per draw and applies it to every target its selectors pick
(the same number for every offer: common random numbers). A ``factor`` multiplies each target's
value in the scenario, a ``value`` replaces it. This module holds

- the models of the section (:class:`Uncertainty`, :class:`UncertainInput`, the distributions);
- :func:`uncertainty_problems`: the checks that need the whole scenario (selectors that name
  nothing or select nothing, distributions that can give a target a value it refuses, two
  inputs on one target, correlations), each problem named by its path;
- :func:`resolve`: what each input acts on, as :class:`Target` records;
- :func:`sample`: the draws, a (draws, inputs) array, from the seed.

Sampling convention: uniform numbers u in (0, 1), one column per input, from
``numpy.random.default_rng(seed)``: stratified by ``scipy.stats.qmc.LatinHypercube`` (the
default) or plain (``random``). Rank correlations act through a Gaussian copula: u becomes
z = Phi^-1(u), z is mixed by the Cholesky factor of the normal correlation matrix
2 sin(pi rho / 6) (the one whose normal ranks have rank correlation rho), and Phi(z) is u again.
Each column then goes through its distribution's inverse distribution function. Every step runs
in a fixed order on one thread, so one seed gives the same draws on every run, with every
thread count (for the same numpy and scipy).

Distributions (``low`` <= ``mode`` <= ``high``):

- uniform(low, high); triangular(low, mode, high);
- pert(low, mode, high): beta-PERT with lambda 4, a beta distribution on [low, high] with shape
  parameters 1 + 4 (mode - low) / (high - low) and 1 + 4 (high - mode) / (high - low). Draws use
  its inverse by cubic Hermite interpolation on a 1,025-point table (scipy's inverse in the
  outermost cells), within 1e-8 of (high - low) of the exact inverse; quantiles
  (:meth:`Pert.quantile`) are exact;
- normal(mean, sd, low?, high?): truncated to [low, high] where bounds are given;
- lognormal(median, sigma): median x exp(sigma x Z), Z standard normal.

This module imports nothing from :mod:`tco.core.scenario` at import time (the scenario model
holds the section); the checks read a validated scenario they are handed.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from tco.core.errors import Problem
from tco.core.text import CleanText, Name

if TYPE_CHECKING:
    from scipy.stats import qmc


class _LazyModule:
    """A module imported on first use: scipy costs about a second to import, which a command
    that never samples (``tco evaluate`` without ``uncertainty``, ``tco --help``) should not pay."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: Any = None

    def __getattr__(self, attr: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)


special: Any = _LazyModule("scipy.special")

if TYPE_CHECKING:
    from tco.core.scenario import Scenario

FloatArray = npt.NDArray[np.float64]

MIN_DRAWS = 100
MAX_DRAWS = 1_000_000
DEFAULT_DRAWS = 10_000
#: The weight of the mode in beta-PERT.
PERT_LAMBDA = 4.0
#: Uniform numbers are kept within [EPS, 1 - EPS], so that no draw is infinite.
EPS = 2.0**-53


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool | str):  # as the schema says: no true, false or "42"
        raise ValueError(f"must be a whole number, got {value!r}")
    return value


#: After a field's constraints, so the schema states them (``minimum``, not pydantic's ``ge``).
WHOLE = BeforeValidator(_not_bool)
Int = Annotated[int, WHOLE]
Number = Annotated[float, Field(allow_inf_nan=False, strict=True)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


# --------------------------------------------------------------------------------------------
# Distributions


def _ordered(low: float, mode: float | None, high: float) -> None:
    if low > high:
        raise ValueError(f"low {low:g} is above high {high:g}")
    if mode is not None and not low <= mode <= high:
        raise ValueError(f"mode {mode:g} is outside low..high ({low:g}..{high:g})")


class Uniform(_Frozen):
    """Every value in [low, high] equally likely."""

    distribution: Literal["uniform"]
    low: Number
    high: Number

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        _ordered(self.low, None, self.high)
        return self

    def support(self) -> tuple[float, float, bool]:
        """Lowest and highest value it can give, and whether the lowest is excluded."""
        return self.low, self.high, False

    def ppf(self, u: FloatArray) -> FloatArray:
        """The inverse distribution function at u (0 < u < 1)."""
        out: FloatArray = self.low + u * (self.high - self.low)
        return out

    def quantile(self, p: float) -> float:
        return float(self.ppf(np.array([p]))[0])


class Triangular(_Frozen):
    """Density rising linearly from low to mode and falling to high."""

    distribution: Literal["triangular"]
    low: Number
    mode: Number
    high: Number

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        _ordered(self.low, self.mode, self.high)
        return self

    def support(self) -> tuple[float, float, bool]:
        return self.low, self.high, False

    def ppf(self, u: FloatArray) -> FloatArray:
        lo, mo, hi = self.low, self.mode, self.high
        width = hi - lo
        if width == 0.0:
            return np.full_like(u, lo)
        c = (mo - lo) / width
        left = lo + np.sqrt(u * width * (mo - lo))
        right = hi - np.sqrt((1.0 - u) * width * (hi - mo))
        out: FloatArray = np.where(u < c, left, right)
        return out

    def quantile(self, p: float) -> float:
        return float(self.ppf(np.array([p]))[0])


#: Cells of the table PERT draws are interpolated on, and the outer cells at each end in which
#: scipy's inverse is used instead (there the inverse behaves like a power of u).
PERT_CELLS = 1024
PERT_EXACT_CELLS = 4


class Pert(_Frozen):
    """Beta-PERT: a beta distribution on [low, high] whose mode is ``mode`` (lambda 4)."""

    distribution: Literal["pert"]
    low: Number
    mode: Number
    high: Number

    @model_validator(mode="after")
    def _order(self) -> Pert:
        _ordered(self.low, self.mode, self.high)
        return self

    def support(self) -> tuple[float, float, bool]:
        return self.low, self.high, False

    def shapes(self) -> tuple[float, float]:
        """The beta distribution's shape parameters (alpha, beta)."""
        width = self.high - self.low
        a = 1.0 + PERT_LAMBDA * (self.mode - self.low) / width
        b = 1.0 + PERT_LAMBDA * (self.high - self.mode) / width
        return a, b

    def ppf(self, u: FloatArray) -> FloatArray:
        width = self.high - self.low
        if width == 0.0:
            return np.full_like(u, self.low)
        a, b = self.shapes()
        out: FloatArray = self.low + width * _beta_ppf_table(a, b, u)
        return out

    def quantile(self, p: float) -> float:
        width = self.high - self.low
        if width == 0.0:
            return self.low
        a, b = self.shapes()
        return float(self.low + width * special.betaincinv(a, b, p))


def _beta_ppf_table(a: float, b: float, u: FloatArray) -> FloatArray:
    """The inverse of the beta(a, b) distribution function at u, by cubic Hermite interpolation
    of x(F) on Chebyshev-spaced nodes (slopes 1 / density), scipy's ``betaincinv`` in the
    outer :data:`PERT_EXACT_CELLS` cells at each end (a, b >= 1)."""
    m = PERT_CELLS
    x = 0.5 - 0.5 * np.cos(np.pi * np.arange(m + 1) / m)
    x[0], x[-1] = 0.0, 1.0
    cdf = special.betainc(a, b, x)
    inner = x[1:-1]
    dens = np.empty(m + 1)
    dens[1:-1] = np.exp(
        (a - 1.0) * np.log(inner) + (b - 1.0) * np.log1p(-inner) - special.betaln(a, b)
    )
    dens[0] = dens[-1] = 1.0  # the end cells are never interpolated
    j = np.clip(np.searchsorted(cdf, u, side="right") - 1, 0, m - 1)
    step = cdf[j + 1] - cdf[j]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (u - cdf[j]) / step
        t2 = t * t
        t3 = t2 * t
        out: FloatArray = (
            (2.0 * t3 - 3.0 * t2 + 1.0) * x[j]
            + (3.0 * t2 - 2.0 * t3) * x[j + 1]
            + step * ((t3 - 2.0 * t2 + t) / dens[j] + (t3 - t2) / dens[j + 1])
        )
    ends = (j < PERT_EXACT_CELLS) | (j >= m - PERT_EXACT_CELLS) | ~(step > 0.0)
    if ends.any():
        out[ends] = special.betaincinv(a, b, u[ends])
    result: FloatArray = np.clip(out, 0.0, 1.0)
    return result


class Normal(_Frozen):
    """Normal with mean and standard deviation, truncated to [low, high] where given."""

    distribution: Literal["normal"]
    mean: Number
    sd: Annotated[float, Field(gt=0.0, allow_inf_nan=False, strict=True)]
    low: Number | None = None
    high: Number | None = None

    @model_validator(mode="after")
    def _order(self) -> Normal:
        lo, hi = self._bounds()
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError(f"low {self.low:g} must be below high {self.high:g}")
        if not lo < hi:  # bounds that meet or overflow once measured in standard deviations
            raise ValueError(
                "low..high holds no probability to sample: the bounds are too close together, "
                "or too far from the mean, for this standard deviation"
            )
        mass = (
            special.ndtr(-lo) - special.ndtr(-hi)
            if lo > 0.0
            else special.ndtr(hi) - special.ndtr(lo)
        )
        if not mass > 0.0:
            raise ValueError(
                "low..high lies too far in a tail of the normal distribution: it holds no "
                "probability to sample"
            )
        return self

    def _bounds(self) -> tuple[float, float]:
        """The truncation bounds in standard deviations from the mean."""
        lo = -math.inf if self.low is None else (self.low - self.mean) / self.sd
        hi = math.inf if self.high is None else (self.high - self.mean) / self.sd
        return lo, hi

    def support(self) -> tuple[float, float, bool]:
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        return lo, hi, False

    def ppf(self, u: FloatArray) -> FloatArray:
        lo, hi = self._bounds()
        # in the upper tail, mirrored: where the distribution function is precise
        z = -_truncated_standard(1.0 - u, -hi, -lo) if lo > 0.0 else _truncated_standard(u, lo, hi)
        s_lo, s_hi, _ = self.support()
        out: FloatArray = np.clip(self.mean + self.sd * z, s_lo, s_hi)
        return out

    def quantile(self, p: float) -> float:
        return float(self.ppf(np.array([p]))[0])


def _truncated_standard(u: FloatArray, lo: float, hi: float) -> FloatArray:
    """The standard normal's inverse on [lo, hi] (lo <= 0 or both in the lower tail)."""
    if lo == -math.inf and hi == math.inf:
        z: FloatArray = special.ndtri(u)
        return z
    f_lo = special.ndtr(lo)
    f_hi = special.ndtr(hi)
    z = special.ndtri(f_lo + u * (f_hi - f_lo))
    out: FloatArray = np.clip(z, lo, hi)
    return out


class Lognormal(_Frozen):
    """median x exp(sigma x Z), Z standard normal: positive, skewed to the right."""

    distribution: Literal["lognormal"]
    median: Annotated[float, Field(gt=0.0, allow_inf_nan=False, strict=True)]
    sigma: Annotated[float, Field(gt=0.0, le=10.0, allow_inf_nan=False, strict=True)]

    def support(self) -> tuple[float, float, bool]:
        return 0.0, math.inf, True

    def ppf(self, u: FloatArray) -> FloatArray:
        out: FloatArray = self.median * np.exp(self.sigma * special.ndtri(u))
        return out

    def quantile(self, p: float) -> float:
        return float(self.ppf(np.array([p]))[0])


Distribution = Annotated[
    Uniform | Triangular | Pert | Normal | Lognormal, Field(discriminator="distribution")
]
DISTRIBUTIONS = ("uniform", "triangular", "pert", "normal", "lognormal")


# --------------------------------------------------------------------------------------------
# The section


#: Fields an input can act on. Cost lines: ``amount``; failure models; assumptions, and
#: ``assumptions.escalation.<driver>`` (all the driver's years).
LINE_FIELD = "amount"
FAILURE_FIELDS = (
    "failures.mtbf_hours",
    "failures.shape",
    "failures.repair_cost",
    "failures.downtime_hours",
)
SCENARIO_FIELDS = (
    "assumptions.discount_rate",
    "assumptions.operating_hours_per_year",
    "assumptions.downtime_cost_per_hour",
)
ESCALATION = "assumptions.escalation"
FIELDS = (LINE_FIELD, *FAILURE_FIELDS, *SCENARIO_FIELDS, f"{ESCALATION}.<driver>")


def _category_schema(schema: dict[str, Any]) -> None:
    """The schema of a selector's category states the categories (checked with the selector's
    other rules, so that every problem of a selector is named at once)."""
    from tco.core.scenario import CATEGORIES  # the scenario module holds them

    schema["anyOf"] = [{"enum": [c.value for c in CATEGORIES]}, {"type": "null"}]


class Selector(_Frozen):
    """What an input acts on: cost lines by ``offer`` (id), ``category`` and ``line`` (name),
    whose ``field`` is ``amount`` unless another is named; or a failure-model field of the
    offers selected by ``offer`` (all with a failure model where none is named); or an
    assumption (no offer, category or line)."""

    offer: str | None = Field(default=None, description="an offer id")
    category: str | None = Field(
        default=None,
        description="a cost category, as in offers[].costs[].category",
        json_schema_extra=lambda schema: _category_schema(schema),
    )
    line: Name | None = Field(default=None, description="a cost line's name")
    field: str | None = Field(
        default=None,
        description="one of: " + ", ".join(FIELDS) + " (default: amount)",
    )


class UncertainInput(_Frozen):
    """One uncertain input: a name, what it applies to, and the distribution of its ``factor``
    (multiplies each target) or of its ``value`` (replaces each target)."""

    name: Name
    applies_to: Annotated[tuple[Selector, ...], Field(min_length=1, max_length=100)]
    factor: Distribution | None = None
    value: Distribution | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> UncertainInput:
        if (self.factor is None) == (self.value is None):
            raise ValueError(
                "give exactly one of 'factor' (multiplies each target) and 'value' (replaces it)"
            )
        return self

    @property
    def distribution(self) -> Uniform | Triangular | Pert | Normal | Lognormal:
        d = self.factor if self.factor is not None else self.value
        assert d is not None
        return d

    @property
    def kind(self) -> Literal["factor", "value"]:
        return "factor" if self.factor is not None else "value"


Rho = Annotated[float, Field(ge=-1.0, le=1.0, allow_inf_nan=False, strict=True)]


class Uncertainty(_Frozen):
    """Inputs with ranges, their rank correlations, and how many draws from which seed."""

    draws: Annotated[int, Field(ge=MIN_DRAWS, le=MAX_DRAWS), WHOLE] = DEFAULT_DRAWS
    seed: Annotated[int, Field(ge=0, le=2**63 - 1), WHOLE] = Field(
        default=0, description="same seed and draws: identical results"
    )
    sampling: Literal["latin_hypercube", "random"] = "latin_hypercube"
    inputs: Annotated[tuple[UncertainInput, ...], Field(min_length=1, max_length=100)]
    correlations: tuple[tuple[CleanText, CleanText, Rho], ...] = Field(
        default=(),
        description="rank correlations between inputs, [name, name, rho] (Gaussian copula)",
    )


def strip_union_tags(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """A validation error's location without the distribution tag pydantic inserts after
    ``factor`` or ``value`` (``inputs[0].factor.triangular.mode`` is ``inputs[0].factor.mode``)."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if i > 0 and part in DISTRIBUTIONS and loc[i - 1] in ("factor", "value"):
            continue
        out.append(part)
    return tuple(out)


# --------------------------------------------------------------------------------------------
# What the inputs act on


@dataclass(frozen=True, slots=True)
class Target:
    """One value an input acts on: ``field`` (one of :data:`FIELDS`, escalation as
    :data:`ESCALATION`) of offer ``offer`` (its index; -1 for assumptions), of its cost line
    ``line`` (index in ``costs``; -1 otherwise), or of escalation driver ``driver``."""

    field: str
    offer: int = -1
    line: int = -1
    driver: str = ""


@dataclass(frozen=True, slots=True)
class _Domain:
    """The values a field accepts: above (or from) ``low``, up to ``high``."""

    low: float
    low_open: bool
    high: float
    rule: str

    def holds(self, lo: float, lo_open: bool, hi: float) -> bool:
        above = lo > self.low or (lo == self.low and (lo_open or not self.low_open))
        return above and hi <= self.high


_ANY = _Domain(-math.inf, False, math.inf, "")
_POSITIVE = _Domain(0.0, True, math.inf, "must be greater than 0")
_NON_NEGATIVE = _Domain(0.0, False, math.inf, "must be at least 0")
_RATE = _Domain(-1.0, True, math.inf, "must be greater than -1 (-100 %)")
_DOMAINS = {
    LINE_FIELD: _ANY,
    "failures.mtbf_hours": _POSITIVE,
    "failures.shape": _POSITIVE,
    "failures.repair_cost": _NON_NEGATIVE,
    "failures.downtime_hours": _NON_NEGATIVE,
    "assumptions.discount_rate": _RATE,
    "assumptions.operating_hours_per_year": _Domain(
        0.0, False, 8784.0, "must be within 0..8784 (the hours of a leap year)"
    ),
    "assumptions.downtime_cost_per_hour": _NON_NEGATIVE,
    ESCALATION: _RATE,
}


def _label(t: Target, sc: Scenario) -> str:
    if t.field == ESCALATION:
        return f"{ESCALATION}.{t.driver}"
    if t.offer < 0:
        return t.field
    offer = sc.offers[t.offer]
    if t.line >= 0:
        return f"the amount of '{offer.costs[t.line].name}' of offer '{offer.id}'"
    return f"{t.field} of offer '{offer.id}'"


def base_values(t: Target, sc: Scenario) -> tuple[float, ...]:
    """The target's value(s) in the scenario (an escalation driver: its rates for years 1..N)."""
    a = sc.assumptions
    if t.field == LINE_FIELD:
        return (float(sc.offers[t.offer].costs[t.line].amount),)
    if t.field in FAILURE_FIELDS:
        f = sc.offers[t.offer].failures
        assert f is not None
        attr = t.field.removeprefix("failures.")
        return (float(getattr(f, attr)),)
    if t.field == ESCALATION:
        return a.rates_for(t.driver)
    value = getattr(a, t.field.removeprefix("assumptions."))
    return (float(value),)


def _selector_targets(sel: Selector, sc: Scenario, path: str) -> tuple[list[Target], list[Problem]]:
    """The targets one selector picks, or the problems that it names or picks nothing."""
    from tco.core.scenario import CATEGORIES  # the scenario module holds this one

    field = sel.field or LINE_FIELD
    ids = [o.id for o in sc.offers]
    problems: list[Problem] = []
    if sel.offer is not None and sel.offer not in ids:
        problems.append(
            Problem(f"{path}.offer", f"'{sel.offer}' names no offer (offer ids: {', '.join(ids)})")
        )
    categories = [c.value for c in CATEGORIES]
    if sel.category is not None and sel.category not in categories:
        known = ", ".join(f"'{c}'" for c in categories)
        problems.append(Problem(f"{path}.category", f"'{sel.category}' is not one of: {known}"))
    if field != LINE_FIELD and (sel.category is not None or sel.line is not None):
        problems.append(
            Problem(
                path,
                f"category and line select cost lines, whose field is amount; {field} is not "
                "a field of a cost line",
            )
        )
    if field in SCENARIO_FIELDS or field.startswith(f"{ESCALATION}."):
        if sel.offer is not None:
            problems.append(
                Problem(f"{path}.offer", f"{field} is one value for every offer: name no offer")
            )
    elif field != LINE_FIELD and field not in FAILURE_FIELDS:
        known = ", ".join(f"'{f}'" for f in FIELDS)
        problems.append(Problem(f"{path}.field", f"'{field}' is not one of: {known}"))
    if problems:
        return [], problems
    offers = [i for i, o in enumerate(sc.offers) if sel.offer in (None, o.id)]
    if field == LINE_FIELD:
        return _line_targets(sel, sc, offers, path)
    if field in FAILURE_FIELDS:
        found = [Target(field, offer=i) for i in offers if sc.offers[i].failures is not None]
        if not found:
            whose = f"offer '{sel.offer}' has" if sel.offer else "no offer has"
            none = "no failure model" if sel.offer else "a failure model"
            return [], [Problem(path, f"selects nothing: {whose} {none}")]
        return found, []
    if field.startswith(f"{ESCALATION}."):
        driver = field.removeprefix(f"{ESCALATION}.")
        if driver not in sc.assumptions.escalation:
            known = ", ".join(sorted(sc.assumptions.escalation)) or "none are defined"
            return [], [
                Problem(
                    f"{path}.field",
                    f"no escalation driver '{driver}' (assumptions.escalation defines: {known})",
                )
            ]
        return [Target(ESCALATION, driver=driver)], []
    if field == "assumptions.operating_hours_per_year" and (
        sc.assumptions.operating_hours_per_year is None
    ):
        return [], [Problem(path, f"selects nothing: {field} is not given in the scenario")]
    return [Target(field)], []


def _line_targets(
    sel: Selector, sc: Scenario, offers: list[int], path: str
) -> tuple[list[Target], list[Problem]]:
    n = sc.assumptions.study_period_years
    where = f"offer '{sel.offer}'" if sel.offer is not None else "any offer"
    if sel.line is not None and not any(
        line.name == sel.line for i in offers for line in sc.offers[i].costs
    ):
        return [], [Problem(f"{path}.line", f"no cost line named '{sel.line}' in {where}")]
    found: list[Target] = []
    idle = 0
    for i in offers:
        for j, line in enumerate(sc.offers[i].costs):
            if sel.category not in (None, line.category.value) or sel.line not in (None, line.name):
                continue
            first, last = line.span(n)
            if first > last:  # falls in no year of the study period
                idle += 1
                continue
            found.append(Target(LINE_FIELD, offer=i, line=j))
    if not found:
        what = " ".join(x for x in (sel.category, "line", sel.line and f"'{sel.line}'") if x)
        why = " that falls within the study period" if idle else ""
        return [], [Problem(path, f"selects nothing: no {what}{why} in {where}")]
    return found, []


def resolve(
    unc: Uncertainty, sc: Scenario, *, path: str = "uncertainty"
) -> tuple[tuple[tuple[Target, ...], ...], list[Problem]]:
    """The targets of each input (each target once, in order of selection), and the problems
    of selectors that name nothing or select nothing."""
    out: list[tuple[Target, ...]] = []
    problems: list[Problem] = []
    for i, inp in enumerate(unc.inputs):
        seen: dict[Target, None] = {}
        for j, sel in enumerate(inp.applies_to):
            found, wrong = _selector_targets(sel, sc, f"{path}.inputs[{i}].applies_to[{j}]")
            problems.extend(wrong)
            seen.update(dict.fromkeys(found))
        out.append(tuple(seen))
    return tuple(out), problems


def _range(inp: UncertainInput, base: float) -> tuple[float, bool, float]:
    """The lowest and highest value the input can give a target whose value is ``base``."""
    lo, hi, lo_open = inp.distribution.support()
    if inp.kind == "value":
        return lo, lo_open, hi
    if base == 0.0:
        return 0.0, False, 0.0
    a, b = base * lo, base * hi
    return (a, lo_open, b) if base > 0 else (b, False, a)


def _domain_problems(
    inp: UncertainInput, targets: tuple[Target, ...], sc: Scenario, path: str
) -> list[Problem]:
    for t in targets:
        domain = _DOMAINS[t.field]
        for base in base_values(t, sc):
            lo, lo_open, hi = _range(inp, base)
            if domain.holds(lo, lo_open, hi):
                continue
            if hi > domain.high:
                reach = "without an upper bound" if math.isinf(hi) else f"up to {hi:g}"
            else:
                reach = "without a lower bound" if math.isinf(lo) else f"down to {lo:g}"
            return [
                Problem(
                    f"{path}.{inp.kind}",
                    f"can give {_label(t, sc)} values {reach}; it {domain.rule}",
                )
            ]
    return []


def _overlap_problems(
    unc: Uncertainty, targets: tuple[tuple[Target, ...], ...], path: str
) -> list[Problem]:
    """A target with a ``value`` input may have no other input."""
    owner: dict[Target, int] = {}
    problems: list[Problem] = []
    for i, found in enumerate(targets):
        clash = None
        for t in found:
            j = owner.setdefault(t, i)
            if j != i and "value" in (unc.inputs[i].kind, unc.inputs[j].kind):
                clash = j
        if clash is not None:
            problems.append(
                Problem(
                    f"{path}.inputs[{i}].applies_to",
                    f"acts on a target that inputs[{clash}] ('{unc.inputs[clash].name}') acts "
                    "on too, and one of them sets it with a value: a value input must be the "
                    "only one on its targets",
                )
            )
    return problems


def correlation_matrix(unc: Uncertainty) -> FloatArray:
    """The (inputs, inputs) matrix of rank correlations: 1 on the diagonal, the given ones
    symmetrically, 0 elsewhere (names assumed checked)."""
    index = {inp.name: i for i, inp in enumerate(unc.inputs)}
    k = len(unc.inputs)
    rho = np.eye(k)
    for a, b, r in unc.correlations:
        rho[index[a], index[b]] = rho[index[b], index[a]] = r
    return rho


def _normal_correlation(rank: FloatArray) -> FloatArray:
    """The correlation of normals whose ranks correlate as ``rank`` (Spearman)."""
    out: FloatArray = 2.0 * np.sin(np.pi * rank / 6.0)
    return out


#: Smallest eigenvalue a correlation matrix may have (negative only by rounding).
PSD_TOLERANCE = -1e-10


def _correlation_problems(unc: Uncertainty, path: str) -> list[Problem]:
    names = [inp.name for inp in unc.inputs]
    problems: list[Problem] = []
    pairs: dict[frozenset[str], int] = {}
    for k, (a, b, _) in enumerate(unc.correlations):
        where = f"{path}.correlations[{k}]"
        bad = False
        for pos, name in enumerate((a, b)):
            if name not in names:
                listed = ", ".join(f"'{n}'" for n in names)
                problems.append(
                    Problem(f"{where}[{pos}]", f"'{name}' names no input (inputs: {listed})")
                )
                bad = True
        if bad:
            continue
        if a == b:
            problems.append(Problem(where, f"correlates '{a}' with itself"))
            continue
        pair = frozenset((a, b))
        if pair in pairs:
            problems.append(
                Problem(
                    where,
                    f"'{a}' and '{b}' are correlated twice (also correlations[{pairs[pair]}]); "
                    "give each pair once, in either order",
                )
            )
            continue
        pairs[pair] = k
    if problems or not unc.correlations:
        return problems
    rank = correlation_matrix(unc)
    low = min(
        float(np.linalg.eigvalsh(rank)[0]), float(np.linalg.eigvalsh(_normal_correlation(rank))[0])
    )
    if low < PSD_TOLERANCE:
        problems.append(
            Problem(
                f"{path}.correlations",
                "cannot hold together: the correlation matrix is not positive semi-definite "
                f"(smallest eigenvalue {low:.3g}); weaken some of them",
            )
        )
    return problems


def _name_problems(unc: Uncertainty, path: str) -> list[Problem]:
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for i, inp in enumerate(unc.inputs):
        if inp.name in seen:
            problems.append(
                Problem(
                    f"{path}.inputs[{i}].name",
                    f"duplicate input name '{inp.name}' (also inputs[{seen[inp.name]}])",
                )
            )
        seen.setdefault(inp.name, i)
    return problems


def uncertainty_problems(sc: Scenario, *, path: str = "uncertainty") -> list[Problem]:
    """Everything wrong with a validated scenario's ``uncertainty`` that needs the scenario:
    names, selectors, the values distributions can give their targets, inputs on one target,
    correlations. Empty when there is no section or it is sound."""
    unc = sc.uncertainty
    if unc is None:
        return []
    problems = _name_problems(unc, path)
    targets, wrong = resolve(unc, sc, path=path)
    problems.extend(wrong)
    for i, (inp, found) in enumerate(zip(unc.inputs, targets, strict=True)):
        problems.extend(_domain_problems(inp, found, sc, f"{path}.inputs[{i}]"))
    if not wrong:
        problems.extend(_overlap_problems(unc, targets, path))
    if not any(p.path.endswith(".name") for p in problems):
        problems.extend(_correlation_problems(unc, path))
    return problems


# --------------------------------------------------------------------------------------------
# Sampling


def _cholesky(matrix: FloatArray) -> FloatArray:
    """Lower-triangular L with L L^T = matrix, for a positive semi-definite matrix (zero
    columns where a pivot vanishes), computed in a fixed order (no BLAS), so it is the same
    on every machine."""
    k = matrix.shape[0]
    low = np.zeros((k, k))
    for j in range(k):
        d = matrix[j, j] - sum(low[j, m] * low[j, m] for m in range(j))
        pivot = math.sqrt(d) if d > 1e-12 else 0.0
        low[j, j] = pivot
        for i in range(j + 1, k):
            s = matrix[i, j] - sum(low[i, m] * low[j, m] for m in range(j))
            low[i, j] = s / pivot if pivot > 0.0 else 0.0
    return low


def uniforms(unc: Uncertainty) -> FloatArray:
    """The (draws, inputs) uniform numbers of the draws, correlated where asked, in
    [EPS, 1 - EPS]."""
    n, k = unc.draws, len(unc.inputs)
    rng = np.random.default_rng(unc.seed)
    if unc.sampling == "latin_hypercube":
        u = _latin_hypercube(k, rng).random(n)
    else:
        u = rng.random((n, k))
    u = np.clip(u, EPS, 1.0 - EPS)
    if unc.correlations:
        rank = correlation_matrix(unc)
        cols = np.flatnonzero((rank != 0.0).sum(axis=1) > 1)  # the inputs correlations name
        low = _cholesky(_normal_correlation(rank[np.ix_(cols, cols)]))
        z = special.ndtri(u[:, cols])
        for i, col in enumerate(cols.tolist()):  # column by column, in a fixed order
            mixed = np.zeros(n)
            for j in range(i + 1):
                if low[i, j] != 0.0:
                    mixed += low[i, j] * z[:, j]
            u[:, col] = np.clip(special.ndtr(mixed), EPS, 1.0 - EPS)
    return np.ascontiguousarray(u)


def _latin_hypercube(k: int, rng: np.random.Generator) -> qmc.LatinHypercube:
    from scipy.stats import qmc

    try:
        return qmc.LatinHypercube(d=k, rng=rng)
    except TypeError:  # scipy before 1.15 calls it seed (the same stream from a Generator)
        return qmc.LatinHypercube(d=k, seed=rng)


def sample(unc: Uncertainty) -> FloatArray:
    """The draws: a (draws, inputs) array of each input's factor or value."""
    u = uniforms(unc)
    out = np.empty_like(u)
    for i, inp in enumerate(unc.inputs):
        out[:, i] = inp.distribution.ppf(np.ascontiguousarray(u[:, i]))
    return out


def quantiles(unc: Uncertainty, p: float) -> FloatArray:
    """Each input's quantile p (0 < p < 1) of its distribution."""
    return np.array([inp.distribution.quantile(p) for inp in unc.inputs])
