"""answers take their response's day

Answers stored before they had a day of their own (revision 49ee02a663c1) were left without one,
so that every period filter and every group of anonymous answers missed them. They take the day
of their response.

Revision ID: 9d4b6a2c8e15
Revises: 7c2a9e4f1b30
Create Date: 2026-12-03 15:05:00

"""

from alembic import op

revision = "9d4b6a2c8e15"
down_revision = "7c2a9e4f1b30"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE surveys_answers SET submitted_on = (SELECT responses.submitted_on FROM surveys_responses AS responses "
        "WHERE responses.id = surveys_answers.response_id) WHERE submitted_on IS NULL"
    )


def downgrade():
    pass  # the days are right in the older schema too
