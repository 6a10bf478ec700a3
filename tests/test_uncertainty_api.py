"""The evaluate endpoints with an ``uncertainty`` section: the block the command line prints,
the tenant's limit on draws (422 naming it), and every refusal by its path (422)."""

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
from tests.apisupport import auth, live_server, make_key, paths, problem
from tests.test_uncertainty import CNC_INPUTS, REFUSALS, example, refused

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 5000


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('api') / 'tco.db'}"


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[httpx.Client]:
    settings = Settings(database_url=url, open_evaluate=False, access_log=False, max_draws=LIMIT)
    with live_server(settings) as base:
        key = make_key(url, "acme", "configurator")
        with httpx.Client(base_url=base, headers=auth(key), timeout=60) as c:
            yield c


def cnc(draws: int, **more: Any) -> dict[str, Any]:
    return {**example("cnc.yaml"), "uncertainty": {"draws": draws, "inputs": CNC_INPUTS, **more}}


def test_evaluate_returns_the_block_the_command_line_prints(
    client: httpx.Client, tmp_path: Path
) -> None:
    data = cnc(1000, seed=5)
    r = client.post("/v1/evaluate", json=data)
    assert r.status_code == 200, r.text
    f = tmp_path / "cnc.json"
    f.write_text(json.dumps(data))
    printed = subprocess.run(
        [sys.executable, "-m", "tco", "evaluate", str(f), "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    assert json.dumps(r.json(), indent=2, allow_nan=False) + "\n" == printed
    block = r.json()["uncertainty"]
    assert (block["draws"], block["seed"]) == (1000, 5)
    assert set(block["offers"]) == {"ours", "competitor", "keep_old"}
    assert set(block["comparison"]) == {"ours", "keep_old"}


def test_a_scenario_without_uncertainty_has_no_block(client: httpx.Client) -> None:
    r = client.post("/v1/evaluate", json=example("compressor.yaml"))
    assert r.status_code == 200
    assert "uncertainty" not in r.json()


def test_draws_above_the_limit_are_refused_naming_it(client: httpx.Client) -> None:
    doc = problem(client.post("/v1/evaluate", json=cnc(LIMIT + 1)), 422)
    assert paths(doc) == ["uncertainty.draws"]
    assert f"at most {LIMIT} (TCO_MAX_DRAWS)" in doc["problems"][0]["message"]
    assert client.post("/v1/evaluate", json=cnc(LIMIT)).status_code == 200


def test_a_batch_carries_each_block_and_its_draws_add_up_to_the_limit(
    client: httpx.Client,
) -> None:
    items = [cnc(200, seed=1), example("compressor.yaml"), cnc(300, seed=2)]
    r = client.post("/v1/evaluate/batch", json={"scenarios": items})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [("uncertainty" in x) for x in results] == [True, False, True]
    single = client.post("/v1/evaluate", json=items[2]).json()
    assert results[2] == single
    too_many = [cnc(3000), cnc(3000)]
    doc = problem(client.post("/v1/evaluate/batch", json={"scenarios": too_many}), 422)
    assert paths(doc) == ["scenarios"]
    assert "6000 draws in all" in doc["problems"][0]["message"]
    one = problem(client.post("/v1/evaluate/batch", json={"scenarios": [cnc(LIMIT + 1)]}), 422)
    assert paths(one) == ["scenarios[0].uncertainty.draws"]


@pytest.mark.parametrize(
    ("case", "section", "path", "message"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_refused_by_path_with_422(
    client: httpx.Client, case: str, section: dict[str, Any], path: str, message: str
) -> None:
    data = refused(section)
    if "hours" not in case:
        data["assumptions"]["operating_hours_per_year"] = 4000
    doc = problem(client.post("/v1/evaluate", json=data), 422)
    assert path in paths(doc)
    assert any(message in p["message"] for p in doc["problems"])
    batch = problem(client.post("/v1/evaluate/batch", json={"scenarios": [data]}), 422)
    assert f"scenarios[0].{path}" in paths(batch)


def test_a_quote_asks_for_draws_within_the_limit_and_keeps_its_block(
    client: httpx.Client, url: str
) -> None:
    from tco import services
    from tco.store import UnitOfWork
    from tests.test_store_support import NOW, demo_catalog, demo_request

    services.import_catalog(
        UnitOfWork(tenant="acme", url=url), demo_catalog(), source="demo", by="t", now=NOW
    )
    req = json.loads(json.dumps(demo_request(), default=str))
    ranges = [{"input": "energy_price", "spread": 0.2}]
    over = {**req, "uncertainty": {"draws": LIMIT + 1, "ranges": ranges}}
    doc = problem(client.post("/v1/quotes", json=over), 422)
    assert paths(doc) == ["uncertainty.draws"]
    assert str(LIMIT) in json.dumps(doc)
    ok = client.post("/v1/quotes", json={**req, "uncertainty": {"draws": 500, "ranges": ranges}})
    assert ok.status_code == 201, ok.text
    block = ok.json()["version"]["result"]["uncertainty"]
    assert block["draws"] == 500
    assert ok.json()["version"]["scenario"]["uncertainty"]["seed"] == 1
