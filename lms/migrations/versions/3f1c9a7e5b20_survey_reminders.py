"""survey reminders: who got the reminder of which day, and how many went out on each date

Revision ID: 3f1c9a7e5b20
Revises: 7abf09b00f4e
Create Date: 2026-12-03 17:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "3f1c9a7e5b20"
down_revision = "7abf09b00f4e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "surveys_reminders",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys_surveys.id"],
            name=op.f("fk_surveys_reminders_survey_id_surveys_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_users.id"],
            name=op.f("fk_surveys_reminders_user_id_accounts_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", "user_id", "day", name=op.f("pk_surveys_reminders")),
    )
    op.create_table(
        "surveys_reminder_tallies",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys_surveys.id"],
            name=op.f("fk_surveys_reminder_tallies_survey_id_surveys_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", "day", "sent_on", name=op.f("pk_surveys_reminder_tallies")),
    )


def downgrade():
    op.drop_table("surveys_reminder_tallies")
    op.drop_table("surveys_reminders")
