"""survey reminder days: on which days after the invitation reminders go

No survey has reminders yet: every survey starts with none.

Revision ID: 7abf09b00f4e
Revises: f2a6c8d0e4b7
Create Date: 2026-12-03 16:52:56

"""

import sqlalchemy as sa
from alembic import op

revision = "7abf09b00f4e"
down_revision = "f2a6c8d0e4b7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("surveys_surveys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder_days", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade():
    with op.batch_alter_table("surveys_surveys", schema=None) as batch_op:
        batch_op.drop_column("reminder_days")
