"""Joining by invitation: by e-mail or by a shareable link, within a trainer's countries."""

import re

from sqlalchemy import select

from lms.accounts.models import Invitation, Role, User
from lms.core.models import OutboxMessage
from lms.extensions import db

NEW_PERSON = {
    "name": "Ελένη Παπαδοπούλου",
    "password": "olive tree harbour",
    "confirm": "olive tree harbour",
    "language": "el",
}


def shared_link(response) -> str:
    return re.search(r'value="http://localhost(/accounts/join/[^"]+)"', response.get_data(as_text=True)).group(1)


def join_by_shared_link(app, link: str, email: str, person=NEW_PERSON):
    """Join as a newcomer does: name and address on the shared link, then the password through the mailed link."""
    newcomer = app.test_client()
    details = {key: person[key] for key in ("name", "language")}
    sent = newcomer.submit(link, {**details, "email": email})
    assert "Check your e-mail" in sent.get_data(as_text=True)
    with app.app_context():
        link = db.session.scalars(select(OutboxMessage.secret_link).where(OutboxMessage.recipient == email)).all()[-1]
    confirm = re.search(r"http://localhost(/accounts/join/confirm/\S+)", link).group(1)
    return newcomer, newcomer.submit(confirm, {key: person[key] for key in ("password", "confirm")})


def test_a_trainer_shares_a_link_and_people_join_their_organisation(app, client, create_user, create_organisation):
    region = create_organisation("Περιφέρεια Βορείου Αιγαίου", "GR", "region")
    create_user("trainer@example.eu", roles=(Role.TRAINER,), countries=("GR",))
    client.sign_in("trainer@example.eu")

    link = shared_link(
        client.submit("/accounts/invitations", {"organisation": region, "role": "learner", "max_uses": "2"})
    )
    page = app.test_client().get(link).get_data(as_text=True)
    newcomer, joined = join_by_shared_link(app, link, "eleni@example.gr")

    assert "Περιφέρεια Βορείου Αιγαίου" in page
    assert joined.headers["Location"] == "/"
    assert "Ελένη Παπαδοπούλου" in newcomer.get("/").get_data(as_text=True)
    with app.app_context():
        person = db.session.scalar(select(User).where(User.email == "eleni@example.gr"))
        assert (person.organisation_id, person.roles, person.language) == (region, {Role.LEARNER}, "el")


def test_a_link_stops_working_when_its_uses_are_spent(app, client, create_user, create_organisation):
    town = create_organisation()
    create_user("trainer@example.eu", roles=(Role.TRAINER,), countries=("SI",))
    client.sign_in("trainer@example.eu")
    link = shared_link(
        client.submit("/accounts/invitations", {"organisation": town, "role": "learner", "max_uses": "1"})
    )

    _, first = join_by_shared_link(app, link, "one@example.si")
    second = app.test_client().submit(link, {**NEW_PERSON, "email": "two@example.si"})

    assert first.headers["Location"] == "/"
    assert second.status_code == 410


def test_an_e_mail_invitation_is_mailed_and_only_that_address_may_use_it(app, client, create_user, create_organisation):
    town = create_organisation("Община Бургас", "BG")
    create_user("admin@example.eu", roles=(Role.ADMIN, Role.TRAINER), countries=("BG",), two_factor_secret=None)
    create_user("trainer@example.eu", roles=(Role.TRAINER,), countries=("BG",))
    client.sign_in("trainer@example.eu")

    client.submit("/accounts/invitations", {"organisation": town, "role": "learner", "email": "maria@burgas.example"})
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
    link = re.search(r"http://localhost(/accounts/join/\S+)", message.secret_link).group(1)
    stranger = app.test_client().submit(link, {**NEW_PERSON, "email": "someone.else@example.bg"})
    invitee = app.test_client().submit(link, {**NEW_PERSON, "email": "maria@burgas.example"})

    assert message.recipient == "maria@burgas.example"
    assert "This invitation is for another e-mail address." in stranger.get_data(as_text=True)
    assert invitee.headers["Location"] == "/"


def test_a_withdrawn_invitation_no_longer_works(app, client, create_user, create_organisation):
    town = create_organisation()
    create_user("trainer@example.eu", roles=(Role.TRAINER,), countries=("SI",))
    client.sign_in("trainer@example.eu")
    link = shared_link(client.submit("/accounts/invitations", {"organisation": town, "role": "learner"}))
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))

    client.submit(f"/accounts/invitations/{invitation_id}/revoke")

    assert app.test_client().get(link).status_code == 410


def test_a_trainer_cannot_invite_into_another_country_or_as_expert(client, create_user, create_organisation):
    create_organisation("Občina Črnomelj", "SI")
    elsewhere = create_organisation("Stadtgemeinde Traiskirchen", "AT")
    create_user("trainer@example.eu", roles=(Role.TRAINER,), countries=("SI",))
    client.sign_in("trainer@example.eu")

    page = client.get("/accounts/invitations").get_data(as_text=True)
    response = client.submit("/accounts/invitations", {"organisation": elsewhere, "role": "learner"})
    as_expert = client.submit("/accounts/invitations", {"organisation": elsewhere, "role": "expert"})

    assert "Traiskirchen" not in page
    assert "/accounts/join/" not in response.get_data(as_text=True)
    assert "/accounts/join/" not in as_expert.get_data(as_text=True)


def test_a_trainer_cannot_withdraw_another_countrys_invitation(app, client, create_user, create_organisation):
    elsewhere = create_organisation("Stadtgemeinde Traiskirchen", "AT")
    create_user("trainer.at@example.eu", roles=(Role.TRAINER,), countries=("AT",))
    create_user("trainer.si@example.eu", roles=(Role.TRAINER,), countries=("SI",))
    client.sign_in("trainer.at@example.eu")
    client.submit("/accounts/invitations", {"organisation": elsewhere, "role": "learner"})
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))

    other = app.test_client()
    other.sign_in("trainer.si@example.eu")

    assert other.submit(f"/accounts/invitations/{invitation_id}/revoke").status_code == 403
    assert "Traiskirchen" not in other.get("/accounts/invitations").get_data(as_text=True)


def test_learners_cannot_invite(client, create_user):
    create_user("spela@example.eu")
    client.sign_in("spela@example.eu")

    assert client.get("/accounts/invitations").status_code == 403


def test_self_registration_is_off_unless_configured(app, client, create_organisation):
    town = create_organisation()
    assert client.get("/accounts/register").status_code == 404

    app.config["SELF_REGISTRATION"] = True
    asked = client.submit("/accounts/register", {**NEW_PERSON, "email": "new@example.si", "organisation": town})
    with app.app_context():
        link = db.session.scalar(select(OutboxMessage.secret_link).where(OutboxMessage.recipient == "new@example.si"))
    confirm = re.search(r"http://localhost(/accounts/join/confirm/\S+)", link).group(1)
    joined = client.submit(confirm, {key: NEW_PERSON[key] for key in ("password", "confirm")})

    assert "Check your e-mail" in asked.get_data(as_text=True)
    assert joined.headers["Location"] == "/"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@example.si"))
        assert user.organisation_id == town and user.name == NEW_PERSON["name"]


def test_registering_with_an_address_in_use_looks_the_same_and_mails_a_reminder(
    app, client, create_user, create_organisation
):
    town = create_organisation()
    create_user("spela@example.si", name="Špela Horvat")
    app.config["SELF_REGISTRATION"] = True

    known = client.submit("/accounts/register", {**NEW_PERSON, "email": "spela@example.si", "organisation": town})
    unknown = client.submit("/accounts/register", {**NEW_PERSON, "email": "nova@example.si", "organisation": town})

    def seen(response, address):
        return response.get_data(as_text=True).replace(address, "ADDRESS")

    assert known.status_code == unknown.status_code == 200
    assert seen(known, "spela@example.si") == seen(unknown, "nova@example.si")
    with app.app_context():
        reminder = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "spela@example.si"))
        assert "already have one" in reminder.body and reminder.secret_link is None
        assert db.session.scalar(select(User.name).where(User.email == "spela@example.si")) == "Špela Horvat"
