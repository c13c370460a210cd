"""How long a sign-in lasts: a copied or forgotten session cookie stops working after a while."""

import time
from datetime import timedelta

import pyotp
import pytest

from lms.accounts.lifetime import SEEN_AT, SIGNED_IN_AT
from lms.accounts.models import Role
from tests.conftest import PASSWORD

IDLE = "You were signed out after a while without activity. Please sign in again to continue."
TOO_LONG = "For your security, a sign-in lasts a limited time. Please sign in again to continue."


@pytest.fixture
def time_passes():
    """Return a function that ages a client's session as if time had passed since sign-in and since the last page."""

    def age(client, since_sign_in: timedelta, since_last_page: timedelta | None = None) -> None:
        now = time.time()
        with client.session_transaction() as session:
            session[SIGNED_IN_AT] = now - since_sign_in.total_seconds()
            session[SEEN_AT] = now - (since_last_page or since_sign_in).total_seconds()

    return age


def test_a_thirty_day_old_cookie_no_longer_opens_anything(app, client, create_user, time_passes):
    create_user("spela@example.eu")
    client.sign_in("spela@example.eu")
    time_passes(client, timedelta(days=30))
    stolen = client.get_cookie("session").value

    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/accounts/profile")

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/sign-in?next=/accounts/profile"
    assert thief.get("/accounts/profile").status_code == 302


def test_after_an_idle_hour_the_person_is_told_why_and_comes_back_after_signing_in(client, create_user, time_passes):
    create_user("spela@example.eu")
    client.sign_in("spela@example.eu")
    time_passes(client, timedelta(minutes=70), since_last_page=timedelta(minutes=61))

    ended = client.get("/accounts/profile?tab=password")
    sign_in_page = client.get(ended.headers["Location"]).get_data(as_text=True)
    again = client.submit(ended.headers["Location"], {"email": "spela@example.eu", "password": PASSWORD})

    assert ended.headers["Location"] == "/accounts/sign-in?next=/accounts/profile?tab%3Dpassword"
    assert IDLE in sign_in_page
    assert again.headers["Location"] == "/accounts/profile?tab=password"
    assert client.get("/accounts/profile").status_code == 200


def test_a_form_sent_after_the_idle_limit_is_not_saved_and_leads_back_to_its_page(
    app, client, create_user, time_passes
):
    create_user("spela@example.eu", name="Špela Horvat")
    client.sign_in("spela@example.eu")
    token = client.csrf_token()  # the form was shown before the break
    time_passes(client, timedelta(hours=2))

    response = client.post(
        "/accounts/profile",
        data={"csrf_token": token, "name": "Someone Else", "language": "en", "timezone": "Europe/Ljubljana"},
        headers={"Referer": "http://localhost/accounts/profile"},
    )

    assert response.headers["Location"] == "/accounts/sign-in?next=/accounts/profile"
    client.sign_in("spela@example.eu")
    assert "Špela Horvat" in client.get("/accounts/profile").get_data(as_text=True)


def test_activity_keeps_a_session_until_its_absolute_limit(client, create_user, time_passes):
    create_user("spela@example.eu")
    client.sign_in("spela@example.eu")

    time_passes(client, timedelta(hours=11, minutes=50), since_last_page=timedelta(minutes=50))
    still = client.get("/accounts/profile").status_code
    time_passes(client, timedelta(hours=12, minutes=10), since_last_page=timedelta(minutes=1))
    ended = client.get("/accounts/profile")

    assert still == 200
    assert ended.status_code == 302
    assert TOO_LONG in client.get(ended.headers["Location"]).get_data(as_text=True)


def test_an_administrators_session_ends_sooner(app, client, create_user, time_passes):
    secret = pyotp.random_base32()
    create_user("admin@example.eu", roles=(Role.ADMIN,), two_factor_secret=secret)
    create_user("spela@example.eu")
    client.sign_in("admin@example.eu")
    client.submit("/accounts/sign-in/code", {"code": pyotp.TOTP(secret).now()})
    learner = app.test_client()
    learner.sign_in("spela@example.eu")

    for person in (client, learner):
        time_passes(person, timedelta(hours=5), since_last_page=timedelta(minutes=1))

    assert client.get("/accounts/users").status_code == 302
    assert learner.get("/accounts/profile").status_code == 200


def test_the_limits_are_settings(make_app, create_user, time_passes):
    create_user("spela@example.eu")
    app = make_app(SESSION_IDLE_MINUTES=5)
    client = app.test_client()
    client.sign_in("spela@example.eu")

    time_passes(client, timedelta(minutes=6))

    assert client.get("/accounts/profile").status_code == 302


def test_the_sign_in_page_after_a_timeout_speaks_the_persons_language(client, create_user, time_passes):
    create_user("eleni@example.gr", language="el")
    client.sign_in("eleni@example.gr")
    time_passes(client, timedelta(minutes=70), since_last_page=timedelta(minutes=61))

    ended = client.get("/accounts/profile")
    page = client.get(ended.headers["Location"]).get_data(as_text=True)

    assert '<html lang="el"' in page and "Sign in" not in page
