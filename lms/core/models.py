"""The core's own table: the outbox of e-mail messages."""

from datetime import datetime

from sqlalchemy import String, Text
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
    #: When a process took the message to send it; no other takes it until CLAIM_LEASE has passed.
    claimed_at: Mapped[datetime | None]
