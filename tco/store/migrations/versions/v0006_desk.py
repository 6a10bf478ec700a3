"""The salesperson's desk: customer records, templates, the competitor library, approvals,
sendings, the seller's company profile; quotes point to a customer and keep pipeline figures.

The pipeline figures of quotes saved before this revision are filled in from their current
version: the value is the recommended offer's one-time total (else the first price sheet's),
the lifetime saving the recommended offer's lead over the next cheapest offer, as
:mod:`tco.quoting.pipeline` defines them.

Revision ID: 0006_desk
Revises: 0005_ledger
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006_desk"
down_revision = "0005_ledger"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(20, 6, asdecimal=True)
FIGURE = sa.Numeric(16, 4, asdecimal=True)
FRACTION = sa.Numeric(9, 6, asdecimal=True)
WHEN = sa.DateTime(timezone=True)


def _audit(*, updated: bool = True) -> list[sa.Column[Any]]:
    cols: list[sa.Column[Any]] = [
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    ]
    if updated:
        cols += [
            sa.Column("updated_at", WHEN, nullable=False),
            sa.Column("updated_by", sa.String(200), nullable=False),
        ]
    return cols


def _tables() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("segment", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("sites", sa.JSON(), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        *_audit(),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
        sa.UniqueConstraint("tenant", "name", name="uq_customers_tenant_name"),
    )
    op.create_index("ix_customers_tenant", "customers", ["tenant"])
    op.create_table(
        "quote_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("source_number", sa.String(32), nullable=True),
        sa.Column("source_version", sa.Integer(), nullable=True),
        *_audit(updated=False),
        sa.PrimaryKeyConstraint("id", name="pk_quote_templates"),
        sa.UniqueConstraint("tenant", "name", name="uq_quote_templates_tenant_name"),
    )
    op.create_index("ix_quote_templates_tenant", "quote_templates", ["tenant"])
    op.create_table(
        "competitor_products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("maker", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("price", MONEY, nullable=False),
        sa.Column("life_years", sa.Integer(), nullable=False),
        sa.Column("power_kw", FIGURE, nullable=True),
        sa.Column("load_factor", FRACTION, nullable=True),
        sa.Column("mtbf_hours", FIGURE, nullable=True),
        sa.Column("shape", FIGURE, nullable=True),
        sa.Column("repair_cost", MONEY, nullable=True),
        sa.Column("downtime_hours", FIGURE, nullable=True),
        sa.Column("maintenance_per_year", MONEY, nullable=True),
        sa.Column("installation_cost", MONEY, nullable=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("source_date", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        *_audit(),
        sa.PrimaryKeyConstraint("id", name="pk_competitor_products"),
        sa.UniqueConstraint("tenant", "code", name="uq_competitor_products_tenant_code"),
    )
    op.create_index("ix_competitor_products_tenant", "competitor_products", ["tenant"])
    op.create_table(
        "quote_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("discount", FRACTION, nullable=False),
        sa.Column("approved_by", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quote_approvals"),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quotes.id"], name="fk_quote_approvals_quote_id_quotes"
        ),
        sa.UniqueConstraint("quote_id", "version", name="uq_quote_approvals_quote_id_version"),
    )
    op.create_index("ix_quote_approvals_tenant", "quote_approvals", ["tenant"])
    op.create_index("ix_quote_approvals_quote_id", "quote_approvals", ["quote_id"])
    op.create_table(
        "quote_sendings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("message_id", sa.String(300), nullable=False),
        sa.Column("sent_at", WHEN, nullable=False),
        sa.Column("sent_by", sa.String(200), nullable=False),
        sa.Column("request_key", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_quote_sendings"),
        sa.UniqueConstraint("tenant", "request_key", name="uq_quote_sendings_tenant_request_key"),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quotes.id"], name="fk_quote_sendings_quote_id_quotes"
        ),
    )
    op.create_index("ix_quote_sendings_tenant", "quote_sendings", ["tenant"])
    op.create_index("ix_quote_sendings_quote_id", "quote_sendings", ["quote_id"])
    op.create_table(
        "company_profiles",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(50), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("website", sa.String(200), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(32), nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("tenant", name="pk_company_profiles"),
    )


def _lead(result: dict[str, Any]) -> float:
    """The recommended offer's lifetime saving over the next cheapest offer (saved result)."""
    comparison = result.get("comparison") or {}
    best = comparison.get("recommended")
    offers = result.get("offers") or []
    others = [o for o in offers if o.get("id") != best]
    if not others:
        return 0.0
    runner = min(others, key=lambda o: float(o["lifetime_cost"]))
    comp = (comparison.get("offers") or {}).get(best)
    if runner.get("id") == comparison.get("baseline") and comp is not None:
        return float(comp["net_savings"])
    lcc = {o.get("id"): float(o["lifetime_cost"]) for o in offers}
    return float(runner["lifetime_cost"]) - lcc[best]


def _value(result: dict[str, Any], sheets: list[dict[str, Any]]) -> Decimal | None:
    best = (result.get("comparison") or {}).get("recommended")
    sheet = next((s for s in sheets if s.get("offer_id") == best), None)
    if sheet is None and sheets:
        sheet = sheets[0]
    return None if sheet is None else Decimal(str(sheet["one_time_total"]))


def _backfill() -> None:
    conn = op.get_bind()
    quotes = sa.table(
        "quotes",
        sa.column("id", sa.Integer()),
        sa.column("current_version", sa.Integer()),
        sa.column("value", MONEY),
        sa.column("saving", MONEY),
    )
    versions = sa.table(
        "quote_versions",
        sa.column("quote_id", sa.Integer()),
        sa.column("version", sa.Integer()),
        sa.column("result", sa.JSON()),
        sa.column("price_sheets", sa.JSON()),
    )
    rows = conn.execute(
        sa.select(quotes.c.id, versions.c.result, versions.c.price_sheets).join(
            versions,
            sa.and_(
                versions.c.quote_id == quotes.c.id,
                versions.c.version == quotes.c.current_version,
            ),
        )
    ).all()
    for quote_id, result, sheets in rows:
        conn.execute(
            sa.update(quotes)
            .where(quotes.c.id == quote_id)
            .values(
                value=_value(result or {}, sheets or []),
                saving=round(Decimal(repr(_lead(result or {}))), 6),
            )
        )


def upgrade() -> None:
    _tables()
    # SQLite adds a column with its foreign key only inline (no ALTER TABLE ADD CONSTRAINT);
    # PostgreSQL names the constraint as the models do
    sqlite = op.get_bind().dialect.name == "sqlite"
    customer = sa.Column(
        "customer_id",
        sa.Integer(),
        sa.ForeignKey("customers.id", name="fk_quotes_customer_id_customers"),
        nullable=True,
    )
    op.add_column("quotes", customer, inline_references=sqlite)
    op.add_column("quotes", sa.Column("value", MONEY, nullable=True))
    op.add_column("quotes", sa.Column("saving", MONEY, nullable=True))
    op.create_index("ix_quotes_customer_id", "quotes", ["customer_id"])
    op.add_column("quote_events", sa.Column("note", sa.Text(), nullable=True))
    _backfill()


def downgrade() -> None:
    op.drop_column("quote_events", "note")
    op.drop_index("ix_quotes_customer_id", table_name="quotes")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # the quotes table is copied without the columns, its children left as they are
        op.execute("PRAGMA foreign_keys = OFF")
    with op.batch_alter_table("quotes") as batch:
        if not sqlite:
            batch.drop_constraint("fk_quotes_customer_id_customers", type_="foreignkey")
        batch.drop_column("saving")
        batch.drop_column("value")
        batch.drop_column("customer_id")
    if sqlite:
        op.execute("PRAGMA foreign_keys = ON")
    op.drop_table("company_profiles")
    for table in ("quote_sendings", "quote_approvals"):
        op.drop_index(f"ix_{table}_quote_id", table_name=table)
        op.drop_index(f"ix_{table}_tenant", table_name=table)
        op.drop_table(table)
    for table in ("competitor_products", "quote_templates", "customers"):
        op.drop_index(f"ix_{table}_tenant", table_name=table)
        op.drop_table(table)
