"""People, their roles and scopes, their organisations, and the tokens that let them in."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.encryption import EncryptedString
from lms.core.time import utcnow
from lms.extensions import db


class Role(enum.StrEnum):
    LEARNER = "learner"
    EXPERT = "expert"
    TRAINER = "trainer"
    ADMIN = "admin"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.LEARNER: _l("Learner"),
    Role.EXPERT: _l("Expert"),
    Role.TRAINER: _l("Trainer"),
    Role.ADMIN: _l("Administrator"),
}


class OrganisationKind(enum.StrEnum):
    MUNICIPALITY = "municipality"
    REGION = "region"
    DISTRICT = "district"
    AGENCY = "agency"
    NGO = "ngo"
    OTHER = "other"

    @property
    def label(self):
        return KIND_LABELS[self]


KIND_LABELS = {
    OrganisationKind.MUNICIPALITY: _l("Municipality"),
    OrganisationKind.REGION: _l("Region"),
    OrganisationKind.DISTRICT: _l("District or county"),
    OrganisationKind.AGENCY: _l("Public agency"),
    OrganisationKind.NGO: _l("Non-governmental organisation"),
    OrganisationKind.OTHER: _l("Other"),
}


class Organisation(db.Model):
    """A local authority (or partner body) that people belong to."""

    __tablename__ = "accounts_organisations"
    __table_args__ = (UniqueConstraint("name", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: ISO 3166 code, e.g. "GR" for Greece.
    country: Mapped[str] = mapped_column(String(2), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=OrganisationKind.MUNICIPALITY)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def kind_label(self):
        return OrganisationKind(self.kind).label


class UserRole(db.Model):
    __tablename__ = "accounts_user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class TrainerCountry(db.Model):
    """A country in which a trainer may follow courses, surveys and feedback."""

    __tablename__ = "accounts_trainer_countries"

    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "accounts_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Always stored in lower case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Argon2id hash; None until the person sets a password.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_organisations.id"), index=True)
    language: Mapped[str] = mapped_column(String(5), default="en")
    timezone: Mapped[str] = mapped_column(String(50), default="Europe/Brussels")
    active: Mapped[bool] = mapped_column(default=True)
    #: Raised to end every session of this person (sign-out, new password, deactivation).
    session_epoch: Mapped[int] = mapped_column(default=0)
    #: Base32 secret of the authenticator app, encrypted (lms.core.encryption); None while two-factor sign-in is off.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString(200))
    #: The last time step whose code was accepted, so that a code works only once.
    totp_last_step: Mapped[int | None]
    #: Created by `lms demo load`; only demo accounts may have their codes printed by the CLI.
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(lazy="selectin", cascade="all, delete-orphan")
    country_rows: Mapped[list[TrainerCountry]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def roles(self) -> set[Role]:
        return {Role(row.role) for row in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def trainer_countries(self) -> set[str]:
        return {row.country for row in self.country_rows}

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_secret is not None

    @property
    def country(self) -> str | None:
        return self.organisation.country if self.organisation else None


class TokenMixin:
    """A secret link's token: only its SHA-256 is stored, and it expires."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class PasswordReset(TokenMixin, db.Model):
    """A one-time link to choose a new password."""

    __tablename__ = "accounts_password_resets"

    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class Invitation(TokenMixin, db.Model):
    """An invitation to join an organisation: for one e-mail address, or a shareable link."""

    __tablename__ = "accounts_invitations"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("accounts_organisations.id"), index=True)
    #: The invited address; None for a link that anyone who has it may use.
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20), default=Role.LEARNER)
    #: How many people may join with it; None for no limit until it expires.
    max_uses: Mapped[int | None]
    use_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def role_label(self):
        return Role(self.role).label

    def is_usable(self, now: datetime) -> bool:
        return (
            self.revoked_at is None
            and self.expires_at > now
            and (self.max_uses is None or self.use_count < self.max_uses)
            and self.organisation.active
        )


class RecoveryCode(db.Model):
    """A single-use code to sign in when the authenticator app is lost."""

    __tablename__ = "accounts_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
