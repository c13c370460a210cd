"""imported rows are recognised: importing the same file twice adds nothing

Revision ID: a3c5e7f9b1d2
Revises: 9d4b6a2c8e15
Create Date: 2026-12-03 15:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a3c5e7f9b1d2"
down_revision = "9d4b6a2c8e15"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "surveys_imported_rows",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys_surveys.id"],
            name=op.f("fk_surveys_imported_rows_survey_id_surveys_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", "fingerprint", name=op.f("pk_surveys_imported_rows")),
        sqlite_with_rowid=False,
    )


def downgrade():
    op.drop_table("surveys_imported_rows")
