"""Signing in and out: right and wrong passwords, sessions that really end, rate limits."""

import unicodedata

from argon2 import PasswordHasher

from lms.accounts import services
from lms.accounts.models import User
from lms.extensions import db
from tests.conftest import PASSWORD


def test_sign_in_greets_the_person_and_remembers_them(client, create_user):
    create_user("spela@example.eu", name="Špela Horvat")

    response = client.sign_in("spela@example.eu")

    assert response.headers["Location"] == "/"
    assert "Špela Horvat" in client.get("/").get_data(as_text=True)


def test_sign_in_accepts_the_address_in_any_case(client, create_user):
    create_user("spela@example.eu")

    assert client.sign_in("  Spela@Example.EU ").headers["Location"] == "/"


def test_wrong_password_unknown_address_and_inactive_account_get_the_same_answer(client, create_user):
    create_user("known@example.eu")
    create_user("gone@example.eu", active=False)

    answers = [
        client.sign_in("known@example.eu", "wrong password"),
        client.sign_in("nobody@example.eu"),
        client.sign_in("gone@example.eu"),
    ]

    for response in answers:
        assert response.status_code == 200
        assert "The e-mail address or the password is not right." in response.get_data(as_text=True)
    assert client.get("/accounts/profile").status_code == 302


def test_sign_out_makes_a_copied_session_cookie_useless(app, client, create_user):
    create_user("spela@example.eu")
    client.sign_in("spela@example.eu")
    stolen = client.get_cookie("session").value

    client.submit("/accounts/sign-out")

    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/accounts/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/sign-in")


def test_changing_the_password_signs_out_other_devices_but_not_this_one(app, client, create_user):
    create_user("spela@example.eu")
    laptop = app.test_client()
    laptop.sign_in("spela@example.eu")
    client.sign_in("spela@example.eu")

    response = client.submit(
        "/accounts/profile/password",
        {
            "current": PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )

    assert response.headers["Location"] == "/accounts/profile"
    assert client.get("/accounts/profile").status_code == 200
    assert laptop.get("/accounts/profile").status_code == 302
    assert app.test_client().sign_in("spela@example.eu", "a brand new passphrase").headers["Location"] == "/"


def test_changing_the_password_needs_the_current_one(client, create_user):
    create_user("spela@example.eu")
    client.sign_in("spela@example.eu")

    response = client.submit(
        "/accounts/profile/password",
        {
            "current": "not my password",
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )

    assert response.status_code == 422
    assert "This is not your current password." in response.get_data(as_text=True)


def test_next_leads_back_to_the_page_asked_for_but_never_off_site(client, create_user):
    create_user("spela@example.eu")

    inside = client.submit(
        "/accounts/sign-in?next=/accounts/profile", {"email": "spela@example.eu", "password": PASSWORD}
    )
    client.submit("/accounts/sign-out")
    outside = client.submit(
        "/accounts/sign-in?next=//evil.example/x", {"email": "spela@example.eu", "password": PASSWORD}
    )

    assert inside.headers["Location"] == "/accounts/profile"
    assert outside.headers["Location"] == "/"


def test_repeated_failed_sign_ins_are_slowed_down(client, create_user):
    create_user("spela@example.eu")

    statuses = [client.sign_in("spela@example.eu", f"guess {n}").status_code for n in range(11)]

    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert "Too many attempts" in client.sign_in("spela@example.eu").get_data(as_text=True)


def test_pages_for_members_send_visitors_to_sign_in(client):
    response = client.get("/accounts/profile")

    assert response.headers["Location"] == "/accounts/sign-in?next=%2Faccounts%2Fprofile"


def test_hosts_sharing_redis_share_the_sign_in_limit(make_app, create_user, redis_url):
    """Two app instances stand for two hosts behind a load balancer."""
    create_user("spela@example.eu")
    hosts = [make_app(RATELIMIT_STORAGE_URI=redis_url).test_client() for _ in range(2)]

    statuses = [host.sign_in("spela@example.eu", "a guess").status_code for host in hosts * 6]

    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]


#: The same password as two keyboards may send it: accents composed in one character, or added after the letter.
COMPOSED = unicodedata.normalize("NFC", "Καλή-Συνάντηση-στη-Βάρνα")
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)


def test_a_password_typed_with_accents_composed_otherwise_still_signs_in(app, client, create_user):
    user_id = create_user("eleni@example.gr")
    with app.app_context():
        db.session.get(User, user_id).password_hash = services.hash_password(COMPOSED)
        db.session.commit()

    assert client.sign_in("eleni@example.gr", DECOMPOSED).status_code == 302


def test_a_hash_made_before_passwords_were_normalised_still_signs_in_and_is_replaced(app, client, create_user):
    user_id = create_user("eleni@example.gr")
    with app.app_context():
        old_hash = PasswordHasher().hash(DECOMPOSED)  # as typed, before normalising
        db.session.get(User, user_id).password_hash = old_hash
        db.session.commit()

    signed_in = client.sign_in("eleni@example.gr", DECOMPOSED)

    assert signed_in.status_code == 302
    with app.app_context():
        new_hash = db.session.get(User, user_id).password_hash
        assert new_hash != old_hash and services.check_password(db.session.get(User, user_id), COMPOSED)
