"""Courses imported from course_content/, and learners' enrolments, progress and attempts."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.time import utcnow
from lms.extensions import db


class Topic(db.Model):
    """A topic from course_content/topics.toml, with its name in each language."""

    __tablename__ = "courses_topics"

    slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    #: language -> name
    labels: Mapped[dict] = mapped_column(JSON)


class Course(db.Model):
    __tablename__ = "courses_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The folder name in course_content/: a course's identity across re-imports.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    default_language: Mapped[str] = mapped_column(String(5))
    duration_minutes: Mapped[int]
    #: Topic names from course_content/topics.toml.
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=100)
    published: Mapped[bool] = mapped_column(default=True)
    #: Set when the course's folder disappeared from course_content/; kept for its history.
    retired_at: Mapped[datetime | None]
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    texts: Mapped[list["CourseText"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    lessons: Mapped[list["Lesson"]] = relationship(
        order_by="Lesson.position", cascade="all, delete-orphan", back_populates="course"
    )

    @property
    def languages(self) -> list[str]:
        return sorted(text.language for text in self.texts)

    def text(self, language: str) -> "CourseText":
        """Return the course's text in *language*, or in its default language."""
        by_language = {text.language: text for text in self.texts}
        return by_language.get(language) or by_language[self.default_language]


class CourseText(db.Model):
    __tablename__ = "courses_course_texts"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses_courses.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(Text)
    outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)


class Lesson(db.Model):
    __tablename__ = "courses_lessons"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses_courses.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    duration_minutes: Mapped[int]
    required: Mapped[bool] = mapped_column(default=True)
    #: Set when the lesson disappeared from the course's files; progress on it is kept.
    retired_at: Mapped[datetime | None]
    #: The knowledge check: {"pass_mark": int, "questions": [...]} as read from quiz.toml, or None.
    quiz: Mapped[dict | None] = mapped_column(JSON)

    course: Mapped[Course] = relationship(back_populates="lessons")
    texts: Mapped[list["LessonText"]] = relationship(cascade="all, delete-orphan")


class LessonText(db.Model):
    """A lesson in one language, rendered to sanitised HTML at import."""

    __tablename__ = "courses_lesson_texts"

    lesson_id: Mapped[int] = mapped_column(ForeignKey("courses_lessons.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    html: Mapped[str] = mapped_column(Text)


class Enrollment(db.Model):
    __tablename__ = "courses_enrollments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses_courses.id", ondelete="CASCADE"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    #: The lesson the learner last opened, to resume there.
    last_lesson_id: Mapped[int | None] = mapped_column(ForeignKey("courses_lessons.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None] = mapped_column(index=True)

    course: Mapped[Course] = relationship()
    user = relationship("User", foreign_keys=[user_id])
    progress: Mapped[list["LessonProgress"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def course_slug(self) -> str:
        return self.course.slug


class LessonProgress(db.Model):
    __tablename__ = "courses_lesson_progress"

    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("courses_enrollments.id", ondelete="CASCADE"), primary_key=True
    )
    lesson_id: Mapped[int] = mapped_column(ForeignKey("courses_lessons.id", ondelete="CASCADE"), primary_key=True)
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CheckAttempt(db.Model):
    """One try at a lesson's knowledge check."""

    __tablename__ = "courses_check_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("courses_enrollments.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("courses_lessons.id", ondelete="CASCADE"))
    #: question id -> the option ids chosen
    answers: Mapped[dict] = mapped_column(JSON)
    score: Mapped[int]
    passed: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
