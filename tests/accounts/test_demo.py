"""`lms demo load`: the partner network's people, once, whatever the number of runs."""

from sqlalchemy import func, select

from lms.accounts.models import Organisation, Role, User
from lms.core.demo import DEMO_PASSWORD
from lms.extensions import db


def test_demo_accounts_are_created_once_and_listed_each_time(app, runner):
    first = runner.invoke(args=["demo", "load", "--allow-production"])
    second = runner.invoke(args=["demo", "load", "--allow-production"])

    assert first.exit_code == second.exit_code == 0
    assert first.output == second.output
    for email in (
        "admin@clarinet.example",
        "trainer@clarinet.example",
        "expert@clarinet.example",
        "maria.ivanova@burgas.example",
    ):
        assert email in first.output
    assert DEMO_PASSWORD in first.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 8
        people = db.session.scalars(select(User)).all()
        assert {role for person in people for role in person.roles} == set(Role)
        assert {"Мария Иванова", "Ελένη Παπαδοπούλου", "Špela Horvat"} <= {person.name for person in people}


def test_a_demo_account_signs_in_with_the_printed_password(runner, client):
    runner.invoke(args=["demo", "load", "--allow-production"])

    assert client.sign_in("maria.ivanova@burgas.example", DEMO_PASSWORD).headers["Location"] == "/"


def test_the_demo_admin_signs_in_with_the_printed_code(runner, client):
    runner.invoke(args=["demo", "load", "--allow-production"])
    code = runner.invoke(args=["accounts", "code", "admin@clarinet.example"]).output.strip()

    client.sign_in("admin@clarinet.example", DEMO_PASSWORD)
    response = client.submit("/accounts/sign-in/code", {"code": code})

    assert response.headers["Location"] == "/"
    assert client.get("/accounts/admin/users").status_code == 200
