"""Questions from learners to experts: tickets, their threads and attachments, experts' profiles, the FAQ."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.time import utcnow
from lms.extensions import db


class Status(enum.StrEnum):
    NEW = "new"  # nobody has taken it
    OPEN = "open"  # an expert works on it
    ANSWERED = "answered"  # waiting for the learner; the clock is paused
    CLOSED = "closed"


class Topic(db.Model):
    __tablename__ = "support_topics"

    slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: language -> name
    labels: Mapped[dict] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("en") or self.slug


class ExpertProfile(db.Model):
    """What an expert answers: topics and languages (and, optionally, countries)."""

    __tablename__ = "support_experts"

    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), primary_key=True)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: When set, for automatic assignment in turn: the last time a question was given to this expert.
    last_assigned_at: Mapped[datetime | None]

    user = relationship("User")


class Ticket(db.Model):
    __tablename__ = "support_tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    topic_slug: Mapped[str] = mapped_column(ForeignKey("support_topics.slug"), index=True)
    language: Mapped[str] = mapped_column(String(5))
    #: The requester's country at the time, for the figures per country.
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    course_slug: Mapped[str | None] = mapped_column(String(80))
    lesson_slug: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10), default=Status.NEW, index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_at: Mapped[datetime | None]
    #: Since when the question waits for the learner (the clock is paused), and the paused seconds so far.
    waiting_since: Mapped[datetime | None]
    paused_seconds: Mapped[int] = mapped_column(default=0)
    #: Set by the expert who answers: the day until which the learner is waited for; then the question opens again.
    pending_until: Mapped[date | None]
    #: The due times of the targets that experts and admins were warned of, so that each warning goes once.
    first_response_warned_for: Mapped[datetime | None]
    resolution_warned_for: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    #: The learner's verdict when closing: did the answer help?
    helpful: Mapped[bool | None]
    #: When the requester last read the thread, to mark new answers.
    requester_seen_at: Mapped[datetime | None]

    topic: Mapped[Topic] = relationship(lazy="joined")
    requester = relationship("User", foreign_keys=[requester_id])
    assignee = relationship("User", foreign_keys=[assignee_id])
    messages: Mapped[list["Message"]] = relationship(
        order_by="Message.id", cascade="all, delete-orphan", back_populates="ticket"
    )


class Message(db.Model):
    __tablename__ = "support_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("support_tickets.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    #: Markdown as written, and the sanitised HTML rendered once when it was written.
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    #: A note among experts that the learner never sees.
    internal: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    author = relationship("User")
    attachments: Mapped[list["Attachment"]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class Attachment(db.Model):
    """A file attached to a message: its type checked by content, stored under a random key."""

    __tablename__ = "support_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("support_messages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(64))


class FaqEntry(db.Model):
    """An answered question, edited by an expert so that nothing identifies the asker, published for all.

    A question is published at most once (the database holds to it); a withdrawn entry stays for the record,
    out of the public FAQ, and can be published again.
    """

    __tablename__ = "support_faq"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("support_tickets.id", ondelete="SET NULL"), unique=True)
    topic_slug: Mapped[str] = mapped_column(ForeignKey("support_topics.slug"))
    language: Mapped[str] = mapped_column(String(5), index=True)
    question: Mapped[str] = mapped_column(String(300))
    answer: Mapped[str] = mapped_column(Text)
    answer_html: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set while the entry is out of the public FAQ.
    withdrawn_at: Mapped[datetime | None]

    topic: Mapped[Topic] = relationship(lazy="joined")
    ticket: Mapped[Ticket | None] = relationship()
    author = relationship("User")
