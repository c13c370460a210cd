"""survey access codes: a closed group answers with single-use codes

Revision ID: 0b6f1d2e7c44
Revises: 5d0e7c3b9a21
Create Date: 2026-12-03 12:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0b6f1d2e7c44"
down_revision = "5d0e7c3b9a21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("surveys_surveys") as batch_op:
        batch_op.add_column(sa.Column("access_codes", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "surveys_access_codes",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys_surveys.id"],
            name=op.f("fk_surveys_access_codes_survey_id_surveys_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", "code_hash", name=op.f("pk_surveys_access_codes")),
        sqlite_with_rowid=False,
    )


def downgrade():
    op.drop_table("surveys_access_codes")
    with op.batch_alter_table("surveys_surveys") as batch_op:
        batch_op.drop_column("access_codes")
