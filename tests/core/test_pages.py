"""The base layout, error pages, security headers and the language switch."""

import re

import pytest
from sqlalchemy import create_engine, text
from werkzeug.exceptions import InternalServerError

from lms.accounts.models import User
from lms.core.security import is_safe_redirect
from lms.extensions import db


def html_lang(response) -> str:
    return re.search(r'<html lang="([a-z]+)"', response.get_data(as_text=True)).group(1)


def test_every_page_has_a_skip_link_landmarks_and_a_language_switch(client):
    html = client.get("/").get_data(as_text=True)

    assert '<a class="skip-link" href="#content">' in html
    assert '<main id="content"' in html and "<header" in html and "<footer" in html
    assert '<nav class="main-nav" aria-label="Main menu">' in html
    assert '<label for="language-select">' in html
    assert 'role="status" aria-live="polite"' in html


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        ({}, "", "en"),
        ({"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"}, "", "de"),
        ({"Accept-Language": "fr-FR"}, "", "en"),
        ({"Accept-Language": "de"}, "?lang=bg", "bg"),
    ],
)
def test_the_language_follows_the_link_then_the_browser(client, headers, query, expected):
    assert html_lang(client.get("/" + query, headers=headers)) == expected


def test_a_shared_language_link_is_remembered_for_the_visit(client):
    client.get("/?lang=el")

    assert html_lang(client.get("/accounts/sign-in")) == "el"


def test_the_language_switch_remembers_a_members_choice(app, client, create_user):
    user_id = create_user("spela@example.eu", language="en")
    client.sign_in("spela@example.eu")

    response = client.submit("/language?next=/accounts/profile", {"language": "sl"})

    assert response.headers["Location"] == "/accounts/profile"
    assert html_lang(client.get("/")) == "sl"
    with app.app_context():
        assert db.session.get(User, user_id).language == "sl"


def test_the_greek_interface_is_translated(client):
    html = client.get("/accounts/sign-in?lang=el").get_data(as_text=True)

    assert 'lang="el"' in html
    assert ">Sign in<" not in html and "Password" not in html


@pytest.mark.parametrize(
    ("method", "url", "code"),
    [
        ("get", "/no-such-page", 404),
        ("get", "/accounts/sign-out", 405),
        ("get", "/outbox", 302),
    ],
)
def test_errors_get_a_page_in_the_readers_language(client, method, url, code):
    english = getattr(client, method)(url)
    greek = getattr(client, method)(url + "?lang=el")

    assert english.status_code == greek.status_code == code
    if code != 302:
        assert html_lang(greek) == "el"
        assert english.get_data(as_text=True) != greek.get_data(as_text=True).replace('lang="el"', 'lang="en"')


def test_a_forged_form_is_refused_with_an_explanation(client, create_user):
    create_user("spela@example.eu")

    response = client.post(
        "/accounts/sign-in", data={"email": "spela@example.eu", "password": "x", "csrf_token": "forged"}
    )

    assert response.status_code == 400
    assert "This form has expired or was sent from another site." in response.get_data(as_text=True)


def test_an_oversized_request_gets_a_clear_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024

    response = client.post("/accounts/sign-in", data={"email": "x" * 4096})

    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)


def test_an_unexpected_error_gets_a_translated_500_page(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom?lang=de")

    assert response.status_code == 500
    assert html_lang(response) == "de"
    assert "RuntimeError" not in response.get_data(as_text=True)


def test_an_unreachable_database_gets_a_translated_503_page(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/missing-folder/lms.sqlite")

    response = app.test_client().get("/courses/?lang=it")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert html_lang(response) == "it"


def test_a_connection_cut_by_a_database_restart_is_discarded_not_a_server_error(app, client):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL cuts its connections on a restart; CI runs this on PostgreSQL")
        restart = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")

    @app.after_request
    def cut_the_connection(response):  # what `pg_ctl restart -m fast` does to a busy connection
        backend = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with restart.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:backend)"), {"backend": backend})
        return response

    assert client.get("/courses/").status_code == 200
    assert client.get("/courses/").status_code == 200  # the next request gets a fresh connection
    restart.dispose()


def test_security_headers_forbid_inline_script_and_framing(client):
    headers = client.get("/").headers

    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_a_stricter_header_set_by_a_view_is_kept(app, client):
    @app.get("/sandboxed")
    def sandboxed():
        return "file", {"Content-Security-Policy": "sandbox"}

    assert client.get("/sandboxed").headers["Content-Security-Policy"] == "sandbox"


def test_a_forged_host_header_is_refused(client):
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/accounts/profile?x=1", True),
        ("//evil.example", False),
        ("/\\evil.example", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_only_paths_on_this_site_are_safe_redirects(target, safe):
    assert is_safe_redirect(target) is safe


def test_error_pages_cover_every_status_a_person_can_meet():
    from lms.core.errors import MESSAGES

    assert set(MESSAGES) == {400, 403, 404, 405, 413, 429, 500, 503}
    assert InternalServerError.code in MESSAGES
