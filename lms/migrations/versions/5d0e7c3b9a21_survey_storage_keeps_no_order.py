"""survey storage keeps no order: answers numbered within their response, no rowid in SQLite

Revision ID: 5d0e7c3b9a21
Revises: c1e56c0ef182
Create Date: 2026-12-03 10:30:00

An answer's key was a sequence shared by every response, so keys followed the order in which people
answered; SQLite's hidden rowid did the same for responses and participations. Answers are now
numbered within their response (keeping their order there), and the tables that record who answered
and what was answered have no rowid in SQLite. No stored answer changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "5d0e7c3b9a21"
down_revision = "c1e56c0ef182"
branch_labels = None
depends_on = None

NO_ROWID = {"sqlite_with_rowid": False}


def _batch(table: str, rowid: bool = False):
    """Alter *table*; SQLite copies it into a new table, where only then can it lose (or regain) its rowid."""
    if op.get_bind().dialect.name == "sqlite":
        return op.batch_alter_table(table, recreate="always", table_kwargs={} if rowid else NO_ROWID)
    return op.batch_alter_table(table)


def upgrade():
    op.add_column("surveys_answers", sa.Column("position", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE surveys_answers SET position = (SELECT count(*) FROM surveys_answers AS earlier "
        "WHERE earlier.response_id = surveys_answers.response_id AND earlier.id <= surveys_answers.id)"
    )
    with _batch("surveys_answers") as batch_op:
        batch_op.drop_index("ix_surveys_answers_survey_question_country_number")
        batch_op.drop_index("ix_surveys_answers_response_id")
        batch_op.drop_constraint("pk_surveys_answers", type_="primary")
        batch_op.drop_column("id")
        batch_op.alter_column("position", existing_type=sa.Integer(), nullable=False)
        batch_op.create_primary_key("pk_surveys_answers", ["response_id", "position"])
        batch_op.create_index(
            "ix_surveys_answers_survey_question_country_number_day",
            ["survey_id", "question_id", "country", "number", "submitted_on"],
        )
    with _batch("surveys_responses") as batch_op:
        batch_op.drop_index("ix_surveys_responses_survey_id")
        batch_op.create_index(
            "ix_surveys_responses_survey_country_day_language", ["survey_id", "country", "submitted_on", "language"]
        )
    for table in ("surveys_participations", "surveys_link_submissions"):
        with _batch(table):
            pass


def downgrade():
    for table in ("surveys_participations", "surveys_link_submissions"):
        with _batch(table, rowid=True):
            pass
    with _batch("surveys_responses", rowid=True) as batch_op:
        batch_op.drop_index("ix_surveys_responses_survey_country_day_language")
        batch_op.create_index("ix_surveys_responses_survey_id", ["survey_id"])
    op.add_column("surveys_answers", sa.Column("id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE surveys_answers SET id = (SELECT count(*) FROM surveys_answers AS earlier "
        "WHERE earlier.response_id < surveys_answers.response_id OR (earlier.response_id = surveys_answers.response_id "
        "AND earlier.position <= surveys_answers.position))"
    )
    with _batch("surveys_answers", rowid=True) as batch_op:
        batch_op.drop_index("ix_surveys_answers_survey_question_country_number_day")
        batch_op.drop_constraint("pk_surveys_answers", type_="primary")
        batch_op.drop_column("position")
        batch_op.alter_column("id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_primary_key("pk_surveys_answers", ["id"])
        batch_op.create_index("ix_surveys_answers_response_id", ["response_id"])
        batch_op.create_index(
            "ix_surveys_answers_survey_question_country_number", ["survey_id", "question_id", "country", "number"]
        )
