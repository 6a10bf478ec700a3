"""Large batches priced in a child process of the API worker (api.evaluation.BatchProcess):
the same bytes as priced in the worker, the same 422 problems with their paths, a child
started only by the first large batch, and a batch still answered when the child has died."""

from __future__ import annotations

import copy
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api import evaluation
from api.settings import Settings
from tco.core.scenario import read_file
from tests.apisupport import live_server, problem
from tests.test_uncertainty import CNC_INPUTS

ROOT = Path(__file__).resolve().parent.parent


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(read_file(ROOT / "examples" / name), default=str))
    return data


def batch_of(n: int) -> dict[str, Any]:
    names = ("compressor.yaml", "cnc.yaml", "pump.yaml", "blcc-femp-energy.yaml")
    return {"scenarios": [example(names[i % len(names)]) for i in range(n)]}


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, httpx.Client]]:
    """Two servers: one prices every batch in its worker threads, one every batch of more
    than 4 kB in the child process."""
    evaluation.BATCH_PROCESS.shutdown()
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'tco.db'}"
    common = {
        "database_url": url,
        "open_evaluate": True,
        "access_log": False,
        "max_body_bytes": 16_000_000,
    }
    with (
        live_server(Settings(**common, batch_process_bytes=0)) as threads,
        live_server(Settings(**common, batch_process_bytes=4096)) as child,
        httpx.Client(base_url=threads, timeout=120) as in_threads,
        httpx.Client(base_url=child, timeout=120) as in_child,
    ):
        yield {"threads": in_threads, "child": in_child}
    evaluation.BATCH_PROCESS.shutdown()


def both(clients: dict[str, httpx.Client], body: Any) -> tuple[httpx.Response, httpx.Response]:
    return (
        clients["threads"].post("/v1/evaluate/batch", json=body),
        clients["child"].post("/v1/evaluate/batch", json=body),
    )


def without_request_id(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "request_id"}


def test_a_small_batch_starts_no_child(clients: dict[str, httpx.Client]) -> None:
    r = clients["child"].post("/v1/evaluate/batch", json={"scenarios": [example("pump.yaml")]})
    assert r.status_code == 200, r.text
    assert not evaluation.BATCH_PROCESS.started


def test_a_large_batch_gives_the_same_bytes_in_the_child(
    clients: dict[str, httpx.Client],
) -> None:
    body = batch_of(40)
    in_threads, in_child = both(clients, body)
    assert evaluation.BATCH_PROCESS.started
    assert in_threads.status_code == in_child.status_code == 200, in_child.text
    assert in_child.headers["content-type"] == "application/json"
    assert in_child.content == in_threads.content
    assert len(in_child.json()["results"]) == 40


def test_uncertainty_blocks_are_the_same_bytes_in_the_child(
    clients: dict[str, httpx.Client],
) -> None:
    cnc = {**example("cnc.yaml"), "uncertainty": {"draws": 2000, "seed": 3, "inputs": CNC_INPUTS}}
    body = {"scenarios": [cnc, *batch_of(6)["scenarios"]]}
    in_threads, in_child = both(clients, body)
    assert in_threads.status_code == in_child.status_code == 200, in_child.text
    assert in_child.content == in_threads.content
    assert "uncertainty" in in_child.json()["results"][0]


@pytest.mark.parametrize(
    ("case", "paths"),
    [
        ("bad category", ["scenarios[3].offers[0].costs[0].category"]),
        ("too many", ["scenarios"]),
        ("not json", ["body"]),
        ("too many draws", ["scenarios[0].uncertainty.draws"]),
    ],
)
def test_refusals_are_the_same_problems_with_their_paths(
    clients: dict[str, httpx.Client], case: str, paths: list[str]
) -> None:
    body: Any = batch_of(12)
    if case == "bad category":
        body["scenarios"][3] = copy.deepcopy(body["scenarios"][3])
        body["scenarios"][3]["offers"][0]["costs"][0]["category"] = "fuel"
    elif case == "too many":
        body = {"scenarios": body["scenarios"] * 90}  # 1,080 > 1,000
    elif case == "too many draws":
        unc = {"draws": 200_000, "inputs": CNC_INPUTS}
        body["scenarios"][0] = {**example("cnc.yaml"), "uncertainty": unc}
    if case == "not json":
        raw = json.dumps(body).encode()[:-2]
        responses = [
            c.post("/v1/evaluate/batch", content=raw, headers={"Content-Type": "application/json"})
            for c in (clients["threads"], clients["child"])
        ]
    else:
        responses = list(both(clients, body))
    in_threads, in_child = (problem(r, 422) for r in responses)
    assert without_request_id(in_child) == without_request_id(in_threads)
    assert [p["path"] for p in in_child["problems"]] == paths


def test_a_batch_is_answered_when_the_child_has_died(clients: dict[str, httpx.Client]) -> None:
    body = batch_of(20)
    want = clients["threads"].post("/v1/evaluate/batch", json=body).content
    assert clients["child"].post("/v1/evaluate/batch", json=body).content == want
    pid = evaluation.BATCH_PROCESS.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)  # as the kernel's OOM killer would
    again = clients["child"].post("/v1/evaluate/batch", json=body)
    assert again.status_code == 200, again.text
    assert again.content == want  # priced in the worker meanwhile
    later = clients["child"].post("/v1/evaluate/batch", json=body)
    assert later.content == want
    assert evaluation.BATCH_PROCESS.pid not in (None, pid)  # a new child
