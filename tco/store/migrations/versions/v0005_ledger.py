"""The relationship ledger: promises of accepted quotes, installed assets, service events.

Revision ID: 0005_ledger
Revises: 0004_web_sessions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_ledger"
down_revision = "0004_web_sessions"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(20, 6, asdecimal=True)
HOURS = sa.Numeric(12, 2, asdecimal=True)
KWH = sa.Numeric(16, 3, asdecimal=True)
FIGURE = sa.Numeric(16, 4, asdecimal=True)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ledger_promises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("quote_number", sa.String(32), nullable=False),
        sa.Column("quote_version", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_promises"),
        sa.UniqueConstraint(
            "tenant",
            "quote_number",
            "quote_version",
            "offer_id",
            name="uq_ledger_promises_tenant_quote_number_quote_version_offer_id",
        ),
    )
    op.create_index("ix_ledger_promises_tenant", "ledger_promises", ["tenant"])
    op.create_table(
        "assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("customer", sa.String(200), nullable=False),
        sa.Column("quote_number", sa.String(32), nullable=False),
        sa.Column("quote_version", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.String(64), nullable=False),
        sa.Column("unit", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(64), nullable=True),
        sa.Column("product_name", sa.String(200), nullable=False),
        sa.Column("serial_number", sa.String(100), nullable=True),
        sa.Column("commissioned_on", sa.Date(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=False),
        sa.Column("mtbf_hours", FIGURE, nullable=True),
        sa.Column("shape", FIGURE, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assets"),
        sa.ForeignKeyConstraint(
            ["promise_id"], ["ledger_promises.id"], name="fk_assets_promise_id_ledger_promises"
        ),
        sa.UniqueConstraint(
            "tenant", "quote_number", "unit", name="uq_assets_tenant_quote_number_unit"
        ),
    )
    op.create_index("ix_assets_tenant", "assets", ["tenant"])
    op.create_index("ix_assets_promise_id", "assets", ["promise_id"])
    op.create_index("ix_assets_customer", "assets", ["customer"])
    op.create_index("ix_assets_sku", "assets", ["sku"])
    op.create_table(
        "asset_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("hours", HOURS, nullable=True),
        sa.Column("cost", MONEY, nullable=True),
        sa.Column("payer", sa.String(16), nullable=True),
        sa.Column("downtime_hours", HOURS, nullable=True),
        sa.Column("kwh", KWH, nullable=True),
        sa.Column("contact", sa.String(16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_asset_events"),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name="fk_asset_events_asset_id_assets"
        ),
        sa.UniqueConstraint("tenant", "event_id", name="uq_asset_events_tenant_event_id"),
    )
    op.create_index("ix_asset_events_asset_day", "asset_events", ["asset_id", "occurred_on"])


def downgrade() -> None:
    op.drop_index("ix_asset_events_asset_day", table_name="asset_events")
    op.drop_table("asset_events")
    for name in ("ix_assets_sku", "ix_assets_customer", "ix_assets_promise_id", "ix_assets_tenant"):
        op.drop_index(name, table_name="assets")
    op.drop_table("assets")
    op.drop_index("ix_ledger_promises_tenant", table_name="ledger_promises")
    op.drop_table("ledger_promises")
