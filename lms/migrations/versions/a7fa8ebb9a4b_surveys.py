"""surveys

Revision ID: a7fa8ebb9a4b
Revises: 8da27f8bfe55
Create Date: 2026-11-22 13:12:51.848043

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7fa8ebb9a4b"
down_revision = "8da27f8bfe55"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "surveys_surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("base_language", sa.String(length=5), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("opens_at", sa.DateTime(), nullable=True),
        sa.Column("closes_at", sa.DateTime(), nullable=True),
        sa.Column("response_limit", sa.Integer(), nullable=True),
        sa.Column("response_count", sa.Integer(), nullable=False),
        sa.Column("course_slug", sa.String(length=80), nullable=True),
        sa.Column("required_for_certificate", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["accounts_users.id"],
            name=op.f("fk_surveys_surveys_created_by_id_accounts_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys_surveys")),
        sa.UniqueConstraint("token", name=op.f("uq_surveys_surveys_token")),
    )
    with op.batch_alter_table("surveys_surveys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveys_surveys_course_slug"), ["course_slug"], unique=False)

    op.create_table(
        "surveys_drafts",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys_surveys.id"],
            name=op.f("fk_surveys_drafts_survey_id_surveys_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_users.id"],
            name=op.f("fk_surveys_drafts_user_id_accounts_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", "user_id", name=op.f("pk_surveys_drafts")),
    )
    op.create_table(
        "surveys_link_submissions",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys_surveys.id"],
            name=op.f("fk_surveys_link_submissions_survey_id_surveys_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", "token_hash", name=op.f("pk_surveys_link_submissions")),
    )
    op.create_table(
        "surveys_participations",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("invited_at", sa.DateTime(), nullable=True),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys_surveys.id"],
            name=op.f("fk_surveys_participations_survey_id_surveys_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_users.id"],
            name=op.f("fk_surveys_participations_user_id_accounts_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", "user_id", name=op.f("pk_surveys_participations")),
    )
    op.create_table(
        "surveys_responses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys_surveys.id"],
            name=op.f("fk_surveys_responses_survey_id_surveys_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_users.id"],
            name=op.f("fk_surveys_responses_user_id_accounts_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys_responses")),
    )
    with op.batch_alter_table("surveys_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveys_responses_survey_id"), ["survey_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surveys_responses_user_id"), ["user_id"], unique=False)

    op.create_table(
        "surveys_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys_surveys.id"],
            name=op.f("fk_surveys_sections_survey_id_surveys_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys_sections")),
    )
    with op.batch_alter_table("surveys_sections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveys_sections_survey_id"), ["survey_id"], unique=False)

    op.create_table(
        "surveys_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("allow_other", sa.Boolean(), nullable=False),
        sa.Column("scale_min", sa.Integer(), nullable=True),
        sa.Column("scale_max", sa.Integer(), nullable=True),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["surveys_sections.id"],
            name=op.f("fk_surveys_questions_section_id_surveys_sections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys_surveys.id"],
            name=op.f("fk_surveys_questions_survey_id_surveys_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys_questions")),
    )
    with op.batch_alter_table("surveys_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveys_questions_section_id"), ["section_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surveys_questions_survey_id"), ["survey_id"], unique=False)

    op.create_table(
        "surveys_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("row_code", sa.String(length=40), nullable=True),
        sa.Column("option_code", sa.String(length=40), nullable=True),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["surveys_questions.id"],
            name=op.f("fk_surveys_answers_question_id_surveys_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["surveys_responses.id"],
            name=op.f("fk_surveys_answers_response_id_surveys_responses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys_surveys.id"],
            name=op.f("fk_surveys_answers_survey_id_surveys_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys_answers")),
    )
    with op.batch_alter_table("surveys_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveys_answers_response_id"), ["response_id"], unique=False)
        batch_op.create_index(
            "ix_surveys_answers_survey_question_country", ["survey_id", "question_id", "country"], unique=False
        )


def downgrade():
    with op.batch_alter_table("surveys_answers", schema=None) as batch_op:
        batch_op.drop_index("ix_surveys_answers_survey_question_country")
        batch_op.drop_index(batch_op.f("ix_surveys_answers_response_id"))

    op.drop_table("surveys_answers")
    with op.batch_alter_table("surveys_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveys_questions_survey_id"))
        batch_op.drop_index(batch_op.f("ix_surveys_questions_section_id"))

    op.drop_table("surveys_questions")
    with op.batch_alter_table("surveys_sections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveys_sections_survey_id"))

    op.drop_table("surveys_sections")
    with op.batch_alter_table("surveys_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveys_responses_user_id"))
        batch_op.drop_index(batch_op.f("ix_surveys_responses_survey_id"))

    op.drop_table("surveys_responses")
    op.drop_table("surveys_participations")
    op.drop_table("surveys_link_submissions")
    op.drop_table("surveys_drafts")
    with op.batch_alter_table("surveys_surveys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveys_surveys_course_slug"))

    op.drop_table("surveys_surveys")
