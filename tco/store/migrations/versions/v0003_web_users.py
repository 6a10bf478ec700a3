"""Users of the web page (salespeople and admins, per tenant).

Revision ID: 0003_web_users
Revises: 0002_api
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_web_users"
down_revision = "0002_api"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.ForeignKeyConstraint(["tenant"], ["tenants.name"], name="fk_users_tenant_tenants"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_index("ix_users_tenant", "users", ["tenant"])


def downgrade() -> None:
    op.drop_index("ix_users_tenant", table_name="users")
    op.drop_table("users")
