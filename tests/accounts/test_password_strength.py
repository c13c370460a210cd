"""Choosing a password (NIST SP 800-63B): long enough, any characters, and none that attackers try first."""

import re

import pytest
from sqlalchemy import select

from lms.accounts import services
from lms.accounts.models import Organisation, User
from lms.core.models import OutboxMessage
from lms.extensions import db
from tests.accounts.test_password_reset import reset_link
from tests.conftest import PASSWORD

TOO_EASY = "This password is too easy to guess"
#: Common and breached passwords, patterns, and ones made of the person's name, address or the platform's name.
GUESSABLE = [
    "aaaaaaaaaa",
    "1234567890",
    "qwertyuiop",
    "password123",
    "iloveyou2024",
    "P@ssw0rd2024!",
    "clarinet-lms-2024",
    "clarinet-demo",
    "spela.horvat1",
    "Špela Horvat 2024",
    "horvat-spela-example",
]


def change(client, password):
    return client.submit("/accounts/profile/password", {"current": PASSWORD, "password": password, "confirm": password})


@pytest.fixture
def spela(client, create_user):
    create_user("spela.horvat@example.eu", name="Špela Horvat")
    client.sign_in("spela.horvat@example.eu")
    return client


@pytest.mark.parametrize("password", GUESSABLE)
def test_guessable_passwords_are_refused_with_a_message_beside_the_field(app, spela, password):
    response = change(spela, password)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert TOO_EASY in page
    assert page.index(TOO_EASY) > page.index('name="password"') > page.index('name="current"')
    assert app.test_client().sign_in("spela.horvat@example.eu").headers["Location"] == "/"


@pytest.mark.parametrize(
    "password",
    [
        "river stone lantern",
        "Η θάλασσα του Αιγαίου είναι γαλάζια 🌊",
        "Ljubljanica teče skozi Črnomelj? Ne, Lahinja!",
        "night train to Burgas " * 5 + "with tea",  # 118 characters: long passwords are welcome
    ],
)
def test_long_passphrases_in_any_script_are_accepted(app, spela, password):
    response = change(spela, password)

    assert response.headers["Location"] == "/accounts/profile"
    assert app.test_client().sign_in("spela.horvat@example.eu", password).headers["Location"] == "/"


def test_a_reset_refuses_a_password_made_of_the_persons_own_name(app, client, create_user):
    create_user("maria.ivanova@burgas.example", name="Мария Иванова")
    client.submit("/accounts/password-reset", {"email": "maria.ivanova@burgas.example"})
    link = reset_link(app)

    weak = client.submit(link, {"password": "Maria.Ivanova.2024", "confirm": "Maria.Ivanova.2024"})
    strong = client.submit(link, {"password": "lighthouse over the bay", "confirm": "lighthouse over the bay"})

    assert TOO_EASY in weak.get_data(as_text=True)
    assert strong.headers["Location"] == "/accounts/sign-in"


def test_registration_refuses_a_password_made_of_the_name_given_in_the_form(app, client):
    app.config["SELF_REGISTRATION"] = True
    with app.app_context():
        town = services.create_organisation("Община Бургас", "BG", "municipality")
        db.session.commit()
        town_id = town.id
    form = {"name": "Nikos Pappas", "email": "nikos@example.gr", "language": "el", "organisation": town_id}
    client.submit("/accounts/register", form)
    with app.app_context():
        link = db.session.scalar(select(OutboxMessage.secret_link).where(OutboxMessage.recipient == "nikos@example.gr"))
    confirm = re.search(r"http://localhost(/accounts/join/confirm/\S+)", link).group(1)

    weak = client.submit(confirm, {"password": "nikos pappas", "confirm": "nikos pappas"})

    assert TOO_EASY in weak.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "nikos@example.gr")) is None
        assert db.session.get(Organisation, town_id) is not None


def test_the_message_is_translated(spela):
    spela.submit("/accounts/profile", {"name": "Špela Horvat", "language": "sl", "timezone": "Europe/Ljubljana"})

    page = change(spela, "1234567890").get_data(as_text=True)

    assert TOO_EASY not in page
    assert "geslo" in page


def test_the_command_line_refuses_a_guessable_password(runner):
    result = runner.invoke(
        args=[
            "accounts",
            "create-user",
            "root@example.eu",
            "--name",
            "Root",
            "--role",
            "admin",
            "--password",
            "1234567890",
        ]
    )

    assert result.exit_code != 0
    assert "too easy to guess" in result.output


@pytest.mark.parametrize("password", ["парола12345", "κωδικός1234", "европа12345", "Summer2024!!", "jelszó2026!"])
def test_passwords_common_in_the_platforms_own_languages_are_refused(app, password):
    with app.app_context():
        assert services.password_too_guessable(password)
