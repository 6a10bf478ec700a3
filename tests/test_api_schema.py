"""Schemathesis against the OpenAPI document with every check, on SQLite and PostgreSQL.

The checks: no 5xx; documented status codes, content types, headers and response schemas; bad
keys refused; data the schema refuses is refused (422), data it accepts is accepted; methods the
schema does not list answer 405 with an ``Allow`` header naming exactly the path's methods.

Data the schema accepts may still be refused for rules JSON Schema cannot state: one field
against another (``year`` within ``study_period_years``, offer ids unique, ``baseline`` naming an
offer, ``valid_until`` after ``as_of``) or against the tenant's catalog (a sku it does not have).
A 422 is therefore expected for such data, and :func:`refusals_name_rules_the_schema_cannot_state`
checks every one of them: none may name a field's type, range, length, pattern or presence, which
the schema does state.

The evaluate endpoints are called with a configurator key; the quote, catalog and key endpoints
with an admin key (the tenant has the demo catalog) and without a key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from api.main import create_app
from api.settings import Settings
from tco import services
from tco.store import db
from tco.store.uow import UnitOfWork
from tests.apisupport import auth, live_server, make_key, postgres_database
from tests.test_store_support import demo_catalog

#: Status codes schema-valid requests may get: the defaults and, for cross-field rules, 422.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}}
)
SCHEMA = schemathesis.openapi.from_dict(
    create_app(Settings(access_log=False)).openapi(), config=CONFIG
)
EVALUATE = SCHEMA.include(path_regex=r"^/v1/evaluate")
OTHERS = SCHEMA.include(path_regex=r"^/(v1/(?!evaluate)|healthz|readyz)")

#: Messages of rules a field's schema states: a refusal of schema-valid data must not say these.
SINGLE_FIELD = re.compile(
    "|".join(
        (
            r"^(Input|String|Value|Tuple|List|Dictionary|Decimal input|Decimal|Date) should ",
            r"^must be (at least|at most|greater than|less than|between|a whole number|a number)",
            r"^must be (an amount|a date)",
            r"does not match the pattern",
            r"^unknown field$",
            r"^required field is missing$",
            r"is not one of: ",
            r"is not an amount",
            r"cannot be read as JSON",
            r"nested too deeply|integer too long",
        )
    )
)


@schemathesis.check
def refusals_name_rules_the_schema_cannot_state(ctx: Any, response: Any, case: Any) -> None:
    """A 422 for data the schema accepts names only cross-field or catalog rules."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return
    problems = json.loads(response.content).get("problems", [])
    stated = [p for p in problems if SINGLE_FIELD.search(p["message"])]
    assert not stated, f"schema-valid data refused for a rule the schema states: {stated}"


def _unsendable(case: schemathesis.Case) -> bool:
    """Whether the case's schema violations cannot reach the service: a query parameter of
    another type than text (``q=[5.1e-14]``) arrives as text, which may be valid, and the key
    headers are replaced by the test's own. A 2xx for such a case is right."""
    meta = case.meta
    if meta is None:
        return False
    negative = {loc for loc, info in meta.components.items() if not info.mode.is_positive}
    if not negative <= {ParameterLocation.QUERY, ParameterLocation.HEADER}:
        return False
    if ParameterLocation.QUERY in negative:
        return any(not isinstance(v, str) for v in (case.query or {}).values())
    return True


def _call(case: schemathesis.Case, base: str, headers: dict[str, str] | None = None) -> None:
    response = case.call(base_url=base, headers=headers)
    negative = case.meta is not None and not case.meta.generation.mode.is_positive
    if response.status_code == 413 and negative:
        # schema-violating data (a logo beyond its length) made the body larger than the
        # service takes: refused before it is read, which is a refusal too
        return
    if negative and response.status_code < 300 and _unsendable(case):
        return
    case.validate_response(
        response,
        additional_checks=[refusals_name_rules_the_schema_cannot_state],
        headers=headers,
    )


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "postgres":
        with postgres_database() as u:
            yield u
    else:
        u = f"sqlite:///{Path(tmp_path_factory.mktemp('schema')) / 'tco.db'}"
        yield u
        db.dispose(u)


@pytest.fixture(scope="module")
def base(url: str) -> Iterator[str]:
    with live_server(Settings(database_url=url, access_log=False)) as b:
        yield b


@pytest.fixture(scope="module")
def key(url: str, base: str) -> str:
    return make_key(url, "schema", "configurator")


@pytest.fixture(scope="module")
def admin(url: str, base: str) -> str:
    services.import_catalog(UnitOfWork("schema", url=url), demo_catalog(), source="demo", by="t")
    return make_key(url, "schema", "admin")


@EVALUATE.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_evaluate_endpoints_conform(case: schemathesis.Case, base: str, key: str) -> None:
    _call(case, base, auth(key))


@OTHERS.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_other_endpoints_conform_with_an_admin_key(
    case: schemathesis.Case, base: str, admin: str
) -> None:
    _call(case, base, auth(admin))


@OTHERS.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_other_endpoints_conform_without_a_key(case: schemathesis.Case, base: str) -> None:
    _call(case, base)


# --------------------------------------------------------------------------------------------
# The mismatches schemathesis found, one by one


def test_a_method_the_path_does_not_have_gets_405_naming_all_its_methods(
    url: str, base: str, admin: str
) -> None:
    import httpx

    for path, allowed in (
        ("/v1/quotes", "GET, POST"),
        ("/v1/catalog", "GET, PUT"),
        ("/v1/keys", "GET, POST"),
        ("/v1/evaluate", "POST"),
    ):
        for method in ("OPTIONS", "PATCH", "TRACE"):
            r = httpx.request(method, base + path, headers=auth(admin))
            assert r.status_code == 405, (method, path)
            assert r.headers["allow"] == allowed, (method, path)
            assert r.headers["content-type"] == "application/problem+json"


def test_a_revoked_key_is_listed_with_a_time_zone(url: str, base: str, admin: str) -> None:
    import httpx

    made = httpx.post(base + "/v1/keys", json={"role": "configurator"}, headers=auth(admin))
    assert made.status_code == 201, made.text
    assert httpx.delete(base + f"/v1/keys/{made.json()['id']}", headers=auth(admin)).is_success
    (listed,) = [
        k
        for k in httpx.get(base + "/v1/keys", headers=auth(admin)).json()["items"]
        if k["id"] == made.json()["id"]
    ]
    for field in ("created_at", "revoked_at"):
        assert re.search(r"(Z|[+-]\d\d:\d\d)$", listed[field]), listed


def test_a_key_label_with_control_characters_is_stored_cleaned(
    url: str, base: str, admin: str
) -> None:
    """A NUL byte cannot be stored in PostgreSQL's text (it was a 500): a label is cleaned as
    every text from users is, on SQLite and PostgreSQL alike."""
    import httpx

    made = httpx.post(
        base + "/v1/keys",
        json={"role": "configurator", "label": "shop\x00 front\u202e\tdesk"},
        headers=auth(admin),
    )
    assert made.status_code == 201, made.text
    (listed,) = [
        k
        for k in httpx.get(base + "/v1/keys", headers=auth(admin)).json()["items"]
        if k["id"] == made.json()["id"]
    ]
    assert listed["label"] == "shop front desk"


@pytest.mark.parametrize(
    ("target", "path", "message"),
    [
        ("/v1/customers?q=%00w", "query.q", "holds a NUL character"),
        ("/v1/customers?q=a&q=b", "query.q", "is given 2 times; give it once"),
        ("/v1/quotes/Q%00-1", "path", "the path holds a NUL character"),
    ],
)
def test_a_nul_or_a_repeated_parameter_is_a_422_naming_it(
    base: str, admin: str, target: str, path: str, message: str
) -> None:
    """A NUL in a search text was a 500 on PostgreSQL (found by the schema tests)."""
    import httpx

    r = httpx.get(base + target, headers=auth(admin))
    assert r.status_code == 422, r.text
    (problem,) = r.json()["problems"]
    assert problem["path"] == path
    assert problem["message"].startswith(message)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"operating_hours_per_year": False}, "assumptions.operating_hours_per_year"),
        ({"operating_hours_per_year": "4000"}, "assumptions.operating_hours_per_year"),
        ({"discount_rate": "0"}, "assumptions.discount_rate"),
        ({"study_period_years": "10"}, "assumptions.study_period_years"),
        ({"downtime_cost_per_hour": "1e3"}, "assumptions.downtime_cost_per_hour"),
        ({"downtime_cost_per_hour": "-0"}, "assumptions.downtime_cost_per_hour"),
        ({"escalation": {"energy": ["0.03"]}}, "assumptions.escalation.energy[0]"),
    ],
)
def test_numbers_as_text_or_true_false_are_refused_as_the_schema_says(
    base: str, key: str, change: dict[str, Any], path: str
) -> None:
    import httpx

    from tco.core.scenario import read_file
    from tests.conftest import EXAMPLES

    scenario = read_file(EXAMPLES / "compressor.yaml")
    scenario["assumptions"].update(change)
    r = httpx.post(base + "/v1/evaluate", json=scenario, headers=auth(key))
    assert r.status_code == 422, r.text
    assert path in [p["path"] for p in r.json()["problems"]]


def test_the_schema_states_the_bounds_validation_applies() -> None:
    """Bounds given as numbers the schema knows (``minimum``, not pydantic's ``ge``), rates up
    to 1000 %, amounts as plain decimal strings, and a visible character in every name."""
    doc = SCHEMA.raw_schema
    schemas = doc["components"]["schemas"]
    text = json.dumps(schemas)
    assert '"ge":' not in text
    assert '"le":' not in text
    period = schemas["AssumptionsInput"]["properties"]["study_period_years"]
    assert (period["minimum"], period["maximum"]) == (1, 100)
    rates = schemas["AssumptionsInput"]["properties"]["escalation"]["additionalProperties"]
    assert all(
        form.get("maximum", form.get("items", {}).get("maximum")) == 10 for form in rates["anyOf"]
    )
    amount = schemas["CostLineInput"]["properties"]["amount"]["anyOf"][1]
    assert amount["type"] == "string"
    assert re.fullmatch(amount["pattern"], "-1250.50")
    assert not re.fullmatch(amount["pattern"], "1e3")
    assert "pattern" in schemas["CostLineInput"]["properties"]["name"]
