"""E-mail: kept in the outbox, and sent through a real SMTP server when one is configured."""

import asyncio
import email
import email.policy
import re
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from lms.accounts.models import Role
from lms.core.mail import deliver_pending
from lms.core.models import Job, OutboxMessage
from lms.core.time import utcnow
from lms.extensions import db
from lms.support.models import ExpertProfile


class Inbox:
    """An SMTP handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("gone@"):
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


def configure_smtp(app, port):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SECURITY="none", MAIL_SENDER="LMS <lms@example.eu>")


def test_a_reset_link_is_delivered_by_smtp_by_a_job_not_by_the_request(app, client, create_user, smtp_server, run_jobs):
    port, inbox = smtp_server
    configure_smtp(app, port)
    create_user("spela@example.eu")

    client.submit("/accounts/password-reset", {"email": "spela@example.eu"})
    waited = list(inbox.messages)
    run_jobs()

    assert waited == []
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["spela@example.eu"]
    assert b"/accounts/password-reset/" in envelope.content
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage)).sent_at is not None


def test_a_delivered_message_keeps_no_link_that_opens_the_account(app, client, create_user, smtp_server, run_jobs):
    port, inbox = smtp_server
    configure_smtp(app, port)
    create_user("spela@example.eu")

    client.submit("/accounts/password-reset", {"email": "spela@example.eu"})
    run_jobs()

    [envelope] = inbox.messages
    text = email.message_from_bytes(envelope.content, policy=email.policy.default).get_content()
    link = re.search(r"http://localhost(/accounts/password-reset/[\w-]+)", text).group(1)
    with app.app_context():
        stored = db.session.scalar(select(OutboxMessage))
        assert stored.secret_link is None
        assert "[one-time link]" in stored.body and link.rsplit("/", 1)[1] not in stored.body
    assert client.get(link).status_code == 200  # the mail's link itself still works, once


def test_an_unreachable_server_keeps_the_message_for_a_later_attempt(
    app, client, create_user, runner, smtp_server, run_jobs
):
    port, inbox = smtp_server
    configure_smtp(app, free_port())
    create_user("spela@example.eu")

    response = client.submit("/accounts/password-reset", {"email": "spela@example.eu"})
    run_jobs()
    with app.app_context():
        waiting = db.session.scalar(select(OutboxMessage))
        assert (waiting.sent_at, waiting.attempts, waiting.failed_at) == (None, 1, None)
        assert waiting.last_error
        job = db.session.scalar(select(Job))
        assert (job.state, job.attempts) == ("queued", 1) and job.run_at > utcnow()

    configure_smtp(app, port)
    result = runner.invoke(args=["mail", "send"])

    assert response.headers["Location"] == "/accounts/sign-in"
    assert "1 message(s) sent." in result.output
    assert len(inbox.messages) == 1


def test_without_smtp_messages_stay_in_the_outbox(app, client, create_user, runner):
    create_user("spela@example.eu")

    client.submit("/accounts/password-reset", {"email": "spela@example.eu"})
    result = runner.invoke(args=["mail", "send"])

    assert "No SMTP server is configured" in result.output
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage)).sent_at is None


def test_links_can_be_built_outside_a_request(app_ctx):
    from lms.core.mail import external_url

    assert external_url("accounts.join", token="abc") == "http://127.0.0.1:5000/accounts/join/abc"
    app_ctx.config["BASE_URL"] = "https://learn.example.eu"
    assert external_url("accounts.join", token="abc") == "https://learn.example.eu/accounts/join/abc"


def test_forgetting_a_person_deletes_the_mail_to_them_and_redacts_the_mail_about_them(app_ctx):
    from lms.core.mail import forget_person

    db.session.add_all(
        [
            OutboxMessage(recipient="Maria@Burgas.example", subject="Choose a new password", body="A link."),
            OutboxMessage(recipient="maria@burgas.example", subject="You are invited", body="Join us."),
            OutboxMessage(
                recipient="expert@example.eu",
                subject="New question from Мария Иванова",
                body="Hello Eleni,\n\nМария (maria@burgas.example) asked about posters.",
                last_error="550 no such user maria@burgas.example",
            ),
            OutboxMessage(recipient="ivan@burgas.example", subject="Welcome", body="Hello Ivan."),
            Job(kind="mail.deliver", error="SMTPRecipientsRefused: {'maria@burgas.example': (550, b'No such user')}"),
        ]
    )
    db.session.flush()

    forget_person("Мария Иванова", "maria@burgas.example")

    left = db.session.execute(select(OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body)).all()
    assert sorted(left) == [
        (
            "expert@example.eu",
            "New question from [name removed]",
            "Hello Eleni,\n\n[name removed] ([e-mail removed]) asked about posters.",
        ),
        ("ivan@burgas.example", "Welcome", "Hello Ivan."),
    ]
    assert db.session.scalar(select(Job.error)) == "SMTPRecipientsRefused: {'[e-mail removed]': (550, b'No such user')}"
    assert db.session.scalar(select(OutboxMessage.last_error).where(OutboxMessage.last_error.is_not(None))) == (
        "550 no such user [e-mail removed]"
    )


def sign_in_admin(app, create_user):
    secret = pyotp.random_base32()
    create_user("admin@example.eu", roles=(Role.ADMIN,), two_factor_secret=secret)
    admin = app.test_client()
    admin.sign_in("admin@example.eu")
    admin.submit("/accounts/sign-in/code", {"code": pyotp.TOTP(secret).now()})
    return admin


@pytest.fixture
def asking(app, client, create_user, smtp_server, run_jobs):
    """Špela, signed in, about to ask a question that an expert of communication is mailed; returns the inbox
    and a function that runs the jobs."""
    port, inbox = smtp_server
    configure_smtp(app, port)
    expert = create_user("expert@example.eu", roles=(Role.EXPERT,))
    with app.app_context():
        db.session.add(ExpertProfile(user_id=expert, topics=["communication"], languages=["en"]))
        db.session.commit()
    create_user("spela@example.eu")
    client.sign_in("spela@example.eu")
    return inbox, run_jobs


def test_a_carriage_return_in_a_question_neither_breaks_nor_stops_the_mail(app, client, asking):
    inbox, run_jobs = asking

    asked = client.submit(
        "/support/ask",
        {"subject": "Posters\rBcc: everyone@example.eu", "topic": "communication", "language": "en", "body": "?"},
    )
    reset = app.test_client().submit("/accounts/password-reset", {"email": "spela@example.eu"})
    run_jobs()

    assert asked.status_code == reset.status_code == 302
    question, link = inbox.messages
    assert question.rcpt_tos == ["expert@example.eu"] and link.rcpt_tos == ["spela@example.eu"]
    headers = email.message_from_bytes(question.content)
    assert headers["Subject"] == "New question: Posters Bcc: everyone@example.eu"
    assert headers["Bcc"] is None


def test_an_encoded_line_break_in_a_question_adds_no_header_and_no_body(client, asking):
    inbox, run_jobs = asking
    subject = "=?utf-8?q?Hi=0D=0AReply-To:_attacker@evil.example=0D=0A=0D=0A<a_href=3Dhttp://evil.example>Reset</a>?="

    client.submit("/support/ask", {"subject": subject, "topic": "communication", "language": "en", "body": "?"})
    run_jobs()

    [question] = inbox.messages
    message = email.message_from_bytes(question.content, policy=email.policy.default)
    assert message["Reply-To"] is None and "evil.example" not in message.get_content()
    assert "attacker@evil.example" in message["Subject"]  # shown as typed, on the one line


class SlowInbox(Inbox):
    """An SMTP server that takes its time with each message, as a busy one does: the window where two senders race."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.2)
        return await super().handle_DATA(server, session, envelope)


def test_two_workers_delivering_at_once_send_each_message_once(app, make_app):
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port, "MAIL_SECURITY": "none"}
    with app.app_context():
        for number in range(4):
            db.session.add(OutboxMessage(recipient=f"person{number}@example.eu", subject="Hello", body="Hi.\n"))
        db.session.commit()
    workers = [make_app(**settings) for _ in range(2)]
    start = threading.Barrier(2)

    def deliver(worker):
        with worker.app_context():
            start.wait()
            return deliver_pending()

    with ThreadPoolExecutor(2) as pool:
        sent = list(pool.map(deliver, workers))
    controller.stop()

    assert sum(sent) == 4
    assert sorted(address for envelope in inbox.messages for address in envelope.rcpt_tos) == [
        f"person{number}@example.eu" for number in range(4)
    ]


def test_a_message_that_cannot_be_built_is_given_up_and_blocks_no_other(
    app, client, create_user, runner, smtp_server, run_jobs
):
    port, inbox = smtp_server
    configure_smtp(app, port)
    with app.app_context():
        db.session.add(
            OutboxMessage(
                recipient="expert@example.eu",
                subject="Posters\rBcc: everyone",
                body="[one-time link]",
                secret_link="http://localhost/accounts/join/abc",
            )
        )
        db.session.commit()
    create_user("spela@example.eu")

    first = client.submit("/accounts/password-reset", {"email": "spela@example.eu"})
    send = runner.invoke(args=["mail", "send"])
    second = client.submit("/accounts/password-reset", {"email": "spela@example.eu"})
    run_jobs()
    again = runner.invoke(args=["mail", "send"])

    assert first.status_code == second.status_code == 302
    assert [envelope.rcpt_tos for envelope in inbox.messages] == [["spela@example.eu"], ["spela@example.eu"]]
    assert "1 message(s) sent." in send.output and "0 message(s) sent." in again.output
    with app.app_context():
        broken = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "expert@example.eu"))
        assert (broken.sent_at, broken.attempts) == (None, 1) and broken.failed_at is not None
    admin = sign_in_admin(app, create_user)
    listing = admin.get("/outbox").get_data(as_text=True)
    page = admin.get(f"/outbox/{broken.id}").get_data(as_text=True)
    assert "Failed: The message cannot be built: Header values may not contain linefeed or carriage return" in listing
    assert "it will not be sent" in page and "carriage return" in page


def test_an_address_the_server_refuses_is_given_up_and_the_others_leave(app, runner, smtp_server):
    port, inbox = smtp_server
    configure_smtp(app, port)
    with app.app_context():
        db.session.add_all(
            OutboxMessage(recipient=recipient, subject="Welcome", body="Hello.")
            for recipient in ("gone@example.eu", "spela@example.eu")
        )
        db.session.commit()

    first = runner.invoke(args=["mail", "send"])
    second = runner.invoke(args=["mail", "send"])

    assert "1 message(s) sent." in first.output and "0 message(s) sent." in second.output
    assert [envelope.rcpt_tos for envelope in inbox.messages] == [["spela@example.eu"]]
    with app.app_context():
        refused = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "gone@example.eu"))
        assert refused.failed_at is not None and refused.attempts == 1
        assert "550" in refused.last_error and "No such user here" in refused.last_error
