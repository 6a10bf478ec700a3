"""Hostile and heavy input at the front door: deep nesting, huge integers, dates out of range,
the batch limit and large batches beside small requests. Never a 500, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from api import evaluation
from api.main import create_app
from api.settings import Settings
from tco import services
from tco.cli.main import app as cli
from tco.core.errors import InputFileError, ScenarioError
from tco.core.scenario import input_limit_problems, read_data, read_file
from tco.quoting.requests import QuoteRequestError, parse_request
from tco.store.uow import UnitOfWork
from tests.apisupport import auth, live_server, make_key, paths, problem
from tests.test_store_support import demo_catalog, demo_request

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
TINY: dict[str, Any] = {
    "assumptions": {"currency": "EUR", "study_period_years": 1, "discount_rate": 0.05},
    "offers": [{"id": "a", "costs": []}],
}


def nested(levels: int) -> str:
    """JSON of ``levels`` lists, one inside the other."""
    return "[" * levels + "]" * levels


def scenario() -> dict[str, Any]:
    data = read_file(ROOT / "examples" / "compressor.yaml")
    assert isinstance(data, dict)
    return json.loads(json.dumps(data, default=str))


def quote_request() -> dict[str, Any]:
    return json.loads(json.dumps(demo_request(), default=str))


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'tco.db'}"


@pytest.fixture(scope="module")
def base(url: str) -> Iterator[str]:
    with live_server(Settings(database_url=url, access_log=False)) as b:
        yield b


@pytest.fixture(scope="module")
def http(url: str, base: str) -> Iterator[httpx.Client]:
    """One kept-alive connection for the whole module, with an admin key: a 500 that dropped
    the connection would fail the next request too."""
    services.import_catalog(UnitOfWork("acme", url=url), demo_catalog(), source="t", by="t")
    key = make_key(url, "acme", "admin")
    with httpx.Client(base_url=base, headers=auth(key), timeout=60) as c:
        yield c


def send(http: httpx.Client, method: str, path: str, body: str | bytes) -> httpx.Response:
    return http.request(method, path, content=body, headers={"Content-Type": "application/json"})


# -- deep nesting ---------------------------------------------------------------------------------

BODIES = {
    "/v1/evaluate": lambda inner: '{"assumptions": ' + inner + ', "offers": []}',
    "/v1/evaluate/batch": lambda inner: '{"scenarios": [' + inner + "]}",
    "/v1/quotes": lambda inner: '{"customer": ' + inner + "}",
    "/v1/catalog": lambda inner: '{"products": ' + inner + "}",
}


@pytest.mark.parametrize("levels", [65, 1_000, 100_000])
@pytest.mark.parametrize("path", list(BODIES))
def test_a_body_nested_too_deeply_is_422_naming_body(
    http: httpx.Client, path: str, levels: int
) -> None:
    method = "PUT" if path == "/v1/catalog" else "POST"
    doc = problem(send(http, method, path, BODIES[path](nested(levels - 1))), 422)
    assert paths(doc) == ["body"]
    assert "nested too deeply" in doc["detail"]
    assert "64" in doc["problems"][0]["message"]


def test_64_levels_are_not_refused_for_their_depth(http: httpx.Client) -> None:
    doc = problem(send(http, "POST", "/v1/evaluate", BODIES["/v1/evaluate"](nested(63))), 422)
    assert "nested too deeply" not in doc["detail"]
    assert "assumptions" in paths(doc)


def test_a_large_body_nested_too_deeply_is_422_naming_body(http: httpx.Client) -> None:
    # over the size parsed in pieces: the same limit
    items = [scenario()] * 30 + [json.loads(nested(70))]
    body = json.dumps({"scenarios": items})
    assert len(body) > evaluation.PIECES_BYTES
    doc = problem(send(http, "POST", "/v1/evaluate/batch", body), 422)
    assert paths(doc) == ["body"]
    assert "nested too deeply" in doc["detail"]


def test_a_revision_nested_too_deeply_is_422(http: httpx.Client) -> None:
    created = http.post("/v1/quotes", json=quote_request())
    assert created.status_code == 201, created.text
    number = created.json()["quote"]["number"]
    target = f"/v1/quotes/{number}/revisions"
    doc = problem(send(http, "POST", target, '{"changes": {"x": ' + nested(70) + "}}"), 422)
    assert paths(doc) == ["changes"]
    assert "nested too deeply" in doc["detail"]
    doc = problem(send(http, "POST", target, '{"changes": ' + nested(100_000) + "}"), 422)
    assert paths(doc) == ["body"]
    assert "nested too deeply" in doc["detail"]
    doc = problem(send(http, "POST", target, '{"changes": {"valid_days": %s}}' % ("7" * 5001)), 422)
    assert paths(doc) == ["body"]
    assert "digits" in doc["detail"]
    assert http.get(f"/v1/quotes/{number}").json()["quote"]["current_version"] == 1


# -- huge integers --------------------------------------------------------------------------------


def test_an_integer_of_5001_digits_is_422(http: httpx.Client) -> None:
    for path in ("/v1/evaluate", "/v1/evaluate/batch", "/v1/quotes"):
        doc = problem(send(http, "POST", path, '{"x": %s}' % ("1" * 5001)), 422)
        assert paths(doc) == ["body"]
        assert "too many digits" in doc["detail"]
        assert "at most 100" in doc["detail"]


def test_an_integer_over_100_digits_is_422_naming_its_path(http: httpx.Client) -> None:
    body = scenario()
    body["offers"][0]["costs"][0]["amount"] = 10**150
    doc = problem(http.post("/v1/evaluate", json=body), 422)
    assert doc["problems"] == [
        {"path": "offers[0].costs[0].amount", "message": "integer too long: more than 100 digits"}
    ]
    doc = problem(http.post("/v1/evaluate/batch", json={"scenarios": [scenario(), body]}), 422)
    assert paths(doc) == ["scenarios[1].offers[0].costs[0].amount"]


def test_long_digit_runs_in_strings_are_no_problem(http: httpx.Client) -> None:
    body = scenario()
    body["offers"][0]["name"] = "7" * 150
    r = http.post("/v1/evaluate", json=body)
    assert r.status_code == 200, r.text


# -- quote dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("as_of", "9999-12-31"),
        ("as_of", "0001-01-01"),
        ("as_of", "1999-12-31"),
        ("as_of", "2200-01-01"),
        ("valid_until", "9999-12-31"),
    ],
)
def test_quote_dates_out_of_range_are_422_naming_the_field(
    http: httpx.Client, field: str, value: str
) -> None:
    doc = problem(http.post("/v1/quotes", json={**quote_request(), field: value}), 422)
    assert paths(doc) == [field]
    assert doc["problems"][0]["message"] == (
        f"must be between 2000-01-01 and 2199-12-31, got {value}"
    )


def test_the_latest_date_with_the_longest_validity_is_a_quote(http: httpx.Client) -> None:
    r = http.post("/v1/quotes", json={**quote_request(), "as_of": "2199-12-31", "valid_days": 3650})
    assert r.status_code == 201, r.text
    quote = r.json()["quote"]
    assert quote["number"].startswith("Q-2199-")
    assert quote["valid_until"] == str(date(2199, 12, 31) + timedelta(days=3650))


def test_a_revision_to_a_date_out_of_range_is_422_and_saves_nothing(http: httpx.Client) -> None:
    number = http.post("/v1/quotes", json=quote_request()).json()["quote"]["number"]
    for value in ("9999-12-31", "0001-01-01"):
        r = http.post(f"/v1/quotes/{number}/revisions", json={"changes": {"as_of": value}})
        assert paths(problem(r, 422)) == ["as_of"]
    assert http.get(f"/v1/quotes/{number}").json()["quote"]["current_version"] == 1


def test_the_quote_request_bounds_its_dates() -> None:
    raw = {**demo_request(), "as_of": date(1999, 12, 31)}
    with pytest.raises(QuoteRequestError) as caught:
        parse_request(raw, demo_catalog())
    assert [p.path for p in caught.value.problems] == ["as_of"]


# -- the batch limit ------------------------------------------------------------------------------


def test_the_configured_batch_limit_is_the_one_limit() -> None:
    settings = Settings(
        max_batch_scenarios=1200, max_body_bytes=1 << 23, open_evaluate=True, access_log=False
    )
    with live_server(settings) as b, httpx.Client(base_url=b, timeout=120) as c:
        r = c.post("/v1/evaluate/batch", json={"scenarios": [TINY] * 1200})
        assert r.status_code == 200, r.text[:500]
        assert len(r.json()["results"]) == 1200
        doc = problem(c.post("/v1/evaluate/batch", json={"scenarios": [TINY] * 1201}), 422)
        assert paths(doc) == ["scenarios"]
        assert "1201" in doc["detail"]
        assert "limit of 1200" in doc["detail"]
        operation = c.get("/openapi.json").json()["paths"]["/v1/evaluate/batch"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["scenarios"]["maxItems"] == 1200
    assert "1,200" in operation["summary"]


def test_a_small_limit_is_stated_and_enforced() -> None:
    app = create_app(Settings(max_batch_scenarios=3, access_log=False))
    operation = app.openapi()["paths"]["/v1/evaluate/batch"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["scenarios"]["maxItems"] == 3
    with pytest.raises(ScenarioError, match="limit of 3"):
        evaluation.evaluate_batch_body(json.dumps({"scenarios": [TINY] * 4}).encode(), limit=3)


# -- a large batch beside small requests ----------------------------------------------------------


@pytest.mark.slow
def test_a_large_batch_does_not_hold_up_small_evaluations() -> None:
    small = json.dumps(scenario()).encode()
    batch = json.dumps({"scenarios": [scenario()] * 1000}).encode()
    settings = Settings(max_body_bytes=2 * len(batch), open_evaluate=True, access_log=False)
    with live_server(settings) as b, httpx.Client(base_url=b, timeout=120) as c:
        headers = {"Content-Type": "application/json"}
        assert c.post("/v1/evaluate", content=small, headers=headers).status_code == 200
        span: list[float] = []
        outcome: list[int] = []

        def post_batch() -> None:
            with httpx.Client(base_url=b, timeout=120) as other:
                start = time.perf_counter()
                r = other.post("/v1/evaluate/batch", content=batch, headers=headers)
                span.extend([start, time.perf_counter()])
                outcome.append(r.status_code)

        thread = threading.Thread(target=post_batch)
        thread.start()
        latencies: list[float] = []
        while thread.is_alive():
            start = time.perf_counter()
            r = c.post("/v1/evaluate", content=small, headers=headers)
            latencies.append(time.perf_counter() - start)
            assert r.status_code == 200
        thread.join()
    assert outcome == [200]
    duration = span[1] - span[0]
    worst = max(latencies)
    print(
        f"\nbatch of 1,000 in {duration * 1000:.0f} ms; {len(latencies)} small evaluations "
        f"meanwhile, the slowest in {worst * 1000:.1f} ms"
    )
    # priced on the event loop, one small request would wait for (nearly) the whole batch
    assert len(latencies) >= 5
    assert worst < duration / 4


def test_the_collector_is_paused_during_a_batch_and_on_again_after() -> None:
    import gc

    assert gc.isenabled()
    with evaluation.collector_paused():
        assert not gc.isenabled()
        with evaluation.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_batch_body_is_the_same_bytes_as_the_document() -> None:
    raw = json.dumps({"scenarios": [scenario(), TINY, scenario()] * 30}, indent=1).encode()
    assert len(raw) > evaluation.PIECES_BYTES  # parsed in pieces
    whole = evaluation.dumps(evaluation.evaluate_batch_document(json.loads(raw), limit=1000))
    assert evaluation.evaluate_batch_body(raw, limit=1000) == whole


# -- files read by the command line ---------------------------------------------------------------

FILES = {
    "deep.yaml": "assumptions: " + nested(100_000) + "\n",
    "deep-walk.yaml": "assumptions: " + nested(100) + "\n",
    "deep.json": '{"assumptions": ' + nested(100_000) + "}",
    "deep-walk.json": '{"assumptions": ' + nested(100) + "}",
    "anchor.yaml": "assumptions: &a [*a]\n",
    "long.yaml": "assumptions:\n  discount_rate: " + "1" * 5001 + "\n",
    "long.json": '{"assumptions": {"discount_rate": ' + "1" * 5001 + "}}",
}


@pytest.mark.parametrize("name", list(FILES))
def test_the_cli_refuses_hostile_files_with_one_line(tmp_path: Path, name: str) -> None:
    f = tmp_path / name
    f.write_text(FILES[name], encoding="utf-8")
    out = runner.invoke(cli, ["evaluate", str(f)])
    assert out.exit_code == 2, out.output
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(f"error: {f}: ")
    assert "nested too deeply" in lines[0] or "integer too long" in lines[0]
    assert "Traceback" not in out.output


def test_the_cli_command_refuses_a_deeply_nested_yaml_file(tmp_path: Path) -> None:
    f = tmp_path / "deep.yaml"
    f.write_text(FILES["deep.yaml"], encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "tco", "evaluate", str(f)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f"error: {f}: nested too deeply: more than 64 levels of mappings and lists"
    ]


def test_read_data_limits() -> None:
    assert read_data(nested(64)) is not None
    with pytest.raises(InputFileError, match="nested too deeply"):
        read_data(nested(65))
    with pytest.raises(InputFileError) as caught:
        read_data("a:\n  b: [1, " + "9" * 101 + "]\n", source="f.yaml")
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("a.b[1]", "integer too long: more than 100 digits")
    ]
    assert read_data("a: " + "9" * 100) == {"a": int("9" * 100)}
    assert input_limit_problems({"a": [{"b": 1}]}) == []


# -- found by the schema run over every endpoint ----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("/v1/ledger/customers?as_of=0", "as_of"),  # read as 1970-01-01 before
        ("/v1/followup?as_of=2026-02-31", "query.as_of"),  # a 500 before the pattern
        ("/v1/assets?offset=58614179489084776448", "offset"),  # a 500 (integer overflow) before
        ("/v1/customers?q=a&q=b", "query.q"),  # the last one won before
        ("/v1/quotes?limit=5&limit=6", "query.limit"),
    ],
)
def test_query_parameters_out_of_shape_are_refused_by_name(
    http: httpx.Client, path: str, where: str
) -> None:
    doc = problem(http.get(path), 422)
    assert any(where in p for p in paths(doc)), doc


def test_a_data_sheet_keeps_every_figure_it_accepts(http: httpx.Client) -> None:
    """The library keeps 4 decimal places of a figure: 1e-7 hours read back as 0 (a 500 on
    the next read); such a figure is refused, a rounder one is kept exactly."""
    sheet = {
        "code": "tiny",
        "maker": "M",
        "name": "N",
        "currency": "EUR",
        "price": 1000,
        "life_years": 10,
        "mtbf_hours": 1e-7,
        "source": "data sheet",
        "source_date": "2026-01-05",
    }
    doc = problem(http.post("/v1/competitors", json=sheet), 422)
    assert paths(doc) == ["mtbf_hours"]
    made = http.post("/v1/competitors", json={**sheet, "mtbf_hours": 1234.5678})
    assert made.status_code == 201, made.text
    again = http.get(f"/v1/competitors/{made.json()['id']}")
    assert again.status_code == 200, again.text
    assert again.json()["sheet"]["mtbf_hours"] == 1234.5678


def test_an_amount_written_with_an_exponent_reads_back(http: httpx.Client) -> None:
    """A JSON number such as 1e-7 is an amount; a catalog saved with it is read again (a 422
    on the next import before: the amount was written back as '1E-7')."""
    data = {
        "price_books": [
            {
                "id": "tiny",
                "currency": "EUR",
                "valid_from": "2026-01-01",
                "prices": [{"item": "CMP-VSD-37", "price": 1e-7}],
            }
        ]
    }
    first = http.put("/v1/catalog", json=data)
    assert first.status_code in (200, 201), first.text
    second = http.put("/v1/catalog", json={"price_books": []})
    assert second.status_code in (200, 201), second.text


@pytest.mark.parametrize("key", ["%C2%B3", "9" * 30])
def test_a_key_id_of_other_digits_or_beyond_an_integer_is_not_found(
    http: httpx.Client, key: str
) -> None:
    """'³' is a digit to str.isdigit and int() refuses it; 30 digits overflow PostgreSQL's
    integer: both were 500s."""
    problem(http.delete(f"/v1/keys/{key}"), 404)


def test_a_malformed_authorization_header_is_refused_beside_a_good_key(
    http: httpx.Client, base: str
) -> None:
    key = http.headers["Authorization"].removeprefix("Bearer ")
    r = httpx.get(base + "/v1/quotes", headers={"X-API-Key": key, "Authorization": "Basic eDp5"})
    assert problem(r, 401)["detail"] == "the Authorization header must be 'Bearer <key>'"
    assert httpx.get(base + "/v1/quotes", headers={"X-API-Key": key}).status_code == 200


def test_a_customer_name_taken_already_is_a_conflict_also_beyond_ascii(
    http: httpx.Client,
) -> None:
    """SQLite lowers ASCII letters only: the second 'Ölwerk Ädler' passed the check and hit the
    unique constraint (a 500)."""
    body = {"name": "Ölwerk Ädler", "segment": "standard"}
    assert http.post("/v1/customers", json=body).status_code == 201
    problem(http.post("/v1/customers", json=body), 409)
