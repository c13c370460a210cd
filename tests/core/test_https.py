"""Behind a TLS terminator the app may see plain HTTP: in production it still sends HSTS and `Secure` cookies."""

from sqlalchemy import select

from lms.extensions import db
from lms.surveys.models import Survey
from tests.conftest import Client


class PlainHttpClient(Client):
    """A client whose every request arrives over plain HTTP, as from a TLS terminator that sends no header."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", "http://localhost")
        return super().open(*args, **kwargs)


def production(make_app):
    """An app configured as in production (not testing), reached over plain HTTP."""
    app = make_app(TESTING=False, ENV="production")
    app.test_client_class = PlainHttpClient
    return app


def test_production_sends_hsts_even_when_the_request_looks_like_http(make_app):
    response = production(make_app).test_client().get("/accounts/sign-in")

    assert response.request.scheme == "http"
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_production_marks_the_session_cookie_secure(make_app, create_user):
    create_user("spela@example.eu")

    response = production(make_app).test_client().sign_in("spela@example.eu")

    assert response.headers["Location"] == "/"
    assert "; Secure" in response.headers["Set-Cookie"]


def test_production_marks_the_one_answer_per_browser_cookie_secure(make_app, evaluation, answers):
    app = production(make_app)
    with app.app_context():
        token = db.session.scalar(select(Survey.token).where(Survey.id == evaluation))

    response = app.test_client().submit(f"/surveys/s/{token}", {**answers(evaluation), "country": "SI"})

    assert response.status_code == 200
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("survey_link="))
    assert "; Secure" in cookie and "; HttpOnly" in cookie


def test_development_over_http_sends_no_hsts(make_app):
    app = make_app(TESTING=False, ENV="development")
    app.test_client_class = PlainHttpClient

    response = app.test_client().get("/accounts/sign-in")

    assert "Strict-Transport-Security" not in response.headers
