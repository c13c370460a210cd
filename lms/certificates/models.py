"""Certificates of completion, kept with what they said when issued."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.time import utcnow
from lms.extensions import db
from lms.i18n import LANGUAGES


class Certificate(db.Model):
    __tablename__ = "certificates_certificates"
    __table_args__ = (
        # One current certificate per learner and course; replaced ones stay for verification.
        Index(
            "uq_certificates_current",
            "user_id",
            "course_slug",
            unique=True,
            sqlite_where=db.text("replaced_at IS NULL"),
            postgresql_where=db.text("replaced_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The verification code: 140 random bits in base32, unguessable.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"), index=True)
    course_slug: Mapped[str] = mapped_column(String(80), index=True)
    #: What the certificate states, as it was at issue.
    learner_name: Mapped[str] = mapped_column(String(120))
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    #: The learner's organisation's country, for trainers' scope.
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    #: language -> course title
    course_titles: Mapped[dict] = mapped_column(JSON)
    default_language: Mapped[str] = mapped_column(String(5))
    #: The language the learner reads; the PDF can be had in any language of the course.
    language: Mapped[str] = mapped_column(String(5))
    duration_minutes: Mapped[int]
    completed_at: Mapped[datetime]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    #: Set when a corrected certificate replaced this one.
    replaced_at: Mapped[datetime | None]
    #: The certificate that this one corrects.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates_certificates.id", ondelete="SET NULL"))
    #: When the learner was told that its PDFs are ready (once).
    ready_mailed_at: Mapped[datetime | None]

    def course_title(self, language: str) -> str:
        return self.course_titles.get(language) or self.course_titles[self.default_language]

    @property
    def languages(self) -> list[str]:
        """The languages its PDF is offered in: those of the course, and the learner's at issue."""
        return [code for code in LANGUAGES if code in self.course_titles or code == self.language]

    @property
    def hours(self) -> float:
        return round(self.duration_minutes / 60, 1)

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "replaced" if self.replaced_at else "valid"


class CertificateFile(db.Model):
    """A certificate's PDF in one language, rendered once by a job and kept in the file storage."""

    __tablename__ = "certificates_files"
    __table_args__ = (UniqueConstraint("certificate_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates_certificates.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(5))
    storage_key: Mapped[str] = mapped_column(String(200))
    rendered_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReissueRequest(db.Model):
    """A learner's request to re-issue a certificate under another name: an admin or their country's trainer decides,
    so that the name a verification confirms is never only self-asserted."""

    __tablename__ = "certificates_reissue_requests"
    __table_args__ = (
        # One pending request per certificate; a new name typed meanwhile updates it.
        Index(
            "uq_certificates_reissue_pending",
            "certificate_id",
            unique=True,
            sqlite_where=db.text("decided_at IS NULL"),
            postgresql_where=db.text("decided_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificates_certificates.id", ondelete="CASCADE"), index=True
    )
    #: The name the learner asks for: their profile's name when they asked.
    requested_name: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    #: True when approved (the new certificate is issued), False when refused, None while pending.
    approved: Mapped[bool | None]

    certificate: Mapped[Certificate] = relationship(lazy="joined")

    @property
    def status(self) -> str:
        if self.decided_at is None:
            return "pending"
        return "approved" if self.approved else "refused"
