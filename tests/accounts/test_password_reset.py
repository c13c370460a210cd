"""Choosing a new password through a one-time link that expires."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from lms.accounts.models import PasswordReset
from lms.core.models import OutboxMessage
from lms.core.time import utcnow
from lms.extensions import db

ANSWER = "If an account uses this address, we have sent it a link"


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def reset_link(app) -> str:
    return re.search(r"http://localhost(/accounts/password-reset/\S+)", outbox(app)[-1].secret_link).group(1)


def test_a_known_address_gets_a_link_in_its_language(app, client, create_user):
    create_user("maria@example.eu", name="Мария Иванова", language="bg")

    response = client.submit("/accounts/password-reset", {"email": "maria@example.eu"})

    assert response.headers["Location"] == "/accounts/sign-in"
    [message] = outbox(app)
    assert message.recipient == "maria@example.eu"
    assert "Мария Иванова" in message.body
    assert "Hello" not in message.body
    assert "[one-time link]" in message.body and "/accounts/password-reset/" in message.secret_link


def test_an_unknown_address_gets_the_same_answer_and_a_mail_without_a_link(app, client):
    response = client.submit("/accounts/password-reset", {"email": "Nobody@example.eu"}, follow_redirects=True)

    assert ANSWER in response.get_data(as_text=True)
    [message] = outbox(app)
    assert message.recipient == "nobody@example.eu"
    assert "no account that can sign in uses it" in message.body
    assert "/accounts/password-reset/" not in message.body


def test_the_link_sets_a_new_password_once(app, client, create_user):
    create_user("spela@example.eu")
    client.submit("/accounts/password-reset", {"email": "spela@example.eu"})
    link = reset_link(app)

    assert "spela@example.eu" in client.get(link).get_data(as_text=True)
    done = client.submit(link, {"password": "river stone lantern", "confirm": "river stone lantern"})
    again = client.get(link)

    assert done.headers["Location"] == "/accounts/sign-in"
    assert again.status_code == 410
    assert "This link no longer works" in again.get_data(as_text=True)
    assert client.sign_in("spela@example.eu", "river stone lantern").headers["Location"] == "/"


def test_an_expired_link_no_longer_works(app, client, create_user):
    create_user("spela@example.eu")
    client.submit("/accounts/password-reset", {"email": "spela@example.eu"})
    with app.app_context():
        db.session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()

    response = client.submit(reset_link(app), {"password": "river stone lantern", "confirm": "river stone lantern"})

    assert response.status_code == 410
    assert client.sign_in("spela@example.eu", "river stone lantern").status_code == 200


def test_a_made_up_link_no_longer_works(client):
    assert client.get("/accounts/password-reset/made-up-token").status_code == 410


def test_mismatched_and_short_passwords_are_explained_beside_the_field(app, client, create_user):
    create_user("spela@example.eu")
    client.submit("/accounts/password-reset", {"email": "spela@example.eu"})

    html = client.submit(reset_link(app), {"password": "short", "confirm": "other"}).get_data(as_text=True)

    assert "Use between 10 and 128 characters." in html
    assert "The two passwords are not the same." in html
    assert 'aria-invalid="true"' in html


def test_links_in_mails_use_the_configured_address(app, client, create_user):
    app.config["BASE_URL"] = "https://learn.example.eu"
    create_user("spela@example.eu")

    client.submit("/accounts/password-reset", {"email": "spela@example.eu"})

    assert outbox(app)[0].secret_link.startswith("https://learn.example.eu/accounts/password-reset/")
