"""covering index for survey aggregations

Revision ID: 8b92e42e280a
Revises: 49ee02a663c1
Create Date: 2026-11-22 13:35:20.638948

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "8b92e42e280a"
down_revision = "49ee02a663c1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("surveys_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveys_answers_survey_question_country"))
        batch_op.create_index(
            "ix_surveys_answers_survey_question_country_number",
            ["survey_id", "question_id", "country", "number"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("surveys_answers", schema=None) as batch_op:
        batch_op.drop_index("ix_surveys_answers_survey_question_country_number")
        batch_op.create_index(
            batch_op.f("ix_surveys_answers_survey_question_country"),
            ["survey_id", "question_id", "country"],
            unique=False,
        )
