"""The desk's commands: customer records, the pipeline, approving a discount (SQLite)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from tco.cli.desk import approve, customer_app, pipeline
from tco.cli.sales import catalog_app, quote_app
from tco.services import DEMO_DIR
from tests.test_store_support import database, demo_request

runner = CliRunner()
app = typer.Typer()
app.add_typer(customer_app, name="customer")
app.add_typer(catalog_app, name="catalog")
app.add_typer(quote_app, name="quote")
app.command("pipeline")(pipeline)
app.command("approve")(approve)


@pytest.fixture
def db_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with database("sqlite", tmp_path) as url:
        monkeypatch.setenv("TCO_DATABASE_URL", url)
        monkeypatch.setenv("TCO_USER", "Anna Weber")
        yield url


def run(*args: str) -> str:
    out = runner.invoke(app, list(args))
    assert out.exit_code == 0, (out.stdout, out.stderr)
    return out.stdout


def fails(*args: str) -> list[str]:
    out = runner.invoke(app, list(args))
    assert out.exit_code == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    return out.stderr.strip().splitlines()


def test_customers_quotes_for_them_the_pipeline_and_an_approval(
    db_env: str, tmp_path: Path
) -> None:
    run("catalog", "import", str(DEMO_DIR / "catalog"))
    record = tmp_path / "mueller.yaml"
    record.write_text(
        yaml.safe_dump(
            {
                "name": "Müller Metallbau GmbH",
                "reference": "K-1001",
                "sites": [{"name": "Hall 3", "address": "Industriestraße 5"}],
                "contacts": [{"name": "Eva Einkauf", "email": "eva@mueller.example"}],
            },
            allow_unicode=True,
        )
    )
    assert run("customer", "add", "--file", str(record)).strip() == (
        "customer 1 added: Müller Metallbau GmbH"
    )
    assert fails("customer", "add", "--name", "müller metallbau gmbh") == [
        "error: name: 'müller metallbau gmbh' is taken already (id 1)"
    ]
    assert "Müller Metallbau GmbH" in run("customer", "list", "--search", "K-1001")

    req = copy.deepcopy(demo_request())
    req["customer"] = {"id": 1}
    req["offers"][0]["equipment"][0]["discount"] = 0.2
    req["as_of"] = date.today().isoformat()  # valid whatever the day
    path = tmp_path / "request.yaml"
    path.write_text(yaml.safe_dump(json.loads(json.dumps(req, default=str))))
    number = run("quote", "new", str(path)).split()[1]
    shown = run("customer", "show", "1")
    assert "contact: Eva Einkauf (eva@mueller.example)" in shown
    assert number in shown
    assert "total EUR" in run("pipeline", "--customer-id", "1")

    assert fails("quote", "status", number, "sent")[0].startswith(
        f"error: approval: quote {number} version 1 gives a discount of 20 %"
    )
    assert "approved by Anna Weber" in run("approve", number, "--reason", "key account")
    assert run("quote", "status", number, "sent").strip() == f"{number} is now sent"
    assert fails("customer", "show", "7") == ["error: customer: no customer 7"]
