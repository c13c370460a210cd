"""courses

Revision ID: 46e2282ed182
Revises: e81c5aa796c2
Create Date: 2026-11-22 12:50:42.563005

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "46e2282ed182"
down_revision = "e81c5aa796c2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "courses_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("default_language", sa.String(length=5), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses_courses")),
        sa.UniqueConstraint("slug", name=op.f("uq_courses_courses_slug")),
    )
    op.create_table(
        "courses_topics",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_courses_topics")),
    )
    op.create_table(
        "courses_course_texts",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses_courses.id"],
            name=op.f("fk_courses_course_texts_course_id_courses_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("course_id", "language", name=op.f("pk_courses_course_texts")),
    )
    op.create_table(
        "courses_lessons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("quiz", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses_courses.id"],
            name=op.f("fk_courses_lessons_course_id_courses_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses_lessons")),
        sa.UniqueConstraint("course_id", "slug", name=op.f("uq_courses_lessons_course_id_slug")),
    )
    with op.batch_alter_table("courses_lessons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_courses_lessons_course_id"), ["course_id"], unique=False)

    op.create_table(
        "courses_enrollments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(), nullable=False),
        sa.Column("enrolled_by_id", sa.Integer(), nullable=True),
        sa.Column("last_lesson_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses_courses.id"],
            name=op.f("fk_courses_enrollments_course_id_courses_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enrolled_by_id"],
            ["accounts_users.id"],
            name=op.f("fk_courses_enrollments_enrolled_by_id_accounts_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["last_lesson_id"],
            ["courses_lessons.id"],
            name=op.f("fk_courses_enrollments_last_lesson_id_courses_lessons"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_users.id"],
            name=op.f("fk_courses_enrollments_user_id_accounts_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses_enrollments")),
        sa.UniqueConstraint("user_id", "course_id", name=op.f("uq_courses_enrollments_user_id_course_id")),
    )
    with op.batch_alter_table("courses_enrollments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_courses_enrollments_completed_at"), ["completed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_courses_enrollments_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_courses_enrollments_user_id"), ["user_id"], unique=False)

    op.create_table(
        "courses_lesson_texts",
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["courses_lessons.id"],
            name=op.f("fk_courses_lesson_texts_lesson_id_courses_lessons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("lesson_id", "language", name=op.f("pk_courses_lesson_texts")),
    )
    op.create_table(
        "courses_check_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["courses_enrollments.id"],
            name=op.f("fk_courses_check_attempts_enrollment_id_courses_enrollments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["courses_lessons.id"],
            name=op.f("fk_courses_check_attempts_lesson_id_courses_lessons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses_check_attempts")),
    )
    with op.batch_alter_table("courses_check_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_courses_check_attempts_enrollment_id"), ["enrollment_id"], unique=False)

    op.create_table(
        "courses_lesson_progress",
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["courses_enrollments.id"],
            name=op.f("fk_courses_lesson_progress_enrollment_id_courses_enrollments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["courses_lessons.id"],
            name=op.f("fk_courses_lesson_progress_lesson_id_courses_lessons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enrollment_id", "lesson_id", name=op.f("pk_courses_lesson_progress")),
    )


def downgrade():
    op.drop_table("courses_lesson_progress")
    with op.batch_alter_table("courses_check_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_courses_check_attempts_enrollment_id"))

    op.drop_table("courses_check_attempts")
    op.drop_table("courses_lesson_texts")
    with op.batch_alter_table("courses_enrollments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_courses_enrollments_user_id"))
        batch_op.drop_index(batch_op.f("ix_courses_enrollments_course_id"))
        batch_op.drop_index(batch_op.f("ix_courses_enrollments_completed_at"))

    op.drop_table("courses_enrollments")
    with op.batch_alter_table("courses_lessons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_courses_lessons_course_id"))

    op.drop_table("courses_lessons")
    op.drop_table("courses_course_texts")
    op.drop_table("courses_topics")
    op.drop_table("courses_courses")
