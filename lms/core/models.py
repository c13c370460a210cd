"""The core's own tables: the outbox of e-mail messages, and background jobs."""

import enum
from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.time import utcnow
from lms.extensions import db


class OutboxMessage(db.Model):
    """An e-mail message: sent by SMTP when configured, readable by admins in any case."""

    __tablename__ = "core_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    #: Where the one-time link goes, SECRET_LINK marks it: admins who read the outbox never see it.
    body: Mapped[str] = mapped_column(Text)
    #: The one-time link (password reset, invitation) until the message leaves or fails; then None.
    secret_link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    #: When the message was given up: it cannot be built, or the server refused it for good (see last_error).
    failed_at: Mapped[datetime | None]
    #: When a process took the message to send it; no other takes it until a job lease has passed.
    claimed_at: Mapped[datetime | None]
    #: When the one-time link stops working: an unsent message is given up then, and the link forgotten.
    link_expires_at: Mapped[datetime | None]


class JobState(enum.StrEnum):
    QUEUED = "queued"  # waiting for a worker, from run_at on
    RUNNING = "running"  # a worker holds it while its lease lasts
    DONE = "done"
    FAILED = "failed"  # given up: admins read the error and may retry


class Job(db.Model):
    """A piece of background work: the record that admins read and retry, and that no crash of a worker loses."""

    __tablename__ = "core_jobs"
    __table_args__ = (Index("ix_core_jobs_state_run_at", "state", "run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name of a registered kind, e.g. "mail.deliver".
    kind: Mapped[str] = mapped_column(String(80))
    #: Keyword arguments of the kind's handler: ids and plain values, never a person's details.
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default=JobState.QUEUED)
    #: Not before: when it was queued, or when its next attempt is due.
    run_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    #: A periodic job's time slot ("surveys.reminders@2026-12-03T16:00"): unique, so a slot runs once.
    unique_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    #: While running: until when its worker holds it; the worker renews it, and a dead worker lets it lapse.
    lease_until: Mapped[datetime | None]
    #: The host and process that ran it last.
    worker: Mapped[str | None] = mapped_column(String(120))
    #: Done so far, in per cent, for the jobs that report it (a large export).
    progress: Mapped[int | None]
    #: The last error, kept when a retry succeeds too.
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
