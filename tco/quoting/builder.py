"""Quotes: requests, configurations, financing and the builder.

Pure: no files, no database, no clock (``as_of`` and ``today`` are arguments). A salesperson's
quote request names catalog products x quantity with line discounts, a service plan, a financing
choice and extra cost lines per offer; competitor and status-quo offers are described inline.
:func:`build_quote` expands every offer into scenario cost lines (docs/scenario.md) and
:func:`price_quote` evaluates them with the engine (:func:`tco.core.results.evaluate`): a quote's
numbers are the engine's numbers.

Expansion of one offer (amounts in base-year prices, ``q`` the quantity):

- equipment: ``net unit price = round(unit price x (1 - discount))`` to the currency's minor
  unit, half away from zero; line total = net unit price x q (exact). Cash: an ``acquisition``
  line in year 0 carrying the residual rule (``life_years`` or ``residual_fraction``). Loan: the
  down payment in year 0 (``acquisition``), the installment ``-pmt(rate, term, principal)`` in
  years 1..term (``financing``, fixed in money terms) and the residual value as an
  ``end_of_life`` credit in year N. Lease: the payment (given, or rate factor x price) in years
  0..term-1 (in advance) or 1..term (in arrears), ``financing``; no residual value.
- installation, commissioning and training per unit (``installation``), year 0;
- energy: q x kWh per operating hour x operating hours x energy price, yearly (``energy``);
- preventive maintenance per task: cost x q x (1 - share the plan covers) in the years the plan
  covers, the whole cost after them, on its schedule;
- service plan: its annual fee (fixed, or a percentage of the net equipment price, rounded once)
  in years 1..min(term, N) (``service``), and in each renewal the request states (``renew``)
  the same base-year fee, escalated, for the years the renewal covers;
- failures: the product's failure profile; q units scale the characteristic life by
  q^(-1/shape) (exact for the power-law process); several constant-rate products combine into
  one rate with rate-weighted repair cost and downtime. Coverage is a failure model's
  ``periods``: in a product's warranty years its repairs are paid; in the years the plan covers,
  its ``repair_covered`` share is paid and its ``response_hours`` cap downtime per failure at
  response + repair; outside every cover the buyer pays in full.
- transaction cost (the buyer's procurement effort, hours x the buyer's hourly rate, ``labor``
  driver): one purchase order for the equipment and one for the service contract in year 0;
  one per preventive-maintenance visit the plan does not cover; one repair order per expected
  failure the plan does not cover (the failure model's ``order_cost``, which the engine books
  per expected failure).

Escalation drivers: energy lines follow ``energy``, maintenance, service, transaction and
repairs follow ``labor`` (repairs ``parts`` when defined), when the assumptions define them;
amounts fixed in money terms (loan and lease payments) keep their nominal value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

import numpy_financial as npf
from pydantic import Field

from tco.core.errors import NotFoundError, Problem, ScenarioError
from tco.core.money import round_money, to_decimal
from tco.core.results import ScenarioResult, evaluate
from tco.core.scenario import Scenario, parse_scenario
from tco.quoting.catalog import (
    Catalog,
    FailureProfile,
    Product,
    ServicePlan,
    require_price,
)
from tco.quoting.pricing import PriceLine, PriceSheet, price_line, price_sheet
from tco.quoting.ranges import OfferFacts, ProductRanges, Section, uncertainty_section
from tco.quoting.requests import (
    FIXED_NOMINAL,
    FrozenModel,
    QuoteAssumptions,
    QuoteRequest,
    QuoteRequestError,
    parse_request,
)
from tco.quoting.words import ENGLISH, Words

# --------------------------------------------------------------------------------------------
# The builder


class CoverageTerm(FrozenModel):
    """One term of cover an offer's buyer gets: a product's warranty, a service plan's term or
    one of its renewals, in years ``from_year..until_year`` of the study period.

    What the term promises: the share of repair cost and of preventive maintenance it pays,
    the response time and the downtime per failure it implies (None where it does not change
    downtime), the uptime it promises, and for a plan its base-year annual fee. Outside every
    term the buyer pays repairs, maintenance and purchase-order effort in full.
    """

    offer_id: str
    kind: Literal["warranty", "service_plan"]
    name: str
    code: str | None = None
    renewal: int = Field(default=0, description="0 for the first term, k for the k-th renewal")
    from_year: int
    until_year: int
    repair_covered: float
    maintenance_covered: float = 0.0
    response_hours: float | None = None
    downtime_hours: float | None = None
    uptime_promise: float | None = None
    annual_fee: Decimal | None = None


class BuiltQuote(FrozenModel):
    """A request expanded into a scenario, with its price sheets and the catalog part it used."""

    request: QuoteRequest
    assumptions: QuoteAssumptions
    scenario: Scenario
    price_sheets: tuple[PriceSheet, ...]
    snapshot: Catalog
    coverage: tuple[CoverageTerm, ...] = ()

    @property
    def buyer_effort_counted(self) -> bool:
        """False where the buyer's procurement effort was set to zero (hourly rate or hours)."""
        qa = self.assumptions
        return qa.buyer_hourly_rate > 0 and (
            qa.hours_per_purchase_order > 0 or qa.hours_per_repair_order > 0
        )


_SIX = Decimal("0.000001")


class _Unit:
    """One resolved equipment line (internal)."""

    def __init__(self, product: Product, quantity: int, total: Decimal, where: str) -> None:
        self.product = product
        self.quantity = quantity
        self.total = total
        self.where = where


def _dec(x: float) -> Decimal:
    return to_decimal(x)


def _six(x: Decimal) -> Decimal:
    return x.quantize(_SIX)


def _label(name: str, quantity: int) -> str:
    return f"{name} x {quantity}" if quantity > 1 else name


class _OfferBuilder:
    def __init__(
        self,
        request: QuoteRequest,
        qa: QuoteAssumptions,
        catalog: Catalog,
        index: int,
        drivers: dict[str, tuple[float, ...]],
        words: Words = ENGLISH,
    ) -> None:
        self.req = request
        self.qa = qa
        self.catalog = catalog
        self.i = index
        self.offer = request.offers[index]
        self.cur = request.currency
        self.n = qa.study_period_years
        self.drivers = drivers
        self.problems: list[Problem] = []
        self.costs: list[dict[str, Any]] = []
        self.sheet: list[PriceLine] = []
        self.skus: set[str] = set()
        self.plans: set[str] = set()
        self.coverage: list[CoverageTerm] = []
        self.words = words
        self.facts = OfferFacts(id=self.offer.id, name=self.offer.id)
        self.ranges: dict[str, tuple[str, ProductRanges]] = {}

    def driver(self, *names: str) -> str | None:
        return next((n for n in names if n in self.qa.escalation), None)

    def add(self, **line: Any) -> None:
        line = {k: v for k, v in line.items() if v is not None}
        self.costs.append(line)

    def effort(self) -> Decimal:
        return self.qa.buyer_hourly_rate

    def resolve_units(self) -> list[_Unit]:
        units: list[_Unit] = []
        seg = self.req.customer.segment
        for j, eq in enumerate(self.offer.equipment):
            where = f"offers[{self.i}].equipment[{j}]"
            if eq.sku is not None:
                product = self.catalog.product(eq.sku)
                if product is None:
                    known = ", ".join(p.sku for p in self.catalog.products) or "none"
                    self.problems.append(
                        Problem(
                            f"{where}.sku",
                            f"unknown sku '{eq.sku}' in offer '{self.offer.id}' "
                            f"(the catalog has: {known})",
                        )
                    )
                    continue
                self.skus.add(eq.sku)
                if eq.unit_price is not None:
                    price = eq.unit_price
                else:
                    try:
                        price = require_price(
                            self.catalog,
                            eq.sku,
                            self.cur,
                            seg,
                            self.req.as_of,
                            where=f"{where}.sku",
                        )
                    except NotFoundError as exc:
                        self.problems.extend(exc.problems)
                        continue
            else:
                assert eq.product is not None
                product = eq.product
                if eq.unit_price is not None:
                    price = eq.unit_price
                elif product.currency == self.cur:
                    price = product.list_price
                else:
                    self.problems.append(
                        Problem(
                            f"{where}.product.currency",
                            f"{product.currency} differs from the quote's {self.cur}; "
                            "give 'unit_price' in the quote's currency",
                        )
                    )
                    continue
            line = price_line(
                _label(product.name, 1),
                price,
                self.cur,
                quantity=eq.quantity,
                discount=eq.discount,
                item=product.sku,
            )
            self.sheet.append(line)
            units.append(_Unit(product, eq.quantity, line.total, where))
        return units

    def resolve_plan(self, equipment_total: Decimal) -> tuple[ServicePlan | None, Decimal]:
        plan = self.offer.service
        where = f"offers[{self.i}].service"
        if self.offer.service_plan is not None:
            code = self.offer.service_plan
            where = f"offers[{self.i}].service_plan"
            plan = self.catalog.plan(code)
            if plan is None:
                known = ", ".join(p.code for p in self.catalog.service_plans) or "none"
                self.problems.append(
                    Problem(
                        where,
                        f"unknown service plan '{code}' in offer '{self.offer.id}' "
                        f"(the catalog has: {known})",
                    )
                )
                return None, Decimal(0)
            self.plans.add(code)
        if plan is None:
            return None, Decimal(0)
        if plan.fee_percent is not None:
            fee = round_money(equipment_total * _dec(plan.fee_percent), self.cur)
        elif self.offer.service_plan is not None:
            try:
                fee = require_price(
                    self.catalog,
                    plan.code,
                    self.cur,
                    self.req.customer.segment,
                    self.req.as_of,
                    where=where,
                )
            except NotFoundError as exc:
                self.problems.extend(exc.problems)
                return None, Decimal(0)
        else:
            assert plan.annual_fee is not None
            if plan.currency != self.cur:
                self.problems.append(
                    Problem(
                        f"{where}.currency",
                        f"{plan.currency} differs from the quote's {self.cur}",
                    )
                )
                return None, Decimal(0)
            fee = plan.annual_fee
        return plan, fee

    def build(self) -> dict[str, Any]:
        units = self.resolve_units()
        equipment_total = sum((u.total for u in units), Decimal(0))
        plan, fee = self.resolve_plan(equipment_total)
        if self.problems:
            return {}
        terms = self.plan_terms(plan)
        if self.problems:
            return {}
        plan_end = terms[-1][1] if terms else 0  # a plan covers years 1..plan_end
        self.equipment(units, equipment_total)
        self.one_time_services(units)
        self.energy(units)
        self.maintenance(units, plan, plan_end)
        self.service(plan, fee, terms)
        failures = self.failures(units, plan, plan_end)
        self.coverage_terms(units, plan, fee, terms)
        for line in self.offer.extra_costs:
            self.costs.append(line.model_dump(exclude_none=True))
        names = [_label(u.product.name, u.quantity) for u in units]
        if plan is not None:
            names.append(plan.name)
        offer: dict[str, Any] = {
            "id": self.offer.id,
            "name": self.offer.name or self.joined(names) or self.offer.id,
            "costs": self.costs,
        }
        self.facts.name = offer["name"]
        self.facts.has_maintenance = any(c["category"] == "maintenance" for c in self.costs)
        self.ranges = {
            u.product.sku: (u.product.name, u.product.ranges)
            for u in units
            if u.product.ranges is not None
        }
        if failures is not None:
            offer["failures"] = failures
        return offer

    def joined(self, names: list[str]) -> str:
        """An offer's name from its products and plan: ``A with B``."""
        if not names:
            return ""
        out = names[0]
        for name in names[1:]:
            out = self.words.line_name("{first} with {second}", first=out, second=name)
        return out

    def purchase_orders(self, name: str, **schedule: Any) -> None:
        amount = _six(_dec(self.qa.hours_per_purchase_order) * self.effort())
        if amount > 0:
            self.add(
                name=name,
                category="transaction",
                amount=amount,
                escalation=self.driver("labor"),
                **schedule,
            )

    def equipment(self, units: list[_Unit], total: Decimal) -> None:
        fin = self.offer.financing
        where = f"offers[{self.i}].financing"
        if fin.kind == "cash":
            for u in units:
                rule = u.product.residual
                if u.total == 0:
                    continue
                self.add(
                    name=_label(u.product.name, u.quantity),
                    category="acquisition",
                    amount=u.total,
                    year=0,
                    life_years=u.product.life_years if rule.method == "linear" else None,
                    residual_fraction=rule.fraction if rule.method == "fraction" else None,
                )
        else:
            assert fin.term_years is not None
            if fin.term_years > self.n:
                self.problems.append(
                    Problem(
                        f"{where}.term_years",
                        f"{fin.term_years} years is longer than the study period ({self.n})",
                    )
                )
                return
            self.drivers.setdefault(FIXED_NOMINAL, self.fixed_nominal_rate())
            if fin.kind == "loan":
                self.loan(units, total, where)
            else:
                self.lease(total)
        if total > 0:
            self.purchase_orders(self.words.line_name("Purchase order: equipment"), year=0)

    def fixed_nominal_rate(self) -> tuple[float, ...]:
        if self.qa.rate_basis == "nominal":
            return (0.0,)
        return (1.0 / (1.0 + self.qa.inflation) - 1.0,)

    def loan(self, units: list[_Unit], total: Decimal, where: str) -> None:
        fin = self.offer.financing
        assert fin.rate is not None
        assert fin.term_years is not None
        principal = total - fin.down_payment
        if principal < 0:
            self.problems.append(
                Problem(
                    f"{where}.down_payment",
                    f"{fin.down_payment} is more than the equipment price {total}",
                )
            )
            return
        if fin.down_payment > 0:
            self.add(
                name=self.words.line_name("Down payment"),
                category="acquisition",
                amount=fin.down_payment,
                year=0,
            )
        payment = round_money(-float(npf.pmt(fin.rate, fin.term_years, float(principal))), self.cur)
        if payment > 0:
            self.add(
                name=self.words.line_name(
                    "Loan installment ({rate}, {years} years)",
                    rate=self.words.percent(fin.rate),
                    years=fin.term_years,
                ),
                category="financing",
                amount=payment,
                every_years=1,
                until_year=fin.term_years,
                escalation=FIXED_NOMINAL,
            )
            self.sheet.append(
                price_line(
                    self.words.line_name("Loan installment per year"),
                    payment,
                    self.cur,
                    kind="annual",
                )
            )
        for u in units:
            rule = u.product.residual
            if rule.method == "linear":
                share = Decimal(max(0, u.product.life_years - self.n)) / u.product.life_years
            elif rule.method == "fraction":
                assert rule.fraction is not None
                share = _dec(rule.fraction)
            else:
                continue
            credit = _six(u.total * share)
            if credit > 0:
                self.add(
                    name=self.words.line_name(
                        "{product}: residual value", product=_label(u.product.name, u.quantity)
                    ),
                    category="end_of_life",
                    amount=-credit,
                    year=self.n,
                )

    def lease(self, total: Decimal) -> None:
        fin = self.offer.financing
        assert fin.term_years is not None
        if fin.payment_per_year is not None:
            payment = fin.payment_per_year
        else:
            assert fin.rate_factor is not None
            payment = round_money(total * _dec(fin.rate_factor), self.cur)
        first, last = (0, fin.term_years - 1) if fin.timing == "advance" else (1, fin.term_years)
        self.add(
            name=self.words.line_name(
                "Lease payment ({years} years, in advance)", years=fin.term_years
            )
            if fin.timing == "advance"
            else self.words.line_name(
                "Lease payment ({years} years, in arrears)", years=fin.term_years
            ),
            category="financing",
            amount=payment,
            every_years=1,
            from_year=first,
            until_year=last,
            escalation=FIXED_NOMINAL,
        )
        self.sheet.append(
            price_line(
                self.words.line_name("Lease payment per year"), payment, self.cur, kind="annual"
            )
        )

    def one_time_services(self, units: list[_Unit]) -> None:
        for u in units:
            p = u.product
            w = self.words
            for what, cost in (
                (w.line_name("Installation: {product}", product=p.name), p.installation_cost),
                (w.line_name("Commissioning: {product}", product=p.name), p.commissioning_cost),
                (w.line_name("Training: {product}", product=p.name), p.training_cost),
            ):
                if cost > 0:
                    line = price_line(what, cost, self.cur, quantity=u.quantity)
                    self.sheet.append(line)
                    self.add(
                        name=_label(what, u.quantity),
                        category="installation",
                        amount=line.total,
                        year=0,
                    )

    def energy(self, units: list[_Unit]) -> None:
        price = self.qa.energy_price_per_kwh
        for u in units:
            if u.product.energy is None:
                continue
            if price is None:
                self.problems.append(
                    Problem(
                        "assumptions.energy_price_per_kwh",
                        f"required: {u.where} ({u.product.name}) draws energy",
                    )
                )
                return
            kwh = u.quantity * u.product.energy.kwh_per_hour * self.qa.operating_hours_per_year
            amount = round_money(_dec(kwh) * price, self.cur)
            if amount > 0:
                self.add(
                    name=self.words.line_name(
                        "Electricity: {product} ({kwh} kWh a year)",
                        product=_label(u.product.name, u.quantity),
                        kwh=self.words.number(kwh, 0),
                    ),
                    category="energy",
                    amount=amount,
                    every_years=1,
                    escalation=self.driver("energy"),
                )
                self.facts.energy_lines.setdefault(u.product.sku, []).append(self.costs[-1]["name"])

    def plan_terms(self, plan: ServicePlan | None) -> list[tuple[int, int, int]]:
        """The plan's terms within the study period as ``(from_year, until_year, renewal)``:
        the first term (renewal 0) and the renewals the request states. A plan without a term
        covers the whole study period."""
        if plan is None:
            return []
        renew = self.offer.renew
        term = plan.term_years
        if term is None:
            if renew is not None:
                self.problems.append(
                    Problem(
                        f"offers[{self.i}].renew",
                        f"service plan '{plan.code}' has no term: it covers the whole study "
                        "period and needs no renewal",
                    )
                )
            return [(1, self.n, 0)]
        terms: list[tuple[int, int, int]] = []
        k = 0
        while k * term + 1 <= self.n and (
            k == 0 or renew == "to_end" or (isinstance(renew, int) and k <= renew)
        ):
            terms.append((k * term + 1, min((k + 1) * term, self.n), k))
            k += 1
        return terms

    def maintenance(self, units: list[_Unit], plan: ServicePlan | None, plan_end: int) -> None:
        """Each task on its schedule; within the plan's cover (years 1..plan_end) the buyer pays
        the share the plan does not cover, after it the whole cost and a purchase order a visit."""
        covered = _dec(plan.maintenance_covered) if plan is not None else Decimal(0)
        for u in units:
            for task in u.product.maintenance:
                k = task.every_years
                if k > self.n:
                    continue
                until = min(task.until_year or self.n, self.n)
                name = f"{task.name}: {_label(u.product.name, u.quantity)}"
                if covered == 0:
                    runs = [(k, until, Decimal(0))]
                else:  # occurrences within the cover, then those after it
                    runs = [
                        (k, min(until, plan_end), covered),
                        ((plan_end // k + 1) * k, until, Decimal(0)),
                    ]
                for first, last, share in runs:
                    if first > last:
                        continue
                    schedule: dict[str, Any] = {"every_years": k, "until_year": last}
                    if first != k:
                        schedule["from_year"] = first
                    amount = round_money(task.cost * u.quantity * (1 - share), self.cur)
                    if amount > 0:
                        self.add(
                            name=name
                            if first == k
                            else self.words.line_name(
                                "{name} (from year {year})", name=name, year=first
                            ),
                            category="maintenance",
                            amount=amount,
                            escalation=self.driver("labor"),
                            **schedule,
                        )
                    if share == 0:
                        self.purchase_orders(
                            self.words.line_name("Purchase orders: {task}", task=task.name),
                            **schedule,
                        )

    def service(
        self, plan: ServicePlan | None, fee: Decimal, terms: list[tuple[int, int, int]]
    ) -> None:
        """The plan's fee in every year it covers (its term, then each renewal: the same
        base-year fee, escalated), and the buyer's purchase order for each term."""
        if plan is None:
            return
        self.sheet.append(
            price_line(
                self.words.line_name("Service plan {plan} per year", plan=plan.name),
                fee,
                self.cur,
                kind="annual",
                item=plan.code,
            )
        )
        driver = self.driver("labor")
        if plan.escalation_rate is not None:
            driver = f"quote_plan_{self.i}"
            self.drivers[driver] = (plan.escalation_rate,)
        for first, last, renewal in terms:
            w = self.words
            title = (
                w.line_name("Service plan {plan}, renewal {n}", plan=plan.name, n=renewal)
                if renewal
                else w.line_name("Service plan {plan}", plan=plan.name)
            )
            order = (
                w.line_name(
                    "Purchase order: service plan {plan}, renewal {n}", plan=plan.name, n=renewal
                )
                if renewal
                else w.line_name("Purchase order: service plan {plan}", plan=plan.name)
            )
            if fee > 0:
                schedule: dict[str, Any] = {"every_years": 1, "until_year": last}
                if first != 1:
                    schedule["from_year"] = first
                self.add(name=title, category="service", amount=fee, escalation=driver, **schedule)
            self.purchase_orders(order, year=first - 1)

    def failure_parts(self, units: list[_Unit]) -> tuple[float, float, list[_Part]] | None:
        """The offer's failure model as (scale, shape, parts): one product's profile (q units
        scale the characteristic life by q^(-1/shape)), or several constant-rate products
        combined into one rate, each part weighted by its failure rate."""
        with_profile: list[tuple[_Unit, FailureProfile]] = [
            (u, u.product.failures) for u in units if u.product.failures is not None
        ]
        if not with_profile:
            return None
        if len(with_profile) == 1:
            u, fp = with_profile[0]
            return fp.mtbf_hours * u.quantity ** (-1.0 / fp.shape), fp.shape, [_Part(1.0, fp, u)]
        if all(fp.shape == 1.0 for _, fp in with_profile):
            parts = [_Part(u.quantity / fp.mtbf_hours, fp, u) for u, fp in with_profile]
            return 1.0 / sum(p.rate for p in parts), 1.0, parts
        self.problems.append(
            Problem(
                f"offers[{self.i}].equipment",
                "only one product with a wear-out failure profile (shape other than 1) per "
                "offer; describe the others in offers of their own",
            )
        )
        return None

    def failures(
        self, units: list[_Unit], plan: ServicePlan | None, plan_end: int
    ) -> dict[str, Any] | None:
        """The failure model, with coverage periods for the years a warranty or the plan covers
        (repairs paid, downtime capped by the plan's response time, no repair orders)."""
        found = self.failure_parts(units)
        if found is None:
            return None
        scale, shape, parts = found
        self.facts.has_failures = True
        self.facts.failing = max(parts, key=lambda p: p.rate).unit.product.sku
        per_order = _six(_dec(self.qa.hours_per_repair_order) * self.effort())
        total_rate = sum(p.rate for p in parts)
        repair = (
            parts[0].profile.repair_cost
            if len(parts) == 1
            else _six(
                sum((_dec(p.rate) * p.profile.repair_cost for p in parts), Decimal(0))
                / _dec(total_rate)
            )
        )

        def terms(year: int) -> tuple[float, float, Decimal]:
            in_plan = plan is not None and year <= plan_end
            return _year_terms(parts, plan if in_plan else None, year, per_order)

        outside = _year_terms(parts, None, None, per_order)  # outside every cover
        by_year = [terms(k) for k in range(1, self.n + 1)]
        labels = [self.cover_label(units, plan, plan_end, k) for k in range(1, self.n + 1)]
        periods = _periods(by_year, labels, outside)
        if len(periods) == 1 and (periods[0][0], periods[0][1]) == (1, self.n):
            outside, periods = by_year[0], []  # covered every year: the model's own terms
        covered, down, order = outside
        self.facts.has_repairs = repair > 0
        model: dict[str, Any] = {
            "mtbf_hours": scale,
            "shape": shape,
            "repair_cost": repair,
            "escalation": self.driver("parts", "labor"),
            "downtime_hours": down,
            "covered_fraction": covered,
        }
        if per_order > 0:
            model["order_cost"] = order
            driver = self.driver("labor")
            if driver:
                model["order_escalation"] = driver
        if periods:
            model["periods"] = [
                {
                    "name": label or "Cover",
                    "from_year": first,
                    "until_year": last,
                    "covered_fraction": t[0],
                    "downtime_hours": t[1],
                    **({"order_cost": t[2]} if per_order > 0 else {}),
                }
                for first, last, t, label in periods
            ]
        return model

    def cover_label(
        self, units: list[_Unit], plan: ServicePlan | None, plan_end: int, year: int
    ) -> str:
        names = []
        if any(year <= u.product.warranty_years for u in units if u.product.failures):
            names.append(self.words.line_name("Warranty"))
        if plan is not None and year <= plan_end:
            term = plan.term_years
            renewal = 0 if term is None else (year - 1) // term
            names.append(
                self.words.line_name("{plan} (renewal {n})", plan=plan.name, n=renewal)
                if renewal
                else plan.name
            )
        return " + ".join(names)

    def coverage_terms(
        self,
        units: list[_Unit],
        plan: ServicePlan | None,
        fee: Decimal,
        terms: list[tuple[int, int, int]],
    ) -> None:
        """What the buyer is promised, term by term, for the document and the workbook."""
        oid = self.offer.id
        for u in units:
            w = min(u.product.warranty_years, self.n)
            if w > 0:
                self.coverage.append(
                    CoverageTerm(
                        offer_id=oid,
                        kind="warranty",
                        name=self.words.line_name("Warranty: {product}", product=u.product.name),
                        code=u.product.sku,
                        from_year=1,
                        until_year=w,
                        repair_covered=1.0,
                    )
                )
        if plan is None:
            return
        parts = [p for u in units if (p := _plan_part(u)) is not None]
        down = None
        if plan.response_hours is not None and parts:
            down = _year_terms(parts, plan, None, Decimal(0))[1]  # the plan alone
        for first, last, renewal in terms:
            self.coverage.append(
                CoverageTerm(
                    offer_id=oid,
                    kind="service_plan",
                    name=plan.name,
                    code=plan.code,
                    renewal=renewal,
                    from_year=first,
                    until_year=last,
                    repair_covered=plan.repair_covered,
                    maintenance_covered=plan.maintenance_covered,
                    response_hours=plan.response_hours,
                    downtime_hours=down,
                    uptime_promise=plan.uptime_promise,
                    annual_fee=fee,
                )
            )


class _Part:
    """One product's share of an offer's failures: its failure rate (a weight), its profile
    and its unit (for the warranty)."""

    def __init__(self, rate: float, profile: FailureProfile, unit: _Unit) -> None:
        self.rate = rate
        self.profile = profile
        self.unit = unit


def _plan_part(u: _Unit) -> _Part | None:
    fp = u.product.failures
    return None if fp is None else _Part(u.quantity / fp.mtbf_hours, fp, u)


def _year_terms(
    parts: list[_Part], plan: ServicePlan | None, year: int | None, per_order: Decimal
) -> tuple[float, float, Decimal]:
    """(covered fraction, downtime hours, repair-order cost) of the failures expected in a year,
    ``plan`` the plan covering that year (or None; ``year`` None: no warranty either). A product
    under warranty has its repairs paid; a plan pays its share and caps downtime at response +
    repair hours. A repair order
    is raised for each failure whose repair the buyer pays (none under a warranty or a plan
    that pays repairs). Several products: weighted by failure rate (and repair cost)."""

    def part_terms(p: _Part) -> tuple[float, float, bool]:
        fp = p.profile
        warranty = year is not None and year <= p.unit.product.warranty_years
        covered = 1.0 if warranty else 0.0
        down = fp.downtime_hours
        if plan is not None:
            covered = max(covered, plan.repair_covered)
            if plan.response_hours is not None:
                down = min(down, plan.response_hours + fp.repair_hours)
        order = not warranty and (plan is None or plan.repair_covered == 0)
        return covered, down, order

    if len(parts) == 1:
        covered, down, order = part_terms(parts[0])
        return covered, down, per_order if order else Decimal(0)
    each = [(p, *part_terms(p)) for p in parts]
    total = sum(p.rate for p in parts)
    cost = sum(p.rate * float(p.profile.repair_cost) for p in parts)
    covered = (
        sum(p.rate * float(p.profile.repair_cost) * c for p, c, _, _ in each) / cost
        if cost > 0
        else 0.0
    )
    down = sum(p.rate * d for p, _, d, _ in each) / total
    ordered = sum(p.rate for p, _, _, o in each if o) / total
    return covered, down, _six(per_order * _dec(ordered))


def _periods(
    by_year: list[tuple[float, float, Decimal]],
    labels: list[str],
    outside: tuple[float, float, Decimal],
) -> list[tuple[int, int, tuple[float, float, Decimal], str]]:
    """Runs of consecutive years (1-based) with the same terms and label, leaving out the years
    whose terms are those outside every cover."""
    runs: list[tuple[int, int, tuple[float, float, Decimal], str]] = []
    for k, (t, label) in enumerate(zip(by_year, labels, strict=True), start=1):
        if t == outside:
            continue
        if runs and runs[-1][1] == k - 1 and runs[-1][2] == t and runs[-1][3] == label:
            runs[-1] = (runs[-1][0], k, t, label)
        else:
            runs.append((k, k, t, label))
    return runs


def build_quote(
    request: QuoteRequest,
    assumptions: QuoteAssumptions,
    catalog: Catalog,
    words: Words = ENGLISH,
) -> BuiltQuote:
    """Expand a request into a scenario (module docstring) with its price sheets and snapshot.

    Raises :class:`~tco.core.errors.NotFoundError` for an unknown sku or plan or a missing price and
    :class:`QuoteRequestError` for a configuration that cannot be expanded, naming every problem.
    """
    qa = assumptions
    drivers: dict[str, tuple[float, ...]] = dict(qa.escalation)
    offers: list[dict[str, Any]] = []
    sheets: list[PriceSheet] = []
    problems: list[Problem] = []
    missing: list[Problem] = []
    skus: set[str] = set()
    plans: set[str] = set()
    coverage: list[CoverageTerm] = []
    facts: list[OfferFacts] = []
    ranges: dict[str, tuple[str, ProductRanges]] = {}
    for i in range(len(request.offers)):
        b = _OfferBuilder(request, qa, catalog, i, drivers, words)
        offer = b.build()
        for p in b.problems:
            (missing if "unknown" in p.message or "no price" in p.message else problems).append(p)
        offers.append(offer)
        sheets.append(price_sheet(request.offers[i].id, request.currency, b.sheet))
        skus |= b.skus
        plans |= b.plans
        coverage.extend(b.coverage)
        facts.append(b.facts)
        ranges.update(b.ranges)
    if missing:
        raise NotFoundError(missing + problems)
    if problems:
        raise QuoteRequestError(problems)
    raw = {
        "assumptions": {
            "currency": request.currency,
            "study_period_years": qa.study_period_years,
            "discount_rate": qa.discount_rate,
            "rate_basis": qa.rate_basis,
            "inflation": qa.inflation,
            "timing": qa.timing,
            "escalation": drivers,
            "operating_hours_per_year": qa.operating_hours_per_year,
            "downtime_cost_per_hour": qa.downtime_cost_per_hour,
        },
        "baseline": request.baseline,
        "offers": offers,
    }
    section = uncertainty_section(
        request.uncertainty,
        ranges,
        facts,
        (qa.discount_rate, float(qa.downtime_cost_per_hour)),
        words,
    )
    if isinstance(section, list):
        raise QuoteRequestError(section)
    if section is not None:
        raw["uncertainty"] = section.data
    scenario = _scenario(raw, section)
    return BuiltQuote(
        request=request,
        assumptions=qa,
        scenario=scenario,
        price_sheets=tuple(sheets),
        snapshot=catalog.snapshot(skus, plans),
        coverage=tuple(coverage),
    )


def _scenario(raw: dict[str, Any], section: Section | None) -> Scenario:
    """The built scenario; a problem of its uncertainty section is named by the request's
    range (or the catalog product) it came from."""
    try:
        return parse_scenario(raw)
    except ScenarioError as exc:
        if section is None:
            raise
        problems = []
        for p in exc.problems:
            m = re.match(r"uncertainty\.inputs\[(\d+)\]", p.path)
            where = section.origins[int(m.group(1))] if m else p.path
            problems.append(Problem(where, p.message))
        raise QuoteRequestError(problems) from None


class PricedQuote(FrozenModel):
    """A built quote with the engine's result (its recommendation in words is the presenters':
    :func:`tco.presenters.sentences.recommendation`)."""

    built: BuiltQuote
    result: ScenarioResult


#: The words of a quote's language (its ``locale``): :func:`tco.presenters.i18n.quote_words`.
WordsFor = Callable[[str], Words]


def rebuild(raw_request: Any, catalog: Catalog, words_for: WordsFor | None = None) -> BuiltQuote:
    """Parse and build a request against a catalog (or a saved version's snapshot) without
    evaluating it: what a saved version promised (its coverage terms), for its documents."""
    request, assumptions = parse_request(raw_request, catalog)
    words = words_for(request.locale) if words_for is not None else ENGLISH
    return build_quote(request, assumptions, catalog, words)


def price_quote(
    raw_request: Any, catalog: Catalog, words_for: WordsFor | None = None
) -> PricedQuote:
    """Parse, build and evaluate a quote request against a catalog (or a saved snapshot); the
    names it generates are in the request's language where ``words_for`` gives its words."""
    request, assumptions = parse_request(raw_request, catalog)
    words = words_for(request.locale) if words_for is not None else ENGLISH
    built = build_quote(request, assumptions, catalog, words)
    result = evaluate(built.scenario)
    return PricedQuote(built=built, result=result)
