"""Two-factor sign-in with an authenticator app, recovery codes, and the rule for admins."""

import re
import threading

import pyotp
import pytest
from sqlalchemy import event, select, text, update

from lms.accounts import services
from lms.accounts.models import Role, User
from lms.core.encryption import DecryptionError, fernet
from lms.extensions import db

SECRET = pyotp.random_base32()


def code(secret=SECRET) -> str:
    return pyotp.TOTP(secret).now()


def test_turning_it_on_shows_a_qr_code_and_then_recovery_codes(client, create_user):
    create_user("spela@example.eu")
    client.sign_in("spela@example.eu")

    page = client.get("/accounts/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    wrong = client.submit("/accounts/two-factor", {"code": "000000"})
    right = client.submit("/accounts/two-factor", {"code": code(secret)})

    assert "<svg" in page
    assert "This code is not right." in wrong.get_data(as_text=True)
    codes = re.findall(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</code>", right.get_data(as_text=True))
    assert len(codes) == 10


def test_sign_in_then_asks_for_the_code(client, create_user):
    create_user("spela@example.eu", two_factor_secret=SECRET)

    first = client.sign_in("spela@example.eu")
    wrong = client.submit("/accounts/sign-in/code", {"code": "123456"})
    right = client.submit("/accounts/sign-in/code", {"code": code()})

    assert first.headers["Location"] == "/accounts/sign-in/code"
    assert "This code is not right" in wrong.get_data(as_text=True)
    assert right.headers["Location"] == "/"
    assert client.get("/accounts/profile").status_code == 200


def test_the_password_alone_opens_nothing(client, create_user):
    create_user("spela@example.eu", two_factor_secret=SECRET)

    client.sign_in("spela@example.eu")

    assert client.get("/accounts/profile").status_code == 302


def test_a_code_cannot_be_used_twice(app, client, create_user):
    create_user("spela@example.eu", two_factor_secret=SECRET)
    current = code()
    client.sign_in("spela@example.eu")
    client.submit("/accounts/sign-in/code", {"code": current})

    other = app.test_client()
    other.sign_in("spela@example.eu")
    replay = other.submit("/accounts/sign-in/code", {"code": current})

    assert replay.status_code == 200
    assert other.get("/accounts/profile").status_code == 302


def test_a_recovery_code_works_once_instead_of_the_app(app, client, create_user):
    create_user("spela@example.eu")
    client.sign_in("spela@example.eu")
    secret = re.search(
        r'<code class="secret">([A-Z2-7]+)</code>', client.get("/accounts/two-factor").get_data(as_text=True)
    ).group(1)
    page = client.submit("/accounts/two-factor", {"code": code(secret)}).get_data(as_text=True)
    recovery = re.findall(r"<code>([A-Z0-9-]{14})</code>", page)[0]
    client.submit("/accounts/sign-out")

    client.sign_in("spela@example.eu")
    first = client.submit("/accounts/sign-in/code", {"code": recovery.lower()})
    client.submit("/accounts/sign-out")
    client.sign_in("spela@example.eu")
    second = client.submit("/accounts/sign-in/code", {"code": recovery})

    assert first.headers["Location"] == "/"
    assert second.status_code == 200


def test_admins_must_turn_it_on_before_anything_else(client, create_user):
    create_user("admin@example.eu", roles=(Role.ADMIN,))
    client.sign_in("admin@example.eu")

    response = client.get("/accounts/admin/users")

    assert response.headers["Location"] == "/accounts/two-factor"
    assert "Administrators must use two-factor sign-in" in client.get("/accounts/two-factor").get_data(as_text=True)


def test_admins_cannot_turn_it_off(client, create_user):
    create_user("admin@example.eu", roles=(Role.ADMIN,), two_factor_secret=SECRET)
    client.sign_in("admin@example.eu")
    client.submit("/accounts/sign-in/code", {"code": code()})

    client.submit("/accounts/two-factor/off", {"password": "correct horse battery"})

    assert client.get("/accounts/admin/users").status_code == 200


def test_a_learner_can_turn_it_off_with_their_password(client, create_user):
    create_user("spela@example.eu", two_factor_secret=SECRET)
    client.sign_in("spela@example.eu")
    client.submit("/accounts/sign-in/code", {"code": code()})

    client.submit("/accounts/two-factor/off", {"password": "correct horse battery"})
    client.submit("/accounts/sign-out")

    assert client.sign_in("spela@example.eu").headers["Location"] == "/"


def test_the_demo_admin_code_is_printed_for_demo_accounts_only(runner, create_user):
    create_user("admin@example.eu", roles=(Role.ADMIN,), two_factor_secret=SECRET)

    result = runner.invoke(args=["accounts", "code", "admin@example.eu"])

    assert result.exit_code == 1
    assert "only be shown for demo accounts" in result.output


def test_someone_with_two_factor_on_can_open_its_page_and_a_trainer_their_profile(client, create_user):
    create_user("trainer@example.eu", roles=(Role.TRAINER,), countries=("SI", "HR"), two_factor_secret=SECRET)
    client.sign_in("trainer@example.eu")
    client.submit("/accounts/sign-in/code", {"code": code()})

    assert "New recovery codes" in client.get("/accounts/two-factor").get_data(as_text=True)
    assert "Croatia, Slovenia" in client.get("/accounts/profile").get_data(as_text=True)


@pytest.mark.parametrize("kind", ["authenticator", "recovery"])
def test_two_sign_ins_racing_with_one_code_let_only_one_in(app, create_user, kind):
    user_id = create_user("spela@example.eu", two_factor_secret=SECRET)
    with app.app_context():
        recovery = services.new_recovery_codes(db.session.get(User, user_id))[0]
        db.session.commit()
    the_code = code() if kind == "authenticator" else recovery
    browsers = [app.test_client(), app.test_client()]
    for browser in browsers:
        browser.sign_in("spela@example.eu")
    # Both requests have checked the code before either writes: they meet before their first UPDATE of the
    # user or of the recovery codes, as two workers can. The writes themselves run as they would.
    barrier, passed = threading.Barrier(2, timeout=10), set()

    def meet(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith(("UPDATE accounts_users", "UPDATE accounts_recovery_codes")):
            if threading.get_ident() not in passed:
                passed.add(threading.get_ident())
                barrier.wait()

    outcomes = []

    def enter(browser):
        response = browser.submit("/accounts/sign-in/code", {"code": the_code})
        outcomes.append(response.headers.get("Location"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", meet)
    try:
        threads = [threading.Thread(target=enter, args=(browser,)) for browser in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        event.remove(engine, "before_cursor_execute", meet)

    assert sorted(outcomes, key=str) == ["/", None]
    assert sorted(browser.get("/accounts/profile").status_code for browser in browsers) == [200, 302]


def test_the_authenticator_key_is_kept_encrypted_with_the_configured_key(app, make_app, client, create_user):
    create_user("spela@example.eu")
    client.sign_in("spela@example.eu")
    secret = re.search(
        r'<code class="secret">([A-Z2-7]+)</code>', client.get("/accounts/two-factor").get_data(as_text=True)
    ).group(1)
    client.submit("/accounts/two-factor", {"code": code(secret)})
    with app.app_context():
        stored = db.session.scalar(text("SELECT totp_secret FROM accounts_users"))
    # Someone with a copy of the database (a backup, a leaked dump) has nothing to put in an authenticator app.
    assert secret not in stored
    assert fernet("test").decrypt(stored.encode()).decode() == secret  # SECRET_KEY serves when no key is set

    keyed = make_app(ENCRYPTION_KEY="k" * 32)
    with keyed.app_context():
        db.session.execute(update(User).values(totp_secret=secret))
        db.session.commit()
        stored = db.session.scalar(text("SELECT totp_secret FROM accounts_users"))
    assert fernet("k" * 32).decrypt(stored.encode()).decode() == secret
    with app.app_context(), pytest.raises(DecryptionError, match="LMS_ENCRYPTION_KEY"):
        db.session.scalar(select(User))
