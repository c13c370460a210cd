"""survey exports made in the background: one record per requested file, until it expires

Revision ID: 47bc5222ebab
Revises: 3f1c9a7e5b20
Create Date: 2026-12-03 17:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "47bc5222ebab"
down_revision = "3f1c9a7e5b20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "surveys_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("layout", sa.String(length=10), nullable=False),
        sa.Column("file_format", sa.String(length=4), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("countries", sa.JSON(), nullable=True),
        sa.Column("storage_key", sa.String(length=64), nullable=True),
        sa.Column("file_name", sa.String(length=120), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["core_jobs.id"], name=op.f("fk_surveys_exports_job_id_core_jobs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["accounts_users.id"],
            name=op.f("fk_surveys_exports_requested_by_id_accounts_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys_surveys.id"],
            name=op.f("fk_surveys_exports_survey_id_surveys_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys_exports")),
    )
    with op.batch_alter_table("surveys_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveys_exports_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_surveys_exports_requested_by_id"), ["requested_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surveys_exports_survey_id"), ["survey_id"], unique=False)


def downgrade():
    with op.batch_alter_table("surveys_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveys_exports_survey_id"))
        batch_op.drop_index(batch_op.f("ix_surveys_exports_requested_by_id"))
        batch_op.drop_index(batch_op.f("ix_surveys_exports_expires_at"))
    op.drop_table("surveys_exports")
