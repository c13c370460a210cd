"""Account enumeration: the password reset and a shared invitation link answer alike, and as fast, whether or not
an account uses the address; only the address's own mailbox learns which."""

import email
import re
import socket
import statistics
import time

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from lms.accounts.models import Invitation, Organisation, Role, User
from lms.accounts.services import create_invitation
from lms.extensions import db

KNOWN, UNKNOWN = "spela@example.eu", "nobody@example.eu"
TRIES = 7


class Inbox:
    """An SMTP handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox(app, run_jobs):
    """A real SMTP server on 127.0.0.1 that the app delivers to; a function that runs the jobs (as the worker
    does) and returns the messages received, each with recipients and text."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SECURITY="none", MAIL_SENDER="LMS <lms@eu.eu>")
    app.config["SIGN_IN_RATE_LIMIT"] = "1000 per minute"  # the timing tries many times from one address

    def received():
        run_jobs()
        return handler.messages

    yield received
    controller.stop()


def page_as_seen(response, address: str) -> tuple:
    """What an attacker compares: status, where it leads, and the page (the echoed address and CSRF token aside)."""
    body = response.get_data(as_text=True).replace(address, "ADDRESS")
    return response.status_code, response.headers.get("Location"), re.sub(r'value="[^"]{40,}"', "TOKEN", body)


def median_seconds(send) -> float:
    times = []
    for _ in range(TRIES):
        started = time.perf_counter()
        send()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def assert_alike_in_time(known: float, unknown: float) -> None:
    """A generous margin: the machine may be loaded; leaving out the mail, as before, made one twice as fast."""
    assert max(known, unknown) < 1.5 * min(known, unknown) + 0.01, (known, unknown)


def test_a_password_reset_answers_alike_and_mails_the_address_in_both_cases(app, client, create_user, inbox):
    create_user(KNOWN)

    known = client.submit("/accounts/password-reset", {"email": KNOWN}, follow_redirects=True)
    unknown = client.submit("/accounts/password-reset", {"email": UNKNOWN}, follow_redirects=True)

    assert page_as_seen(known, KNOWN) == page_as_seen(unknown, UNKNOWN)
    assert [message.rcpt_tos for message in inbox()] == [[KNOWN], [UNKNOWN]]
    assert "/accounts/password-reset/" in inbox()[0].content.decode()
    assert "no account that can sign in uses it" in inbox()[1].content.decode().replace("\r\n", " ")


def test_a_password_reset_takes_as_long_for_an_unknown_address(client, create_user, inbox):
    create_user(KNOWN)
    client.submit("/accounts/password-reset", {"email": UNKNOWN})  # warm up

    def ask(address):
        return lambda: client.submit("/accounts/password-reset", {"email": address})

    known, unknown = [], []
    for _ in range(2):  # interleaved, so that both meet the same load
        known.append(median_seconds(ask(KNOWN)))
        unknown.append(median_seconds(ask(UNKNOWN)))

    assert_alike_in_time(min(known), min(unknown))


@pytest.fixture
def shared_link(app, create_user, create_organisation):
    """A shareable invitation link (for several people, no address) and its organisation."""
    town = create_organisation()
    trainer = create_user("trainer@example.eu", roles=(Role.TRAINER,), countries=("SI",))
    with app.app_context():
        _, token = create_invitation(
            db.session.get(Organisation, town), role=Role.LEARNER, created_by=db.session.get(User, trainer)
        )
        db.session.commit()
    return f"/accounts/join/{token}"


def join(client, link, address):
    return client.submit(link, {"name": "Ana Novak", "email": address, "language": "sl"})


def test_a_shared_invitation_link_does_not_tell_whether_an_address_has_an_account(
    app, client, create_user, inbox, shared_link
):
    create_user(KNOWN, name="Špela Horvat")

    known = join(client, shared_link, KNOWN)
    unknown = join(client, shared_link, UNKNOWN)

    assert page_as_seen(known, KNOWN) == page_as_seen(unknown, UNKNOWN)
    assert known.status_code == 200
    assert [message.rcpt_tos for message in inbox()] == [[KNOWN], [UNKNOWN]]
    reminder, invitation = (message.content.decode().replace("\r\n", " ") for message in inbox())
    assert "you already have one" in reminder and "/accounts/join/confirm/" not in reminder
    assert "/accounts/join/confirm/" in invitation
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 2  # the trainer and Špela: nobody was created
        assert db.session.scalar(select(User.name).where(User.email == KNOWN)) == "Špela Horvat"
        assert db.session.scalar(select(Invitation.use_count)) == 0


def test_a_shared_invitation_link_takes_as_long_for_a_known_address(client, create_user, inbox, shared_link):
    create_user(KNOWN)
    join(client, shared_link, UNKNOWN)  # warm up

    known, unknown = [], []
    for _ in range(2):
        known.append(median_seconds(lambda: join(client, shared_link, KNOWN)))
        unknown.append(median_seconds(lambda: join(client, shared_link, UNKNOWN)))

    assert_alike_in_time(min(known), min(unknown))


def mailed_link(inbox) -> str:
    """The link as the newcomer receives it: the outbox keeps none once the message has left."""
    message = next(message for message in inbox() if message.rcpt_tos == [UNKNOWN])
    body = email.message_from_bytes(message.content).get_payload(decode=True).decode()
    return re.search(r"http://localhost(/accounts/join/confirm/\S+)", body).group(1)


def test_the_mailed_link_creates_the_account_once(app, client, inbox, shared_link):
    join(client, shared_link, UNKNOWN)
    link = mailed_link(inbox)
    password = {"password": "lighthouse over the bay", "confirm": "lighthouse over the bay"}

    joined = client.submit(link, password)
    client.submit("/accounts/sign-out")
    again = app.test_client().submit(link, password)

    assert joined.headers["Location"] == "/"
    assert "An account with this e-mail address already exists." in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.name).where(User.email == UNKNOWN)) == "Ana Novak"
        assert db.session.scalar(select(Invitation.use_count)) == 1


def test_a_forged_or_altered_mailed_link_does_not_work(app, client, inbox, shared_link):
    join(client, shared_link, UNKNOWN)
    link = mailed_link(inbox)

    assert client.get(link[:-3] + "AAA").status_code == 410
    assert client.get("/accounts/join/confirm/eyJlbWFpbCI6Im1lQGV2aWwuZXUifQ").status_code == 410
