"""Surveys, their questions, and responses stored as typed answer rows that SQL aggregates.

Anonymous surveys keep *that* someone answered (Participation, LinkSubmission) apart from *what*
was answered (Response, Answer): no key, time or sequence links the two. Responses have random
keys, answers are numbered within their response, and in SQLite these tables have no hidden
rowid, so that no key records the order in which people answered (the pages of a file still may:
see the README's limits of anonymity).
"""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import Job
from lms.core.time import utcnow
from lms.extensions import db

#: The option code of an “Other” answer, whose text is stored with it.
OTHER = "other"


class Kind(enum.StrEnum):
    AGREE = "agree"  # five labelled points, 1–5
    SCALE = "scale"  # min–max with end labels
    NPS = "nps"  # 0–10, net promoter
    SINGLE = "single"  # radio buttons
    MULTIPLE = "multiple"  # check boxes, optionally with "other"
    DROPDOWN = "dropdown"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    GRID = "grid"  # rows of statements × a shared scale of options

    @property
    def numeric(self) -> bool:
        return self in (Kind.AGREE, Kind.SCALE, Kind.NPS)

    @property
    def choice(self) -> bool:
        return self in (Kind.SINGLE, Kind.MULTIPLE, Kind.DROPDOWN, Kind.GRID)

    @property
    def textual(self) -> bool:
        return self in (Kind.SHORT_TEXT, Kind.LONG_TEXT)


class Survey(db.Model):
    __tablename__ = "surveys_surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The secret part of the survey's public link.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    base_language: Mapped[str] = mapped_column(String(5), default="en")
    #: The languages the survey is offered in; publishing needs every text in each.
    languages: Mapped[list[str]] = mapped_column(JSON)
    #: language -> {"title", "description", "thank_you"}
    texts: Mapped[dict] = mapped_column(JSON)
    anonymous: Mapped[bool] = mapped_column(default=True)
    published: Mapped[bool] = mapped_column(default=False)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    response_limit: Mapped[int | None]
    #: Counted atomically with each response, so that the limit holds under concurrent submissions.
    response_count: Mapped[int] = mapped_column(default=0)
    #: The course this survey evaluates; its learners are invited when they complete it.
    course_slug: Mapped[str | None] = mapped_column(String(80), index=True)
    required_for_certificate: Mapped[bool] = mapped_column(default=False)
    #: A closed group: each person answers with a single-use access code, not with the open link alone.
    access_codes: Mapped[bool] = mapped_column(default=False)
    #: Days after their invitation on which people who have not answered are reminded, e.g. [3, 7].
    reminder_days: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sections: Mapped[list["Section"]] = relationship(
        order_by="Section.position", cascade="all, delete-orphan", back_populates="survey"
    )
    questions: Mapped[list["Question"]] = relationship(
        order_by="Question.position", cascade="all, delete-orphan", back_populates="survey"
    )

    def text(self, key: str, language: str) -> str:
        return (self.texts.get(language) or {}).get(key) or self.texts[self.base_language].get(key, "")


class Section(db.Model):
    __tablename__ = "surveys_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys_surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    #: language -> {"title", "description"}
    texts: Mapped[dict] = mapped_column(JSON)

    survey: Mapped[Survey] = relationship(back_populates="sections")
    questions: Mapped[list["Question"]] = relationship(order_by="Question.position", back_populates="section")

    def text(self, key: str, language: str) -> str:
        return (self.texts.get(language) or {}).get(key) or self.texts[self.survey.base_language].get(key, "")


class Question(db.Model):
    __tablename__ = "surveys_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys_surveys.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("surveys_sections.id", ondelete="CASCADE"), index=True)
    #: Order within the whole survey.
    position: Mapped[int]
    #: A stable name for exports and analysis, unique in the survey ("relevance").
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(default=False)
    #: Codes of the choices offered (and of the grid's shared scale), in order. A code names one option for
    #: good: reordering and rewording keep it, and it is never given to another option.
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Codes of a grid's rows offered, in order.
    rows: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Options and rows no longer offered whose answers are kept: results still show them under their labels.
    retired_options: Mapped[list[str]] = mapped_column(JSON, default=list)
    retired_rows: Mapped[list[str]] = mapped_column(JSON, default=list)
    allow_other: Mapped[bool] = mapped_column(default=False)
    scale_min: Mapped[int | None]
    scale_max: Mapped[int | None]
    #: language -> {"text", "help", "low", "high", "options": {code: label}, "rows": {code: label}}
    texts: Mapped[dict] = mapped_column(JSON)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    section: Mapped[Section] = relationship(back_populates="questions")

    @property
    def kind_(self) -> Kind:
        return Kind(self.kind)

    def text(self, key: str, language: str) -> str:
        return (self.texts.get(language) or {}).get(key) or self.texts[self.survey.base_language].get(key, "")

    @property
    def scale_range(self) -> tuple[int, int]:
        """The lowest and highest value of a numeric question."""
        if self.kind == Kind.AGREE:
            return 1, 5
        return (0, 10) if self.kind == Kind.NPS else (self.scale_min, self.scale_max)

    @property
    def all_options(self) -> list[str]:
        """The options offered, then the retired ones: every code an answer may hold."""
        return self.options + self.retired_options

    @property
    def all_rows(self) -> list[str]:
        return self.rows + self.retired_rows

    def label(self, group: str, code: str, language: str) -> str:
        """Return the label of an option or row *code* in *language*, else in the base language."""
        own = ((self.texts.get(language) or {}).get(group) or {}).get(code)
        return own or self.texts[self.survey.base_language].get(group, {}).get(code, code)


#: SQLite gives every table a hidden rowid that counts insertions; these tables have none.
NO_ROWID = {"sqlite_with_rowid": False}


class Response(db.Model):
    """What one person answered. For anonymous surveys nothing here leads back to them."""

    __tablename__ = "surveys_responses"
    __table_args__ = (
        # What the disclosure rules count first: responses per country, day and language.
        Index("ix_surveys_responses_survey_country_day_language", "survey_id", "country", "submitted_on", "language"),
        NO_ROWID,
    )

    #: Random, so that keys do not reveal the order in which people answered.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys_surveys.id", ondelete="CASCADE"))
    #: Only for identified surveys.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"), index=True)
    submitted_on: Mapped[date] = mapped_column(Date)
    #: The exact time, only for identified surveys.
    submitted_at: Mapped[datetime | None]
    language: Mapped[str] = mapped_column(String(5))
    country: Mapped[str | None] = mapped_column(String(2))
    #: "web", or "import" for responses brought in from Google Forms.
    source: Mapped[str] = mapped_column(String(10), default="web")

    #: Numbered 1, 2, … as they are added.
    answers: Mapped[list["Answer"]] = relationship(
        cascade="all, delete-orphan",
        order_by="Answer.position",
        collection_class=ordering_list("position", count_from=1),
    )


class Answer(db.Model):
    """One typed value of a response: a number, an option code (per grid row) or a text."""

    __tablename__ = "surveys_answers"
    __table_args__ = (
        # Covers the aggregations, shown days included: both databases count and average from the index alone.
        Index(
            "ix_surveys_answers_survey_question_country_number_day",
            "survey_id",
            "question_id",
            "country",
            "number",
            "submitted_on",
        ),
        NO_ROWID,
    )

    response_id: Mapped[str] = mapped_column(ForeignKey("surveys_responses.id", ondelete="CASCADE"), primary_key=True)
    #: The answer's place within its response (1, 2, …): no key runs across responses.
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys_surveys.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("surveys_questions.id", ondelete="CASCADE"))
    row_code: Mapped[str | None] = mapped_column(String(40))
    option_code: Mapped[str | None] = mapped_column(String(40))
    number: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
    #: Copied from the response, so that breakdowns per country and period are one indexed GROUP BY.
    country: Mapped[str | None] = mapped_column(String(2))
    submitted_on: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(5))


class Participation(db.Model):
    """That a person was invited to, and has answered, a survey — never what they answered."""

    __tablename__ = "surveys_participations"
    __table_args__ = (NO_ROWID,)

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys_surveys.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), primary_key=True)
    invited_at: Mapped[datetime | None]
    answered: Mapped[bool] = mapped_column(default=False)


class Reminder(db.Model):
    """That the reminder of one configured day went to one invited person: its key lets it go once."""

    __tablename__ = "surveys_reminders"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys_surveys.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class ReminderTally(db.Model):
    """How many reminders of one configured day went out on one date: the trainer's figure, kept apart from the
    people, so that it names nobody and stays when a reminded person is erased."""

    __tablename__ = "surveys_reminder_tallies"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys_surveys.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    sent_on: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class LinkSubmission(db.Model):
    """That a browser without an account has answered through the public link (a hashed cookie token)."""

    __tablename__ = "surveys_link_submissions"
    __table_args__ = (NO_ROWID,)

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys_surveys.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class AccessCode(db.Model):
    """A single-use code of a closed group: its hash and whether it was used — never by whom, or for what."""

    __tablename__ = "surveys_access_codes"
    __table_args__ = (NO_ROWID,)

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys_surveys.id", ondelete="CASCADE"), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    used: Mapped[bool] = mapped_column(default=False)


class Draft(db.Model):
    """Answers an identified participant saved to finish later."""

    __tablename__ = "surveys_drafts"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys_surveys.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), primary_key=True)
    #: The submitted form fields, as the form posted them.
    data: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ImportedRow(db.Model):
    """A row of a Google Forms file imported into a survey, known by a keyed fingerprint of its timestamp and
    answers only: importing the same file again skips it. Nothing leads from here to the response it became."""

    __tablename__ = "surveys_imported_rows"
    __table_args__ = (NO_ROWID,)

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys_surveys.id", ondelete="CASCADE"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)


class SurveyExport(db.Model):
    """A large export made in the background for one person, kept for them until it expires.

    What it shows is computed when its job runs, with the requester's view of the survey then; its state is its
    job's (waiting, running with its progress, failed with the error admins read) until the file is stored.
    """

    __tablename__ = "surveys_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys_surveys.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    #: "google" or "analysis", as the direct export's layout.
    layout: Mapped[str] = mapped_column(String(10))
    #: "csv" or "xlsx".
    file_format: Mapped[str] = mapped_column(String(4))
    #: The language the export was asked in: country names and labels are written in it.
    language: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("core_jobs.id", ondelete="SET NULL"))
    #: The countries the file covers (None for all), as the requester's scope was when it was made.
    countries: Mapped[list[str] | None] = mapped_column(JSON)
    #: The file in storage, once made.
    storage_key: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(120))
    #: The file and this record are deleted from then on.
    expires_at: Mapped[datetime] = mapped_column(index=True)

    job: Mapped[Job | None] = relationship()
