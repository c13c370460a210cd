"""The rules of accounts: passwords, sessions, resets, invitations, two-factor, people, organisations."""

import hashlib
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer
from markupsafe import Markup
from sqlalchemy import exists, func, or_, select, update
from zxcvbn import zxcvbn

from lms import signals
from lms.accounts.access import country_scope, within_scope
from lms.accounts.models import (
    Invitation,
    Organisation,
    PasswordReset,
    RecoveryCode,
    Role,
    TrainerCountry,
    User,
    UserRole,
)
from lms.core.mail import external_url, queue_mail
from lms.core.qr import qr_svg
from lms.core.time import utcnow
from lms.extensions import db
from lms.i18n import language_for_country

log = logging.getLogger("lms.accounts")
_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
#: Words of the platform itself, which make no password stronger.
PLATFORM_WORDS = ("Clarinet LMS",)
#: What people of the eight languages type first where zxcvbn's English lists do not reach: "password",
#: "Europe", "welcome", "hello", "summer" in their own words (and transliterated).
LOCAL_WORDS = (
    "password parola passwort geslo jelszó jelszo parolă парола parola κωδικός κωδικος kodikos συνθηματικό",
    "europa europe ευρώπη ευρωπη европа evropa európa",
    "benvenuto willkommen dobrodošli καλωσόρισμα bunvenit добре дошли üdvözöljük",
    "ciao hallo živjo zdravo γεια geia salut здравей szia summer estate sommer poletje καλοκαίρι vară лято nyár",
    "admin amministratore administrator διαχειριστής администратор",
)
#: zxcvbn's score from 0 to 4; 3 means at least 10^8 guesses, out of reach online and costly against Argon2.
MIN_PASSWORD_SCORE = 3
#: zxcvbn reads at most this many characters; the rest of a longer password only adds to its strength.
ESTIMATED_LENGTH = 72
RECOVERY_CODE_COUNT = 10
#: How long the mailed link of someone joining through a shared invitation works.
JOIN_LINK_HOURS = 24
ISSUER = "Clarinet LMS"


class AccountError(ValueError):
    """A rule was broken; the message is translated, and *field* names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- passwords and sessions -------------------------------------------------------------


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _normalised(password: str) -> str:
    """NIST SP 800-63B: compare passwords in Unicode NFKC, so that the same password typed on another keyboard
    (accents composed or not, full-width digits) still matches."""
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    """Return the Argon2id hash of *password*, normalised."""
    return _hasher.hash(_normalised(password))


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_hex(16))


def _verifies(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(user: User | None, password: str) -> bool:
    """Tell whether *password* is *user*'s, taking as long when there is no such user. A hash made before
    passwords were normalised is checked as typed, and replaced once it matches."""
    stored = user.password_hash if user is not None and user.password_hash else None
    if _verifies(stored or _dummy_hash(), _normalised(password)):
        if stored is None:
            return False
        if _hasher.check_needs_rehash(stored):
            user.password_hash = hash_password(password)
        return True
    if stored is None or _normalised(password) == password or not _verifies(stored, password):
        return False
    user.password_hash = hash_password(password)
    return True


def _fold(text: str) -> str:
    """Lower-case *text* without accents, so that "Špela" and "spela" are the same word."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch))


def _context_words(texts) -> list[str]:
    words = {word for text in texts for word in re.split(r"[\W_]+", _fold(text)) if len(word) >= 3}
    return sorted(words, key=len, reverse=True)


def password_too_guessable(password: str, context=()) -> bool:
    """Tell whether *password* is one that attackers try early (NIST SP 800-63B): a common or breached password,
    a dictionary word or name, a repeated or sequential pattern, or one made of *context* (the person's name and
    e-mail address) and the platform's name. zxcvbn, with its lists of breached passwords, words and names,
    estimates the guesses; the context words are also taken out, and what remains must be as strong alone."""
    words = _context_words([*PLATFORM_WORDS, *LOCAL_WORDS, *context])
    remainder = _fold(password[:ESTIMATED_LENGTH])
    for word in words:
        remainder = remainder.replace(word, " ")
    return any(
        not text.strip() or zxcvbn(text, user_inputs=words)["score"] < MIN_PASSWORD_SCORE
        for text in (password[:ESTIMATED_LENGTH], remainder)
    )


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, or None without saying which failed."""
    user = user_by_email(email)
    if not check_password(user, password) or not user.active:
        log.info("Failed sign-in for %s", "a known account" if user else "an unknown address")
        return None
    return user


def record_sign_in(user: User) -> None:
    """Note that *user* signed in."""
    user.last_sign_in_at = utcnow()
    log.info("User %s signed in", user.id)


def end_sessions(user: User) -> None:
    """End every session of *user*, on every device."""
    user.session_epoch += 1
    log.info("Sessions of user %s ended", user.id)


def user_for_session(session_id: str) -> User | None:
    """Return the user of a session id ("<user id>:<epoch>") while that session is current."""
    user_id, _, epoch = session_id.partition(":")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Give *user* a new password, ending their sessions and any open reset link."""
    user.password_hash = hash_password(password)
    end_sessions(user)
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
    log.info("Password of user %s changed", user.id)


# --- secret links -------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    """Return a fresh 256-bit token and the digest to store."""
    token = secrets.token_urlsafe(32)
    return token, _digest(token)


def _issue_reset(user: User, hours: int) -> str:
    token, digest = _new_token()
    db.session.add(PasswordReset(user_id=user.id, token_hash=digest, expires_at=utcnow() + timedelta(hours=hours)))
    return token


def request_password_reset(email: str) -> None:
    """Mail a reset link when an active account has this address, else a message that none does.

    Both cases mail the address, so that the answer to the browser, and the time it takes, are the same."""
    user = user_by_email(email)
    if user is None or not user.active:
        queue_mail(normalise_email(email), "accounts/mail/no_account.txt", str(get_locale()))
        log.info("Password reset asked for an unknown or inactive address")
        return
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    token = _issue_reset(user, hours)
    queue_mail(
        user.email,
        "accounts/mail/password_reset.txt",
        user.language,
        user=user,
        hours=hours,
        secret_link=external_url("accounts.reset_password", token=token),
        link_hours=hours,
    )
    log.info("Password reset link sent to user %s", user.id)


def send_welcome(user: User, invited_by: User) -> None:
    """Mail a new account's owner a link to choose their password."""
    days = current_app.config["INVITATION_DAYS"]
    token = _issue_reset(user, days * 24)
    queue_mail(
        user.email,
        "accounts/mail/welcome.txt",
        user.language,
        user=user,
        days=days,
        inviter=invited_by,
        secret_link=external_url("accounts.reset_password", token=token),
        link_hours=days * 24,
    )


def valid_reset(token: str) -> PasswordReset | None:
    """Return the unused, unexpired reset for *token*, or None."""
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _digest(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow() or not reset.user.active:
        return None
    return reset


def complete_reset(reset: PasswordReset, password: str) -> User:
    """Set the new password chosen through *reset* and spend the link."""
    set_password(reset.user, password)
    reset.used_at = utcnow()
    return reset.user


# --- people ---------------------------------------------------------------------------------


def create_user(
    email: str,
    name: str,
    *,
    via: str,
    organisation: Organisation | None = None,
    roles=(Role.LEARNER,),
    language: str = "en",
    timezone: str | None = None,
    password: str | None = None,
    is_demo: bool = False,
) -> User:
    """Create an account, or raise AccountError when the address is taken."""
    email = normalise_email(email)
    if user_by_email(email) is not None:
        raise AccountError(_("An account with this e-mail address already exists."), "email")
    user = User(
        email=email,
        name=name.strip(),
        organisation=organisation,
        language=language,
        timezone=timezone or current_app.config["DEFAULT_TIMEZONE"],
        is_demo=is_demo,
        password_hash=hash_password(password) if password else None,
    )
    user.role_rows = [UserRole(role=str(role)) for role in roles]
    db.session.add(user)
    db.session.flush()
    log.info("User %s created via %s", user.id, via)
    signals.user_created.send(user, via=via)
    return user


def update_user(
    user: User,
    *,
    actor: User,
    name: str,
    email: str,
    organisation: Organisation | None,
    language: str,
    timezone: str,
    active: bool,
    roles,
    countries,
) -> None:
    """Apply an admin's changes to *user*; an admin cannot lock themselves out."""
    email = normalise_email(email)
    if email != user.email and user_by_email(email) is not None:
        raise AccountError(_("An account with this e-mail address already exists."), "email")
    roles = {Role(role) for role in roles}
    if user.id == actor.id and (not active or Role.ADMIN not in roles):
        raise AccountError(_("You cannot deactivate your own account or remove your own administrator role."), "roles")
    if user.active and not active:
        end_sessions(user)
    user.name, user.email, user.organisation = name.strip(), email, organisation
    user.language, user.timezone, user.active = language, timezone, active
    user.role_rows = [row for row in user.role_rows if row.role in roles] + [
        UserRole(role=str(role)) for role in roles - user.roles
    ]
    countries = set(countries) if Role.TRAINER in roles else set()
    user.country_rows = [row for row in user.country_rows if row.country in countries] + [
        TrainerCountry(country=country) for country in countries - user.trainer_countries
    ]
    log.info("User %s changed by %s", user.id, actor.id)


def update_profile(user: User, *, name: str, language: str, timezone: str) -> None:
    """Save what a person may change about themselves."""
    user.name, user.language, user.timezone = name.strip(), language, timezone


def search_users(text: str = "", role: str = "", country: str = "", page: int = 1):
    """Return one page of users matching a name or e-mail fragment, a role and a country."""
    query = select(User).outerjoin(User.organisation).order_by(User.name, User.id)
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern), User.email.like(pattern)))
    if role:
        query = query.where(exists().where(UserRole.user_id == User.id, UserRole.role == role))
    if country:
        query = query.where(Organisation.country == country)
    return db.paginate(query, page=page, per_page=current_app.config["PAGE_SIZE"], error_out=False)


# --- organisations -------------------------------------------------------------------------


def _check_unique_organisation(name: str, country: str, current: Organisation | None = None) -> None:
    clash = db.session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == name.lower(), Organisation.country == country)
    )
    if clash is not None and clash is not current:
        raise AccountError(_("An organisation with this name already exists in this country."), "name")


def create_organisation(name: str, country: str, kind: str) -> Organisation:
    """Create a local authority, or raise AccountError when it exists already."""
    name = name.strip()
    _check_unique_organisation(name, country)
    organisation = Organisation(name=name, country=country, kind=kind)
    db.session.add(organisation)
    db.session.flush()
    log.info("Organisation %s created", organisation.id)
    return organisation


def update_organisation(organisation: Organisation, *, name: str, country: str, kind: str, active: bool) -> None:
    """Change an organisation's details."""
    name = name.strip()
    _check_unique_organisation(name, country, organisation)
    organisation.name, organisation.country, organisation.kind, organisation.active = name, country, kind, active


def organisations_query(countries: set[str] | None = None, text: str = "", country: str = "", active_only=False):
    """Return a query of organisations, limited to *countries* when given (a trainer's scope)."""
    query = select(Organisation).order_by(Organisation.country, Organisation.name)
    if countries is not None:
        query = query.where(Organisation.country.in_(countries))
    if text:
        query = query.where(func.lower(Organisation.name).like(f"%{text.lower()}%"))
    if country:
        query = query.where(Organisation.country == country)
    if active_only:
        query = query.where(Organisation.active.is_(True))
    return query


def search_organisations(text: str = "", country: str = "", page: int = 1):
    """Return one page of organisations matching a name fragment and a country."""
    query = organisations_query(text=text, country=country)
    return db.paginate(query, page=page, per_page=current_app.config["PAGE_SIZE"], error_out=False)


def organisations_in_scope(user: User) -> list[Organisation]:
    """Return the active organisations that *user* may invite people into."""
    return list(db.session.scalars(organisations_query(country_scope(user), active_only=True)))


# --- invitations ----------------------------------------------------------------------------


def invitable_roles(user: User) -> list[Role]:
    """Return the roles that *user* may invite people into."""
    if user.has_role(Role.ADMIN):
        return [Role.LEARNER, Role.EXPERT, Role.TRAINER]
    return [Role.LEARNER] if user.has_role(Role.TRAINER) else []


def may_manage_invitation(user: User, invitation: Invitation) -> bool:
    return user.has_role(Role.ADMIN, Role.TRAINER) and within_scope(user, invitation.organisation.country)


def create_invitation(
    organisation: Organisation,
    *,
    role: Role,
    created_by: User,
    email: str | None = None,
    max_uses: int | None = None,
) -> tuple[Invitation, str]:
    """Invite one address (mailed) or make a shareable link; return it with its secret token."""
    if organisation not in organisations_in_scope(created_by) or role not in invitable_roles(created_by):
        raise AccountError(_("You cannot invite people into this organisation or role."))
    token, digest = _new_token()
    invitation = Invitation(
        organisation=organisation,
        role=str(role),
        created_by=created_by,
        token_hash=digest,
        email=normalise_email(email) if email else None,
        max_uses=1 if email else max_uses,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    if invitation.email:
        queue_mail(
            invitation.email,
            "accounts/mail/invitation.txt",
            language_for_country(organisation.country),
            invitation=invitation,
            inviter=created_by,
            secret_link=external_url("accounts.join", token=token),
            link_hours=current_app.config["INVITATION_DAYS"] * 24,
        )
    log.info("Invitation %s to organisation %s created by %s", invitation.id, organisation.id, created_by.id)
    return invitation, token


def usable_invitation(token: str) -> Invitation | None:
    """Return the invitation for *token* while it can still be used, or None."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _digest(token)))
    return invitation if invitation is not None and invitation.is_usable(utcnow()) else None


def accept_invitation(invitation: Invitation, *, name: str, email: str, password: str, language: str) -> User:
    """Create the account of someone joining with *invitation*, spending one of its uses."""
    if invitation.email and normalise_email(email) != invitation.email:
        raise AccountError(_("This invitation is for another e-mail address."), "email")
    spent = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id)
        .where(or_(Invitation.max_uses.is_(None), Invitation.use_count < Invitation.max_uses))
        .values(use_count=Invitation.use_count + 1)
    )
    if spent.rowcount != 1:
        raise AccountError(_("This invitation has been used up."))
    return create_user(
        email,
        name,
        via="invitation",
        organisation=invitation.organisation,
        roles=(Role(invitation.role),),
        language=language,
        password=password,
    )


def _join_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="accounts.join")


@dataclass(frozen=True)
class JoinRequest:
    """What a mailed link to join carries: where the person joins, through which invitation (None when they
    registered on their own), and their name, address and language."""

    organisation: Organisation
    invitation: Invitation | None
    name: str
    email: str
    language: str

    @property
    def role_label(self):
        return self.invitation.role_label if self.invitation else Role.LEARNER.label


def request_join(
    organisation: Organisation, *, name: str, email: str, language: str, invitation: Invitation | None = None
) -> None:
    """Someone asks to join *organisation*, through a shared *invitation* link or by registering: mail the address a
    link to choose a password, or, when an account uses it already, a reminder to sign in. The browser is told the
    same in both cases, so that nobody learns through these pages whether an address has an account."""
    email = normalise_email(email)
    user = user_by_email(email)
    if user is not None:
        queue_mail(
            email,
            "accounts/mail/join_existing.txt",
            user.language,
            user=user,
            sign_in=external_url("accounts.login"),
            reset=external_url("accounts.request_reset"),
        )
        log.info("Joining organisation %s asked for the address of user %s", organisation.id, user.id)
        return
    details = {"email": email, "name": name.strip(), "language": language}
    confirmation = _join_serializer().dumps(
        {"organisation": organisation.id, "invitation": invitation.id if invitation else None, **details}
    )
    queue_mail(
        email,
        "accounts/mail/join_confirm.txt",
        language,
        request=JoinRequest(organisation, invitation, **details),
        hours=JOIN_LINK_HOURS,
        secret_link=external_url("accounts.join_confirm", confirmation=confirmation),
        link_hours=JOIN_LINK_HOURS,
    )
    log.info("Joining organisation %s asked for a new address", organisation.id)


def join_request(confirmation: str) -> JoinRequest | None:
    """Return what a mailed link to join asks for, while its invitation is usable (or registration open), or None."""
    try:
        details = _join_serializer().loads(confirmation, max_age=JOIN_LINK_HOURS * 3600)
    except BadData:
        return None
    organisation = db.session.get(Organisation, details.pop("organisation", None) or 0)
    invitation = db.session.get(Invitation, details.pop("invitation") or 0)
    if invitation is not None:
        if not invitation.is_usable(utcnow()):
            return None
        organisation = invitation.organisation
    elif not current_app.config["SELF_REGISTRATION"] or organisation is None or not organisation.active:
        return None
    return JoinRequest(organisation, invitation, **details)


def join(request: JoinRequest, password: str) -> User:
    """Create the account that a mailed link to join asked for."""
    if request.invitation is not None:
        return accept_invitation(
            request.invitation, name=request.name, email=request.email, password=password, language=request.language
        )
    return create_user(
        request.email,
        request.name,
        via="registration",
        password=password,
        organisation=request.organisation,
        language=request.language,
    )


def revoke_invitation(invitation: Invitation, actor: User) -> None:
    """Stop *invitation* from letting anyone else in."""
    invitation.revoked_at = invitation.revoked_at or utcnow()
    log.info("Invitation %s revoked by %s", invitation.id, actor.id)


def invitations_for(user: User, page: int = 1):
    """Return one page of the invitations that *user* may see, newest first."""
    query = select(Invitation).join(Invitation.organisation).order_by(Invitation.id.desc())
    scope = country_scope(user)
    if scope is not None:
        query = query.where(Organisation.country.in_(scope))
    return db.paginate(query, page=page, per_page=current_app.config["PAGE_SIZE"], error_out=False)


# --- two-factor sign-in -------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_qr_code(user: User, secret: str) -> Markup:
    """Return an SVG QR code that an authenticator app scans to enrol *secret*."""
    return qr_svg(pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER))


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    """Return the time step (now, or one step either side) whose code is *code*."""
    totp = pyotp.TOTP(secret)
    now = datetime.now(UTC)
    for offset in (0, -1, 1):
        moment = now + timedelta(seconds=offset * totp.interval)
        step = totp.timecode(moment)
        if (after is None or step > after) and secrets.compare_digest(totp.at(moment), code):
            return step
    return None


def _clean_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def enable_two_factor(user: User, secret: str, code: str) -> list[str]:
    """Turn on two-factor sign-in once *code* proves the app has *secret*; return recovery codes."""
    step = _matching_step(secret, _clean_code(code), None)
    if step is None:
        raise AccountError(_("This code is not right. Check the time on your phone and try the newest code."), "code")
    user.totp_secret, user.totp_last_step = secret, step
    log.info("Two-factor sign-in turned on for user %s", user.id)
    return new_recovery_codes(user)


def disable_two_factor(user: User) -> None:
    """Turn off two-factor sign-in and drop the recovery codes."""
    user.totp_secret = user.totp_last_step = None
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    log.info("Two-factor sign-in turned off for user %s", user.id)


def new_recovery_codes(user: User) -> list[str]:
    """Replace *user*'s recovery codes with fresh ones and return them, to be shown once."""
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    codes = ["".join(secrets.choice(alphabet) for _ in range(12)) for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    return [f"{code[:4]}-{code[4:8]}-{code[8:]}" for code in codes]


def verify_second_factor(user: User, code: str) -> bool:
    """Accept a current authenticator code or an unused recovery code, each once.

    The code is spent by one conditional UPDATE whose row count tells whether this request spent it: two sign-ins
    racing with one code (one per worker) cannot both get in."""
    code = _clean_code(code)
    step = _matching_step(user.totp_secret, code, user.totp_last_step) if code.isdigit() else None
    if step is not None:
        spent = db.session.execute(
            update(User)
            .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        if spent.rowcount == 1:
            return True
    spent = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(code), RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        log.info("Wrong second factor for user %s", user.id)
        return False
    log.info("Recovery code used by user %s", user.id)
    return True


def current_totp_code(user: User) -> str:
    """Return the authenticator code of a demo account, for trying the platform out."""
    if not user.is_demo or user.totp_secret is None:
        raise AccountError(_("Codes can only be shown for demo accounts with two-factor sign-in."))
    return pyotp.TOTP(user.totp_secret).now()
