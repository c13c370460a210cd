"""A person's rights over their data: a download of everything, and erasure by an admin."""

import logging

from sqlalchemy import delete

from lms import signals
from lms.accounts.models import Invitation, PasswordReset, RecoveryCode, TrainerCountry, User, UserRole
from lms.accounts.services import end_sessions
from lms.core.mail import forget_person
from lms.extensions import db

log = logging.getLogger("lms.accounts")


def personal_data(user: User) -> dict:
    """Collect what every enabled package holds about *user*."""
    data = {
        "account": {
            "name": user.name,
            "email": user.email,
            "language": user.language,
            "time_zone": user.timezone,
            "organisation": user.organisation.name if user.organisation else None,
            "roles": sorted(user.roles),
            "trainer_countries": sorted(user.trainer_countries),
            "two_factor_sign_in": user.two_factor_enabled,
            "created_at": user.created_at.isoformat(),
            "last_sign_in_at": user.last_sign_in_at.isoformat() if user.last_sign_in_at else None,
        }
    }
    for _receiver, part in signals.personal_data_requested.send(user):
        data.update(part or {})
    return data


def erase(user: User, actor: User) -> None:
    """Remove the person's personal data everywhere, keeping statistics and verification answers consistent.

    Every package removes its own (signals.user_erasing); the outbox loses the messages to the person and their
    name and address in the others; then the account keeps no name, address, password or sign-in.
    """
    signals.user_erasing.send(user)
    forget_person(user.name, user.email)
    for model in (PasswordReset, RecoveryCode, UserRole, TrainerCountry):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(delete(Invitation).where(Invitation.email == user.email))
    end_sessions(user)
    user.name, user.email = "—", f"erased-{user.id}@erased.invalid"
    user.password_hash = user.totp_secret = user.last_sign_in_at = None
    user.active, user.organisation_id = False, None
    db.session.expire(user, ["role_rows", "country_rows"])
    log.info("User %s erased by %s", user.id, actor.id)


def flush_erased_pages() -> None:
    """After an erasure is committed on SQLite, fold the write-ahead log into the database file and empty it:
    older copies of the changed pages, which still hold the name, go with it. PostgreSQL reclaims dead rows
    at its next vacuum."""
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
