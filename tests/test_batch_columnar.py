"""The columnar path of ``tco batch run`` (tco.batch.columnar) against the object path
(``parse_scenario``, ``compile_batch``, ``evaluate_many_json``): the same bytes for every
result, the same refusals (row, path, message) for every refused row, on generated chunks of
valid scenarios and of scenarios broken in one way each; and the columnar path takes every row
that is plainly valid."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tco.batch import columnar
from tco.batch.chunk import ChunkOutput, evaluate_rows
from tco.core.engine import compile_batch
from tco.core.scenario import parse_scenario

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ["acquisition", "installation", "energy", "maintenance", "service", "replacement"]
DRIVERS = ["labor", "parts", "energy", "steel"]


def _line(rng: random.Random, n: int, drivers: list[str], j: int) -> dict[str, Any]:
    line: dict[str, Any] = {
        "name": rng.choice([f"Line {j}", f"Wartung {j} für Öl", f"Énergie {j}", f"Spare/{j}"]),
        "category": rng.choice(CATEGORIES),
        "amount": rng.choice([rng.randint(-500, 90_000), round(rng.uniform(-100, 50_000), 2)]),
    }
    if rng.random() < 0.4:
        line["year"] = rng.randint(0, n)
    else:
        every = rng.randint(1, max(1, n // 2))
        line["every_years"] = every
        if rng.random() < 0.3:
            line["from_year"] = rng.randint(0, every)
        if rng.random() < 0.3:
            line["until_year"] = rng.randint(max(line.get("from_year", every), every), n)
    if drivers and rng.random() < 0.5:
        line["escalation"] = rng.choice(drivers)
    if rng.random() < 0.2:
        line["life_years"] = rng.randint(1, 30)
    elif rng.random() < 0.1:
        line["residual_fraction"] = round(rng.random(), 3)
    return line


def _failures(rng: random.Random, n: int, drivers: list[str]) -> dict[str, Any]:
    f: dict[str, Any] = {"mtbf_hours": round(rng.uniform(800, 30_000), 1)}
    if rng.random() < 0.7:
        f["shape"] = round(rng.uniform(0.6, 3.0), 2)
    if rng.random() < 0.8:
        f["repair_cost"] = rng.randint(0, 20_000)
    if rng.random() < 0.6:
        f["downtime_hours"] = rng.choice([rng.randint(0, 48), round(rng.uniform(0, 30), 1)])
    if rng.random() < 0.5:
        f["covered_fraction"] = round(rng.random(), 2)
    if rng.random() < 0.4:
        f["order_cost"] = rng.choice([0, rng.randint(50, 900)])
    for key in ("escalation", "downtime_escalation", "order_escalation"):
        if drivers and rng.random() < 0.3:
            f[key] = rng.choice(drivers)
    if n >= 2 and rng.random() < 0.4:
        start = rng.randint(1, n)
        period: dict[str, Any] = {"from_year": start, "until_year": rng.randint(start, n)}
        for key, value in (("covered_fraction", 1.0), ("downtime_hours", 4), ("order_cost", 0)):
            if rng.random() < 0.6:
                period[key] = value
        period.setdefault("covered_fraction", 0.5)
        if rng.random() < 0.5:
            period["name"] = "Warranty"
        f["periods"] = [period]
    return f


def scenario(rng: random.Random, forms: dict[str, str]) -> dict[str, Any]:
    """A valid scenario, without issues (its result has none). ``forms`` says whether each
    driver gives one rate or a list (one form per chunk: the reader wants one type a field)."""
    n = rng.randint(1, 40)
    drivers = rng.sample(DRIVERS, rng.randint(0, 3))
    escalation: dict[str, Any] = {}
    for d in drivers:
        if forms[d] == "scalar":
            escalation[d] = round(rng.uniform(-0.05, 0.12), 4)
        else:
            escalation[d] = [round(rng.uniform(-0.05, 0.12), 4) for _ in range(rng.randint(1, n))]
    assumptions: dict[str, Any] = {
        "currency": rng.choice(["EUR", "USD", "CHF"]),
        "study_period_years": n,
        "discount_rate": rng.choice([round(rng.uniform(-0.02, 0.15), 4), 0, 0.06]),
        "escalation": escalation,
    }
    if rng.random() < 0.5:
        assumptions["rate_basis"] = rng.choice(["real", "nominal"])
        assumptions["inflation"] = round(rng.uniform(0, 0.05), 3)
    if rng.random() < 0.4:
        assumptions["timing"] = rng.choice(["end_of_year", "mid_year"])
    with_hours = rng.random() < 0.8
    if with_hours:
        assumptions["operating_hours_per_year"] = rng.choice([2000, 4500.5, 8760])
        assumptions["downtime_cost_per_hour"] = rng.choice([0, 150, 99.5])
    offers = []
    for k in range(rng.randint(1, 4)):
        offer: dict[str, Any] = {"id": f"o{k}-{rng.randint(0, 9)}"}
        if rng.random() < 0.7:
            offer["name"] = rng.choice([f"Offer {k}", f"Angebot {k} (Größe L)"])
        offer["costs"] = [_line(rng, n, drivers, j) for j in range(rng.randint(0, 6))]
        if with_hours and rng.random() < 0.6:
            offer["failures"] = _failures(rng, n, drivers)
        offers.append(offer)
    out: dict[str, Any] = {"assumptions": assumptions, "offers": offers}
    if len(offers) > 1 or rng.random() < 0.5:
        out["baseline"] = rng.choice(offers)["id"]
    return out


def _first_line(s: dict[str, Any]) -> dict[str, Any] | None:
    for o in s["offers"]:
        if o["costs"]:
            line: dict[str, Any] = o["costs"][0]
            return line
    return None


def _mutations(s: dict[str, Any]) -> list[Any]:
    """Ways to break (or merely to complicate) a scenario, each a function changing it."""
    a, o = s["assumptions"], s["offers"][0]
    line = _first_line(s)
    out: list[Any] = [
        lambda: a.pop("currency"),
        lambda: a.update(currency="eur"),
        lambda: a.update(discount_rate=11),
        lambda: a.update(discount_rate=True),
        lambda: a.update(study_period_years=0),
        lambda: a.update(study_period_years=2.5),
        lambda: a.update(operating_hours_per_year=9000),
        lambda: a.update(timing="sometimes"),
        lambda: a.update(inflation=None),
        lambda: a.update(extra=1),
        lambda: a["escalation"].update({"bad name": 0.01}),
        lambda: s.update(baseline="nobody"),
        lambda: s.pop("baseline", None) if len(s["offers"]) > 1 else s.update(note="x"),
        lambda: s.update(offers=[]),
        lambda: o.update(id="bad id"),
        lambda: o.update(id=" padded"),
        lambda: o.update(name="\u202eevil"),
        lambda: o.update(name=" Offer "),
        lambda: o.update(name=""),
        lambda: o.update(colour="red"),
        lambda: s["offers"].append(copy.deepcopy(o)),
        lambda: o.update(failures={"mtbf_hours": 0.5}),
        lambda: o.update(failures={"shape": 2}),
        lambda: o.update(costs="none"),
        lambda: a.pop("operating_hours_per_year", None) and o.update(failures={"mtbf_hours": 9}),
        lambda: s.update(
            uncertainty={"draws": 50, "seed": 1, "inputs": []},
        ),
    ]
    if line is not None:
        out += [
            lambda: line.update(amount=2e12),
            lambda: line.update(amount="12.50"),
            lambda: line.pop("category"),
            lambda: line.update(category="other"),
            lambda: line.update(year=s["assumptions"]["study_period_years"] + 1),
            lambda: line.update(year=1, every_years=1),
            lambda: line.update(escalation="nope"),
            lambda: line.update(name=""),
            lambda: line.update(name="null and void"),
            lambda: line.update(name="tab\there"),
            lambda: line.update(life_years=0),
            lambda: line.update(residual_fraction=1.5),
            lambda: (  # falls in no year: an issue in the result
                line.pop("year", None),
                line.pop("from_year", None),
                line.update(every_years=5, until_year=3),
            ),
        ]
    if o.get("failures", {}).get("periods"):
        p = o["failures"]["periods"][0]
        out += [
            lambda: o["failures"]["periods"].append(dict(p)),
            lambda: p.update(from_year=p["until_year"] + 1),
            lambda: p.update(until_year=1000),
            lambda: p.update(covered_fraction=None, downtime_hours=None, order_cost=None),
        ]
    return out


def chunk(seed: int, rows: int, broken: float) -> tuple[list[tuple[int, bytes]], int]:
    """``rows`` rows (JSON Lines payloads), a share ``broken`` of them changed by one mutation;
    and how many rows were left plainly valid."""
    rng = random.Random(seed)
    forms = {d: rng.choice(["scalar", "list"]) for d in DRIVERS}
    out, plain = [], 0
    for i in range(rows):
        s = scenario(rng, forms)
        if rng.random() < broken:
            rng.choice(_mutations(s))()
        else:
            plain += 1
        out.append((i + 1, json.dumps(s, ensure_ascii=rng.random() < 0.5).encode()))
    return out, plain


def both(rows: list[tuple[int, bytes]], monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    with monkeypatch.context() as m:
        m.setenv("TCO_COLUMNAR", "0")
        objects = evaluate_rows(rows)
    return objects, evaluate_rows(rows)


def same(a: ChunkOutput, b: ChunkOutput) -> None:
    assert a.rows == b.rows
    assert a.refusals == b.refusals
    for row, x, y in zip(a.rows, a.documents, b.documents, strict=True):
        assert x == y, f"row {row}"
    assert a.scenarios == b.scenarios


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**31))
def test_valid_chunks_are_evaluated_in_columns_with_the_same_bytes(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows, plain = chunk(seed, 80, broken=0.0)
    results, _, rest = columnar.evaluate_columns(rows)
    assert len(results) == plain == 80, [r for r, _ in rest][:5]
    objects, columns = both(rows, monkeypatch)
    assert not objects.refusals
    same(objects, columns)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**31))
def test_broken_rows_get_the_same_problems_and_the_others_the_same_results(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows, plain = chunk(seed, 90, broken=0.3)
    monkeypatch.setattr(columnar, "MIN_ROWS", 8)  # halves of 8 rows and more are read alone
    objects, columns = both(rows, monkeypatch)
    same(objects, columns)
    results, _, _ = columnar.evaluate_columns(rows)
    assert len(results) >= plain / 3  # the reader refuses types per part, not per chunk


def test_every_mutation_breaks_or_complicates_the_columnar_path_the_same_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each mutation alone, in a chunk of otherwise valid rows: the same output both ways."""
    rng = random.Random(7)
    forms = dict.fromkeys(DRIVERS, "list")
    base = [scenario(rng, forms) for _ in range(70)]
    for k in range(40):
        probe = copy.deepcopy(base[k % 10])
        mutations = _mutations(probe)
        if k >= len(mutations):
            break
        mutations[k]()
        rows = [(i + 1, json.dumps(s).encode()) for i, s in enumerate([*base, probe])]
        objects, columns = both(rows, monkeypatch)
        same(objects, columns)


def test_the_examples_and_a_scenario_with_nulls_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    examples = [yaml.safe_load(p.read_text()) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    texts = [json.dumps(e, default=str).encode() for e in examples]
    # 64 rows of each (one driver is a rate in one example and a list in another: the reader
    # takes them in separate parts), and one with a null
    payloads = [t for t in texts for _ in range(64)]
    payloads.append(texts[0].replace(b'"baseline"', b'"unused": null, "baseline"'))
    rows = list(enumerate(payloads, start=1))
    results, _, rest = columnar.evaluate_columns(rows)
    assert len(results) == len(rows) - 1
    assert [r for r, _ in rest] == [len(rows)]  # null: the object path (here, "unknown field")
    objects, columns = both(rows, monkeypatch)
    same(objects, columns)
    assert [r.row for r in columns.refusals] == [len(rows)]


def test_a_chunk_the_reader_refuses_goes_to_the_object_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(3)
    rows = [
        (i + 1, json.dumps(scenario(rng, dict.fromkeys(DRIVERS, "list"))).encode())
        for i in range(70)
    ]
    rows.insert(10, (0, b'{"assumptions": [1, 2], "offers": 3}'))  # another type: no table
    rows.insert(50, (0, b'{"assumptions": '))  # not JSON
    rows = [(i + 1, p) for i, (_, p) in enumerate(rows)]
    assert columnar.evaluate_columns(rows)[0] == []  # halves of 36 rows: below MIN_ROWS
    objects, columns = both(rows, monkeypatch)
    same(objects, columns)
    assert sorted({r.row for r in columns.refusals}) == [11, 51]
    many = rows * 4  # 288 rows: the halves without the two are read in columns
    many = [(i + 1, p) for i, (_, p) in enumerate(many)]
    results, _, rest = columnar.evaluate_columns(many)
    assert len(results) >= 288 - 4 * 72
    assert len(results) + len(rest) == 288
    objects, columns = both(many, monkeypatch)
    same(objects, columns)


def test_the_columnar_batch_is_the_compiled_batch_of_the_scenarios() -> None:
    """The packed tables themselves, not only the results: column by column."""
    rows, _ = chunk(11, 80, broken=0.0)
    cols = columnar.read_columns(columnar.read_table([p for _, p in rows]))
    assert not cols.doubted.any()
    import numpy as np

    by_n: dict[int, list[int]] = {}
    for k, n in enumerate(cols.n.tolist()):
        by_n.setdefault(n, []).append(k)
    for ks in by_n.values():
        idx = np.array(ks)
        mine = cols.batch(idx)
        theirs = compile_batch([parse_scenario(json.loads(rows[k][1])) for k in ks])
        for name in ("offer_scenario", "period_start", "offer_start", "line_start", "offer_fail"):
            assert np.array_equal(getattr(mine, name), getattr(theirs, name)), name
        for table in ("scenario_ints", "scenario_flags", "period_ints"):
            assert np.array_equal(getattr(mine, table), getattr(theirs, table)), table
        # driver numbers differ (the chunk's drivers against each scenario's own), their rates
        # do not: compare the rates each line and each failure stream is escalated by
        rows_without_driver = [k for k in range(7) if k != 2]
        assert np.array_equal(
            mine.line_ints[rows_without_driver], theirs.line_ints[rows_without_driver]
        )
        assert np.array_equal(mine.fail_ints[0], theirs.fail_ints[0])

        def rates(b: Any, scenario: Any, driver: Any) -> Any:
            return b.rates[scenario, driver, :]

        line_s = mine.offer_scenario[mine.line_offer]
        assert np.array_equal(
            rates(mine, line_s, mine.line_driver), rates(theirs, line_s, theirs.line_driver)
        )
        fail_s = mine.offer_scenario[mine.fail_offer]
        for k in (1, 2, 3):
            assert np.array_equal(
                rates(mine, fail_s, mine.fail_ints[k]), rates(theirs, fail_s, theirs.fail_ints[k])
            )
        for table in ("scenario_floats", "line_floats", "fail_floats", "period_floats"):
            assert np.array_equal(getattr(mine, table), getattr(theirs, table), equal_nan=True)


def test_an_api_batch_gives_each_scenario_its_own_result_and_every_problem() -> None:
    """POST /v1/evaluate/batch on the columnar path: each result is the one the scenario gets
    alone (each study period in a batch of its own), and a batch with broken scenarios is
    refused naming every problem as the object path names it, in order."""
    from api.evaluation import evaluate_batch_document
    from tco.core.errors import ScenarioError, TcoError
    from tco.core.results import evaluate_json

    rng = random.Random(5)
    forms = {d: rng.choice(["scalar", "list"]) for d in DRIVERS}
    items = [scenario(rng, forms) for _ in range(90)]
    got = evaluate_batch_document({"scenarios": items}, limit=1000)["results"]
    assert len({s["assumptions"]["study_period_years"] for s in items}) > 5
    for s, result in zip(items, got, strict=True):
        assert result == evaluate_json(parse_scenario(s))
    broken = copy.deepcopy(items)
    for k, m in ((3, 1), (40, 14), (77, 2)):  # currency "eur", id "bad id", discount 11
        _mutations(broken[k])[m]()
    expected = []
    for i, s in enumerate(broken):
        try:
            parse_scenario(s)
        except TcoError as exc:
            expected += [
                (f"scenarios[{i}]" + (f".{p.path}" if p.path else ""), p.message)
                for p in exc.problems
            ]
    assert {path.split(".")[0] for path, _ in expected} == {
        "scenarios[3]",
        "scenarios[40]",
        "scenarios[77]",
    }
    with pytest.raises(ScenarioError) as caught:
        evaluate_batch_document({"scenarios": broken}, limit=1000)
    assert [(p.path, p.message) for p in caught.value.problems] == expected


def _table_documents(out: ChunkOutput) -> list[dict[str, Any]]:
    docs = []
    for rec in out.table.to_pylist(maps_as_pydicts="strict"):
        result = rec["result"]
        if rec["uncertainty"] is not None:
            result["uncertainty"] = json.loads(rec["uncertainty"])
        docs.append(result)
    return docs


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**31))
def test_results_as_columns_read_back_as_the_json_results(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parquet output: the columnar path's tables (built from the engine's arrays) and the
    object path's (converted from its results) read back as the JSON Lines results, number for
    number, in row order, with the same refusals."""
    rows, plain = chunk(seed, 100, broken=0.15)
    monkeypatch.setattr(columnar, "MIN_ROWS", 8)
    _, tables, _ = columnar.evaluate_columns(rows, as_tables=True)
    assert sum(t.num_rows for t in tables) >= plain / 3  # built from the engine's arrays
    as_json = evaluate_rows(rows)
    as_table = evaluate_rows(rows, as_table=True)
    with monkeypatch.context() as m:
        m.setenv("TCO_COLUMNAR", "0")
        objects = evaluate_rows(rows, as_table=True)
    expected = [json.loads(d) for d in as_json.documents]
    assert len(expected) > 50
    for out in (as_table, objects):
        assert out.rows == as_json.rows
        assert out.refusals == as_json.refusals
        assert _table_documents(out) == expected
        assert out.table.column("recommended").to_pylist() == [
            d["comparison"]["recommended"] for d in expected
        ]


@pytest.mark.parametrize("out_name", ["out.jsonl", "out.parquet"])
def test_nested_parquet_input_is_read_in_columns_with_the_same_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out_name: str
) -> None:
    """A Parquet input with nested columns goes to the columnar path as it is read (a null is
    an absent field there too): the same output and refusals as the object path's."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tco.batch.run import BatchOptions, run_batch

    rng = random.Random(21)
    forms = dict.fromkeys(DRIVERS, "list")
    scenarios = [scenario(rng, forms) for _ in range(150)]
    scenarios[7]["assumptions"]["currency"] = "eur"  # refused
    scenarios[90]["offers"][0]["id"] = "bad id"  # refused
    scenarios[120]["assumptions"]["discount_rate"] = 11  # refused
    pq.write_table(pa.Table.from_pylist(scenarios), tmp_path / "in.parquet", row_group_size=40)
    taken = columnar.evaluate_table(
        pq.read_table(tmp_path / "in.parquet").slice(0, 100).combine_chunks(), 1
    )
    assert len(taken[0]) == 98  # all but rows 8 and 91, in columns
    assert [row for row, _ in taken[2]] == [8, 91]
    assert taken[2][0][1]["assumptions"]["currency"] == "eur"  # the row's data, for the object path
    outputs = {}
    for flag in ("0", "1"):
        monkeypatch.setenv("TCO_COLUMNAR", flag)
        out = tmp_path / flag / out_name
        out.parent.mkdir()
        run_batch(BatchOptions(tmp_path / "in.parquet", out, chunk=70))
        refused = out.with_name(out.name + ".refused.jsonl").read_text()
        outputs[flag] = (out.read_bytes(), refused)
    assert outputs["0"] == outputs["1"]
    rows = [json.loads(line)["row"] for line in outputs["1"][1].splitlines()]
    assert sorted(set(rows)) == [8, 91, 121]
