"""Administration of people and organisations."""

import pyotp
import pytest
from sqlalchemy import select

from lms.accounts.models import Organisation, Role, User
from lms.core.models import OutboxMessage
from lms.extensions import db

SECRET = pyotp.random_base32()


@pytest.fixture
def admin(app, create_user, client):
    """A signed-in administrator; returns their id."""
    user_id = create_user("admin@example.eu", name="Anna Berger", roles=(Role.ADMIN,), two_factor_secret=SECRET)
    client.sign_in("admin@example.eu")
    client.submit("/accounts/sign-in/code", {"code": pyotp.TOTP(SECRET).now()})
    return user_id


def person_form(**changes) -> dict:
    form = {
        "name": "Lukas Gruber",
        "email": "lukas@example.at",
        "organisation": "0",
        "language": "de",
        "timezone": "Europe/Vienna",
        "roles": ["learner"],
        "active": "y",
    }
    return {**form, **changes}


def test_people_can_be_found_by_name_role_and_country(client, admin, create_user, create_organisation):
    town = create_organisation("Občina Črnomelj", "SI")
    create_user("spela@example.si", name="Špela Horvat", organisation_id=town)
    create_user("lukas@example.at", name="Lukas Gruber", roles=(Role.EXPERT,))

    by_name = client.get("/accounts/admin/users?q=ŠPELA").get_data(as_text=True)
    by_role = client.get("/accounts/admin/users?role=expert").get_data(as_text=True)
    by_country = client.get("/accounts/admin/users?country=SI").get_data(as_text=True)

    assert "Špela Horvat" in by_name and "Lukas Gruber" not in by_name
    assert "Lukas Gruber" in by_role and "Špela Horvat" not in by_role
    assert "Špela Horvat" in by_country and "admin@example.eu" not in by_country


def test_the_list_of_people_is_paginated(app, client, admin, create_user):
    app.config["PAGE_SIZE"] = 2
    for n in range(4):
        create_user(f"p{n}@example.eu", name=f"Person {n}")

    first = client.get("/accounts/admin/users").get_data(as_text=True)
    last = client.get("/accounts/admin/users?page=3").get_data(as_text=True)

    assert "5 people found." in first
    assert "Page 1 of 3" in first and 'rel="next"' in first
    assert "Person 3" in last and 'rel="next"' not in last


def test_adding_a_person_mails_them_a_link_to_choose_a_password(app, client, admin):
    response = client.submit("/accounts/admin/users/new", person_form())

    with app.app_context():
        person = db.session.scalar(select(User).where(User.email == "lukas@example.at"))
        message = db.session.scalar(select(OutboxMessage))
    assert response.headers["Location"] == f"/accounts/admin/users/{person.id}"
    assert person.password_hash is None
    assert message.recipient == "lukas@example.at"
    assert "/accounts/password-reset/" in message.secret_link


def test_roles_and_trainer_countries_are_granted_and_withdrawn(app, client, admin, create_user):
    person = create_user("lukas@example.at")

    client.submit(f"/accounts/admin/users/{person}", person_form(roles=["learner", "trainer"], countries=["AT", "HU"]))
    with app.app_context():
        granted = db.session.get(User, person)
        assert granted.roles == {Role.LEARNER, Role.TRAINER}
        assert granted.trainer_countries == {"AT", "HU"}

    client.submit(f"/accounts/admin/users/{person}", person_form(roles=["learner"], countries=["AT"]))
    with app.app_context():
        withdrawn = db.session.get(User, person)
        assert withdrawn.roles == {Role.LEARNER}
        assert withdrawn.trainer_countries == set()


def test_deactivating_a_person_signs_them_out(app, client, admin, create_user):
    person = create_user("lukas@example.at")
    their_browser = app.test_client()
    their_browser.sign_in("lukas@example.at")

    client.submit(f"/accounts/admin/users/{person}", person_form(active=""))

    assert their_browser.get("/accounts/profile").status_code == 302
    assert their_browser.sign_in("lukas@example.at").status_code == 200


def test_an_admin_cannot_lock_themselves_out(app, client, admin):
    response = client.submit(f"/accounts/admin/users/{admin}", person_form(email="admin@example.eu", roles=["learner"]))

    assert "You cannot deactivate your own account" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin).has_role(Role.ADMIN)


def test_an_address_in_use_is_refused_beside_the_field(client, admin, create_user):
    create_user("lukas@example.at")

    html = client.submit("/accounts/admin/users/new", person_form()).get_data(as_text=True)

    assert 'id="email-error">An account with this e-mail address already exists.' in html


def test_organisations_are_created_edited_and_kept_unique(app, client, admin):
    created = client.submit(
        "/accounts/admin/organisations/new",
        {"name": "Община Бургас", "country": "BG", "kind": "municipality", "active": "y"},
    )
    duplicate = client.submit(
        "/accounts/admin/organisations/new",
        {"name": "община бургас", "country": "BG", "kind": "municipality", "active": "y"},
    )
    with app.app_context():
        organisation_id = db.session.scalar(select(Organisation.id))
    client.submit(
        f"/accounts/admin/organisations/{organisation_id}",
        {"name": "Община Бургас", "country": "BG", "kind": "region", "active": ""},
    )

    assert created.headers["Location"] == "/accounts/admin/organisations"
    assert "already exists in this country" in duplicate.get_data(as_text=True)
    with app.app_context():
        organisation = db.session.get(Organisation, organisation_id)
        assert (organisation.kind, organisation.active) == ("region", False)
    assert "Община Бургас" in client.get("/accounts/admin/organisations?country=BG").get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/accounts/admin/users", "/accounts/admin/users/new", "/accounts/admin/organisations", "/outbox"]
)
def test_admin_pages_are_refused_to_others(client, create_user, url):
    create_user("trainer@example.eu", roles=(Role.TRAINER, Role.EXPERT, Role.LEARNER), countries=("AT",))
    anonymous = client.get(url)
    client.sign_in("trainer@example.eu")

    assert anonymous.headers["Location"].startswith("/accounts/sign-in")
    assert client.get(url).status_code == 403


def test_admins_read_the_outbox_but_never_a_one_time_link(app, client, admin, create_user):
    create_user("lukas@example.at")
    app.test_client().submit("/accounts/password-reset", {"email": "lukas@example.at"})
    with app.app_context():
        message_id = db.session.scalar(select(OutboxMessage.id))

    listing = client.get("/outbox").get_data(as_text=True)
    message = client.get(f"/outbox/{message_id}").get_data(as_text=True)

    assert "lukas@example.at" in listing
    assert "Choose a new password for Clarinet LMS" in message
    assert "[one-time link, for the recipient only]" in message
    assert "/accounts/password-reset/" not in message  # an admin could otherwise take over the account
