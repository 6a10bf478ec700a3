"""Catalog versions, quote counters, quotes, quote versions and the audit trail.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

MONEY = sa.Numeric(20, 6)


def upgrade() -> None:
    op.create_table(
        "catalog_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("product_count", sa.Integer(), nullable=False),
        sa.Column("plan_count", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_catalog_versions"),
        sa.UniqueConstraint("tenant", "version", name="uq_catalog_versions_tenant_version"),
    )
    op.create_index("ix_catalog_versions_tenant", "catalog_versions", ["tenant"])
    op.create_table(
        "quote_counters",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "year", name="pk_quote_counters"),
    )
    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("customer", sa.String(200), nullable=False),
        sa.Column("seller", sa.String(200), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("recommended", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quotes"),
        sa.UniqueConstraint("tenant", "number", name="uq_quotes_tenant_number"),
        sa.UniqueConstraint("tenant", "year", "seq", name="uq_quotes_tenant_year_seq"),
    )
    op.create_index("ix_quotes_tenant", "quotes", ["tenant"])
    op.create_index("ix_quotes_customer", "quotes", ["customer"])
    op.create_index("ix_quotes_status", "quotes", ["status"])
    op.create_table(
        "quote_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("catalog_version", sa.Integer(), nullable=True),
        sa.Column("engine_version", sa.String(32), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("scenario", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("price_sheets", sa.JSON(), nullable=False),
        sa.Column("recommendation", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("one_time_total", MONEY, nullable=False),
        sa.Column("lifetime_cost", MONEY, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quote_versions"),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quotes.id"], name="fk_quote_versions_quote_id_quotes"
        ),
        sa.UniqueConstraint("quote_id", "version", name="uq_quote_versions_quote_id_version"),
    )
    op.create_index("ix_quote_versions_quote_id", "quote_versions", ["quote_id"])
    op.create_index("ix_quote_versions_tenant", "quote_versions", ["tenant"])
    op.create_table(
        "quote_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quote_events"),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quotes.id"], name="fk_quote_events_quote_id_quotes"
        ),
    )
    op.create_index("ix_quote_events_quote_id", "quote_events", ["quote_id"])


def downgrade() -> None:
    for table in ("quote_events", "quote_versions", "quotes", "quote_counters", "catalog_versions"):
        op.drop_table(table)
