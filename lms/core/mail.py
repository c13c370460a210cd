"""E-mail: queued in the outbox with the change that causes it, sent by a job once that change is committed."""

import email.errors
import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from lms.core import redaction
from lms.core.jobs import GiveUp, JobKind, enqueue, lease
from lms.core.models import Job, OutboxMessage
from lms.core.time import utcnow
from lms.extensions import db

log = logging.getLogger("lms.core.mail")


#: Stands in the stored body for the one-time link that only the recipient may read.
SECRET_LINK = "[one-time link]"


def queue_mail(
    recipient: str,
    template: str,
    language: str,
    secret_link: str | None = None,
    link_hours: float | None = None,
    **context,
) -> OutboxMessage:
    """Render *template* (subject on its first line) in *language* and queue it for *recipient*; a job sends it
    once the transaction commits, when SMTP is configured.

    A *secret_link* (one that lets its holder in: a password reset, an invitation) is the template's `link`; it is
    kept apart from the body, shown to no admin, and forgotten once the message has left or after *link_hours*,
    when the link stops working."""
    if secret_link is not None:
        context["link"] = SECRET_LINK
    with force_locale(language):
        subject, _newline, body = render_template(template, **context).strip().partition("\n")
    message = OutboxMessage(
        recipient=one_line(recipient),
        subject=one_line(subject)[:200],
        body=body.strip() + "\n",
        secret_link=secret_link,
        link_expires_at=utcnow() + timedelta(hours=link_hours) if link_hours else None,
    )
    db.session.add(message)
    db.session.flush()
    if smtp_configured():
        enqueue("mail.deliver", message_id=message.id)
    return message


#: Where `make run` serves the platform: the base of links made outside a request when BASE_URL is unset.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def external_url(endpoint: str, **values) -> str:
    """Return an absolute link for e-mails and documents, from BASE_URL when it is configured."""
    base = current_app.config["BASE_URL"]
    if has_request_context():
        return base + url_for(endpoint, **values) if base else url_for(endpoint, _external=True, **values)
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config["APPLICATION_ROOT"])
    return (base or DEVELOPMENT_BASE_URL) + adapter.build(endpoint, values)


def one_line(text: str) -> str:
    """Return *text* fit for a header: control characters (CR and LF above all) become spaces, runs of space one,
    and "=?" is broken apart, so that no RFC 2047 encoded word typed by someone is decoded into a line break."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split()).replace("=?", "= ?")


def smtp_configured() -> bool:
    """Tell whether messages leave by SMTP, or stay in the outbox only."""
    return bool(current_app.config["MAIL_SERVER"])


class Undeliverable(Exception):
    """This message can never be sent (it cannot be built, or the server refused it for good): give it up."""


def _build(message: OutboxMessage) -> EmailMessage:
    try:
        built = EmailMessage()
        built["From"] = current_app.config["MAIL_SENDER"]
        built["To"] = message.recipient
        built["Subject"] = message.subject
        secret = message.secret_link
        built.set_content(message.body if secret is None else message.body.replace(SECRET_LINK, secret))
    except (ValueError, TypeError, email.errors.MessageError) as error:
        raise Undeliverable(f"The message cannot be built: {error}") from error
    return built


def _send(message: OutboxMessage) -> None:
    """Send *message*; raise Undeliverable when trying again cannot help, OSError or SMTPException when it may."""
    config = current_app.config
    built = _build(message)
    smtp_class = smtplib.SMTP_SSL if config["MAIL_SECURITY"] == "ssl" else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_SECURITY"] == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        try:
            smtp.send_message(built)
        except smtplib.SMTPRecipientsRefused as error:
            if all(code < 500 for code, _reply in error.recipients.values()):
                raise  # "451 try again later": a passing refusal
            raise Undeliverable(f"The server refused the message: {error}") from error
        except (smtplib.SMTPNotSupportedError, ValueError) as error:
            raise Undeliverable(f"The server refused the message: {error}") from error
        except smtplib.SMTPDataError as error:
            if error.smtp_code >= 500:
                raise Undeliverable(f"The server refused the message: {error}") from error
            raise


LINK_EXPIRED = "The one-time link expired before the message could be sent."


def _claim(message_id: int) -> bool:
    """Take the message for this process, in one statement: of two processes, one gets it. A process that died
    while sending leaves it to the others once a job's lease (LMS_JOB_LEASE_SECONDS) has passed."""
    now = utcnow()
    taken = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - lease()),
        )
        .values(claimed_at=now)
    )
    db.session.commit()
    return taken.rowcount == 1


class NotConfigured(Exception):
    """The process that runs the job has no SMTP server configured: another attempt, elsewhere, may have one."""


class BeingSent(Exception):
    """Another process holds the message: this attempt waits for the next."""


def deliver(message_id: int) -> bool:
    """Send one outbox message by SMTP, once (claimed first); tell whether it left now.

    Raises GiveUp when trying again cannot help (a message that cannot be built or that the server refuses for
    good, a link that expired), and OSError or SMTPException for a passing fault."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.sent_at is not None:
        return False  # erased with its recipient, or sent already
    if not smtp_configured():  # a worker started without the mail settings that the web processes have
        raise NotConfigured("This process has no SMTP server (LMS_MAIL_SERVER): the message waits for one that has.")
    if message.secret_link is None and message.link_expires_at is not None:
        raise GiveUp(LINK_EXPIRED)
    if not _claim(message_id):
        raise BeingSent(f"Message {message_id} is being sent by another process.")
    message.attempts += 1
    try:
        _send(message)
    except (Undeliverable, OSError, smtplib.SMTPException) as error:
        message.last_error, message.claimed_at = str(error)[:500], None
        db.session.commit()  # the attempt counts, whatever comes next
        if isinstance(error, Undeliverable):
            raise GiveUp(str(error)) from error
        log.warning("Could not send message %s to SMTP: %s", message.id, error)
        raise
    message.sent_at, message.failed_at, message.last_error, message.secret_link = utcnow(), None, None, None
    db.session.commit()
    return True


def give_up(error: Exception, message_id: int) -> None:
    """Mark the message failed with the reason: admins read it in the outbox and may retry the job."""
    message = db.session.get(OutboxMessage, message_id)
    if message is not None and message.sent_at is None:
        message.failed_at, message.last_error, message.claimed_at = utcnow(), str(error)[:500], None
        log.error("Gave up message %s: %s", message.id, error)


def deliver_pending(limit: int = 100) -> int:
    """Send the waiting outbox messages now, in this process (`lms mail send`); return how many left.

    A message that can never be sent is marked failed, one that met a passing fault waits for its next attempt;
    neither stops the others."""
    sent = 0
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    for message_id in db.session.scalars(query).all():
        try:
            sent += deliver(message_id)
        except GiveUp as error:
            db.session.rollback()
            give_up(error, message_id)
            db.session.commit()
        except (BeingSent, NotConfigured, OSError, smtplib.SMTPException):
            db.session.rollback()
    return sent


def expire_links() -> None:
    """Forget the one-time links that no longer open anything; give up the unsent messages that carried one."""
    now = utcnow()
    expired = (OutboxMessage.link_expires_at < now, OutboxMessage.secret_link.is_not(None))
    db.session.execute(
        update(OutboxMessage)
        .where(*expired, OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
        .values(failed_at=now, last_error=LINK_EXPIRED)
    )
    db.session.execute(update(OutboxMessage).where(*expired).values(secret_link=None))


JOBS = (
    JobKind("mail.deliver", _l("Send an e-mail message"), deliver, attempts=8, on_failure=give_up),
    JobKind("mail.expire_links", _l("Forget expired one-time links"), expire_links, every=timedelta(minutes=15)),
)


def readable_body(message: OutboxMessage) -> str:
    """Return the body as admins read it in the outbox: the one-time link named, never shown."""
    return message.body.replace(SECRET_LINK, _("[one-time link, for the recipient only]"))


def outbox_page(page: int):
    """Return one page of the outbox, newest first."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    return db.paginate(query, page=page, per_page=current_app.config["PAGE_SIZE"], error_out=False)


def forget_person(name: str, email: str) -> None:
    """For erasure: delete every message to *email* (invitations, password-reset links) and replace *name* and
    *email* by markers in every other message (an expert told that this person asked, say) and in the errors
    of background jobs (a server that refused the address)."""
    db.session.execute(delete(OutboxMessage).where(func.lower(OutboxMessage.recipient) == email.lower()))
    columns = (OutboxMessage.subject, OutboxMessage.body, OutboxMessage.last_error)
    rows = db.session.execute(select(OutboxMessage.id, *columns), execution_options={"yield_per": 1000})
    changed = [
        (message_id, texts)
        for message_id, *texts in rows
        if any(redaction.mentions(text, names=[name], emails=[email]) for text in texts)
    ]
    for message_id, texts in changed:
        subject, body, last_error = (redaction.forget(text, name, email) for text in texts)
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(subject=subject[:200], body=body, last_error=last_error[:500] if last_error else None)
        )
    errors = db.session.execute(select(Job.id, Job.error).where(Job.error.is_not(None)))
    for job_id, error in [
        (job_id, error) for job_id, error in errors if redaction.mentions(error, names=[name], emails=[email])
    ]:
        db.session.execute(update(Job).where(Job.id == job_id).values(error=redaction.forget(error, name, email)))
