"""certificate re-issue requests: a new name waits for an admin's or the country's trainer's approval

Revision ID: af3af5ede12e
Revises: b3d58a1c9e02
Create Date: 2026-12-03 14:05:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "af3af5ede12e"
down_revision = "b3d58a1c9e02"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certificates_reissue_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("requested_name", sa.String(length=120), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("approved", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates_certificates.id"],
            name=op.f("fk_certificates_reissue_requests_certificate_id_certificates_certificates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["accounts_users.id"],
            name=op.f("fk_certificates_reissue_requests_decided_by_id_accounts_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates_reissue_requests")),
    )
    with op.batch_alter_table("certificates_reissue_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificates_reissue_requests_certificate_id"), ["certificate_id"], unique=False
        )
        batch_op.create_index(
            "uq_certificates_reissue_pending",
            ["certificate_id"],
            unique=True,
            sqlite_where=sa.text("decided_at IS NULL"),
            postgresql_where=sa.text("decided_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("certificates_reissue_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_certificates_reissue_pending",
            sqlite_where=sa.text("decided_at IS NULL"),
            postgresql_where=sa.text("decided_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_certificates_reissue_requests_certificate_id"))

    op.drop_table("certificates_reissue_requests")
