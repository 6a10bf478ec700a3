"""POST /v1/evaluate and /v1/evaluate/batch, problems, limits, health, metrics and OpenAPI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.settings import Settings
from tco.core.scenario import read_file
from tests.apisupport import auth, live_server, make_key, paths, problem
from tests.scenarios import overflowing

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('api') / 'tco.db'}"


@pytest.fixture(scope="module")
def base(url: str) -> Iterator[str]:
    with live_server(Settings(database_url=url, open_evaluate=False, access_log=False)) as b:
        yield b


@pytest.fixture(scope="module")
def key(url: str, base: str) -> str:
    return make_key(url, "acme", "configurator")


@pytest.fixture(scope="module")
def client(base: str, key: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, headers=auth(key), timeout=30) as c:
        yield c


def scenario(name: str = "compressor.yaml") -> dict[str, Any]:
    data = read_file(ROOT / "examples" / name)
    assert isinstance(data, dict)
    return json.loads(json.dumps(data, default=str))


def cli_json(path: Path) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "tco", "evaluate", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return out.stdout


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_evaluate_returns_exactly_what_the_cli_prints(client: httpx.Client, path: Path) -> None:
    body = json.dumps(read_file(path), default=str)
    r = client.post("/v1/evaluate", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    printed = cli_json(path)
    assert r.json() == json.loads(printed)
    assert json.dumps(r.json(), indent=2, allow_nan=False) + "\n" == printed


def test_a_batch_is_one_result_per_scenario_in_order(client: httpx.Client) -> None:
    items = [scenario("compressor.yaml"), scenario("cnc.yaml"), scenario("compressor.yaml")]
    r = client.post("/v1/evaluate/batch", json={"scenarios": items})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["offers"][0]["id"] for x in results] == [s["offers"][0]["id"] for s in items]
    single = client.post("/v1/evaluate", json=items[1]).json()
    assert results[1]["comparison"]["recommended"] == single["comparison"]["recommended"]
    for a, b in zip(results[1]["offers"], single["offers"], strict=True):
        assert a["lifetime_cost"] == pytest.approx(b["lifetime_cost"], rel=1e-12)


def test_a_batch_names_the_scenario_of_each_problem(client: httpx.Client) -> None:
    bad = scenario()
    bad["offers"][0]["costs"][2]["every_years"] = 0
    worse = scenario()
    worse["offers"][1]["colour"] = "red"
    r = client.post("/v1/evaluate/batch", json={"scenarios": [scenario(), bad, scenario(), worse]})
    doc = problem(r, 422)
    assert "scenarios[1].offers[0].costs[2].every_years" in paths(doc)
    assert "scenarios[3].offers[1].colour" in paths(doc)


def test_a_batch_over_the_limit_is_refused(client: httpx.Client) -> None:
    tiny = {
        "assumptions": {"currency": "EUR", "study_period_years": 1, "discount_rate": 0.05},
        "offers": [{"id": "a", "costs": []}],
    }
    doc = problem(client.post("/v1/evaluate/batch", json={"scenarios": [tiny] * 1001}), 422)
    assert paths(doc) == ["scenarios"]
    assert "1001" in doc["problems"][0]["message"]
    doc = problem(client.post("/v1/evaluate/batch", json={"scenarios": [], "x": 1}), 422)
    assert set(paths(doc)) == {"x", "scenarios"}


def test_every_scenario_problem_is_named_by_its_path(client: httpx.Client) -> None:
    raw = scenario()
    raw["offers"][1]["costs"][2]["every_years"] = 0
    raw["offers"][0]["costs"][0]["colour"] = "red"
    raw["baseline"] = "nobody"
    doc = problem(client.post("/v1/evaluate", json=raw), 422)
    assert {"offers[1].costs[2].every_years", "offers[0].costs[0].colour", "baseline"} <= set(
        paths(doc)
    )
    assert doc["instance"] == "/v1/evaluate"
    assert doc["request_id"]


@pytest.mark.parametrize(
    ("body", "where", "words"),
    [
        (b"", "body", "empty"),
        (b'{"assumptions": ', "body", "invalid JSON at line 1"),
        (b"\xff\xfe", "body", "UTF-8"),
        (b"[1, 2]", "", "mapping"),
        (b'{"offers": []}', "assumptions", "required"),
    ],
)
def test_malformed_bodies_get_problem_documents(
    client: httpx.Client, body: bytes, where: str, words: str
) -> None:
    doc = problem(client.post("/v1/evaluate", content=body), 422)
    assert any(p["path"] == where and words in p["message"] for p in doc["problems"]), doc


def test_bodies_over_one_megabyte_get_413(client: httpx.Client) -> None:
    big = b'{"pad": "' + b"x" * 1_100_000 + b'"}'
    problem(client.post("/v1/evaluate", content=big), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        yield b'{"pad": "'
        for _ in range(20):
            yield b"x" * 60_000
        yield b'"}'

    problem(client.post("/v1/evaluate", content=chunks()), 413)


def test_requests_without_a_valid_key_get_401(base: str) -> None:
    with httpx.Client(base_url=base) as anonymous:
        r = anonymous.post("/v1/evaluate", json=scenario())
        problem(r, 401)
        assert r.headers["www-authenticate"].startswith("Bearer")
        problem(anonymous.post("/v1/evaluate", json=scenario(), headers=auth("tco_nope")), 401)
        bogus = "tco_abcdefgh_" + "x" * 43
        problem(anonymous.post("/v1/evaluate/batch", json={}, headers={"X-API-Key": bogus}), 401)


def test_the_open_evaluate_setting_lets_anonymous_callers_evaluate(url: str) -> None:
    with live_server(Settings(database_url=url, open_evaluate=True, access_log=False)) as b:
        r = httpx.post(f"{b}/v1/evaluate", json=scenario())
        assert r.status_code == 200
        problem(httpx.get(f"{b}/v1/quotes"), 401)


def test_the_request_id_is_echoed_or_made(client: httpx.Client) -> None:
    r = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert len(r.headers["x-request-id"]) == 32
    doc = problem(client.get("/v1/nothing-here"), 404)
    assert doc["request_id"]


def test_health_readiness_and_metrics(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    client.post("/v1/evaluate", content=b"{")
    text = client.get("/metrics").text
    assert 'tco_http_requests_total{method="POST",route="/v1/evaluate",status="422"}' in text
    assert (
        'tco_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz"' in text
    )


def test_readyz_is_503_when_the_database_is_unreachable() -> None:
    settings = Settings(
        database_url="postgresql://nobody@127.0.0.1:1/none", access_log=False, open_evaluate=True
    )
    with live_server(settings) as b:
        problem(httpx.get(f"{b}/readyz", timeout=30), 503)
        assert httpx.get(f"{b}/healthz").status_code == 200


def test_the_openapi_document_has_the_compressor_example(client: httpx.Client) -> None:
    doc = client.get("/openapi.json").json()
    body = doc["paths"]["/v1/evaluate"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/ScenarioInput"}
    assert body["examples"]["compressor"]["value"] == scenario()
    assert "ScenarioResult" in json.dumps(doc["paths"]["/v1/evaluate"]["post"]["responses"])
    assert doc["components"]["schemas"]["CostLineInput"]["properties"]["every_years"]
    batch = doc["paths"]["/v1/evaluate/batch"]["post"]["requestBody"]["content"]
    assert batch["application/json"]["schema"]["properties"]["scenarios"]["maxItems"] == 1000
    quote = doc["paths"]["/v1/quotes"]["post"]
    assert quote["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "QuoteRequestInput"
    )


def test_numbers_that_overflow_are_refused_by_name(client: httpx.Client) -> None:
    extreme = overflowing()
    doc = problem(client.post("/v1/evaluate", json=extreme), 422)
    assert paths(doc) == ["offers[1]"]
    doc = problem(client.post("/v1/evaluate/batch", json={"scenarios": [extreme]}), 422)
    assert paths(doc) == ["scenarios[0].offers[1]"]


def test_nothing_non_finite_is_ever_written_as_null() -> None:
    from api.evaluation import dumps
    from tco.core.errors import ScenarioError

    assert dumps({"a": 1.5, "b": None}) == b'{"a":1.5,"b":null}'
    with pytest.raises(ScenarioError, match=r"non-finite offers\[0\]\.x"):
        dumps({"offers": [{"x": float("inf")}]})


def test_a_nan_in_a_result_is_refused_even_beside_legitimate_nulls() -> None:
    from api.evaluation import dumps
    from tco.core.errors import ScenarioError
    from tco.core.results import evaluate_json
    from tco.core.scenario import parse_scenario

    document = evaluate_json(parse_scenario(scenario("cnc.yaml")))
    assert b"null" in dumps(document)  # the CNC comparison holds nulls, written as such
    for where in ("cash_flows", "comparison"):
        broken = json.loads(json.dumps(document))
        if where == "cash_flows":
            broken["offers"][0]["cash_flows"]["present_value"][3] = float("nan")
            expected = r"offers\[0\]\.cash_flows\.present_value\[3\]"
        else:
            first = next(iter(broken["comparison"]["offers"].values()))
            first["irr"] = float("nan")
            expected = r"comparison\.offers\.\w+\.irr"
        with pytest.raises(ScenarioError, match=expected):
            dumps(broken)


def test_overlapping_coverage_periods_are_refused_with_422_by_path(client: httpx.Client) -> None:
    bad = scenario()
    bad["offers"][0]["failures"]["periods"] = [
        {"from_year": 1, "until_year": 3, "covered_fraction": 1.0},
        {"from_year": 2, "until_year": 4, "downtime_hours": 2},
    ]
    doc = problem(client.post("/v1/evaluate", json=bad), 422)
    assert "offers[0].failures.periods[1].from_year" in paths(doc)
    assert "overlaps periods[0] (years 1..3)" in json.dumps(doc)
