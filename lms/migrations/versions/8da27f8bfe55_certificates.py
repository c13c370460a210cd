"""certificates

Revision ID: 8da27f8bfe55
Revises: 46e2282ed182
Create Date: 2026-11-22 12:58:55.602367

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8da27f8bfe55"
down_revision = "46e2282ed182"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certificates_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("course_slug", sa.String(length=80), nullable=False),
        sa.Column("learner_name", sa.String(length=120), nullable=False),
        sa.Column("organisation_name", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("course_titles", sa.JSON(), nullable=False),
        sa.Column("default_language", sa.String(length=5), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("replaced_at", sa.DateTime(), nullable=True),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["certificates_certificates.id"],
            name=op.f("fk_certificates_certificates_replaces_id_certificates_certificates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["accounts_users.id"],
            name=op.f("fk_certificates_certificates_revoked_by_id_accounts_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_users.id"],
            name=op.f("fk_certificates_certificates_user_id_accounts_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_certificates_certificates_code")),
    )
    with op.batch_alter_table("certificates_certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_certificates_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_certificates_course_slug"), ["course_slug"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_certificates_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "uq_certificates_current",
            ["user_id", "course_slug"],
            unique=True,
            sqlite_where=sa.text("replaced_at IS NULL"),
            postgresql_where=sa.text("replaced_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("certificates_certificates", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_certificates_current",
            sqlite_where=sa.text("replaced_at IS NULL"),
            postgresql_where=sa.text("replaced_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_certificates_certificates_user_id"))
        batch_op.drop_index(batch_op.f("ix_certificates_certificates_course_slug"))
        batch_op.drop_index(batch_op.f("ix_certificates_certificates_country"))

    op.drop_table("certificates_certificates")
