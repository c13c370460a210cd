"""Error pages in the reader's language, for every error a person can meet."""

import logging
import sqlite3

from flask import g, render_template
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from lms.core.storage import StorageUnavailable
from lms.extensions import db, login_manager

log = logging.getLogger("lms.core")

#: The title and the explanation shown for each status code.
MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please check the address or the form and try again."),
    ),
    403: (
        _l("Access denied"),
        _l(
            "You do not have permission to see this page. "
            "If you think you should, ask your trainer or the platform's administrator."
        ),
    ),
    404: (
        _l("Page not found"),
        _l("We could not find this page. It may have been moved, or the address may be mistyped."),
    ),
    405: (
        _l("Action not allowed"),
        _l("This page cannot be used in this way. Please go back and use the buttons on the page."),
    ),
    413: (_l("File too large"), _l("What you sent is larger than the platform accepts. Please send a smaller file.")),
    429: (
        _l("Too many attempts"),
        _l("You have tried this too often in a short time. Please wait a while and try again later."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error happened on our side. It has been recorded; please try again in a moment."),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l(
            "The platform cannot reach its database at the moment. "
            "Nothing you sent was saved; please try again in a minute."
        ),
    ),
}
STORAGE_MESSAGE = _l(
    "The platform cannot reach its file store at the moment. Nothing you sent was saved; please try again in a minute."
)
CSRF_MESSAGE = _l("This form has expired or was sent from another site. Please reload the page and send it again.")


def render_error(error: HTTPException, message: str | None = None):
    """Render the page for *error* with its status code (and *message* instead of the code's own)."""
    if request_ctx.url_adapter is None:
        return error  # the Host header was refused: no link can be built, so answer plainly
    code = error.code or 500
    title, own_message = MESSAGES.get(code) or MESSAGES[400 if code < 500 else 500]
    message = message or (CSRF_MESSAGE if isinstance(error, CSRFError) else own_message)
    response = error.get_response()
    response.set_data(render_template("errors/error.html", code=code, title=title, message=message))
    response.mimetype = "text/html"
    response.status_code = code
    return response


def render_unexpected(error: Exception):
    """Log an unexpected exception and answer with the translated 500 page."""
    log.exception("Unhandled error", exc_info=error)
    return render_error(InternalServerError())


#: SQLite's operational errors that mean "try again", unlike a missing table or column.
SQLITE_OUTAGES = ("database is locked", "unable to open database file", "disk I/O error")


def render_outage(error: OperationalError):
    """Answer 503 while the database is unreachable (restarting, say), without touching it again."""
    if isinstance(error.orig, sqlite3.OperationalError) and str(error.orig) not in SQLITE_OUTAGES:
        return render_unexpected(error)
    log.error("Database unavailable: %s", error.orig)
    db.session.rollback()
    g._login_user = login_manager.anonymous_user()  # the page must not load the visitor from the database
    response = render_error(ServiceUnavailable())
    response.headers["Retry-After"] = "30"
    return response


def render_storage_outage(error: StorageUnavailable):
    """Answer 503 while the object store cannot be reached; what the request changed is rolled back."""
    log.error("File store unavailable: %s", error)
    db.session.rollback()
    response = render_error(ServiceUnavailable(), STORAGE_MESSAGE)
    response.headers["Retry-After"] = "30"
    return response


def init_app(app) -> None:
    """Register the error pages."""
    app.register_error_handler(HTTPException, render_error)
    if not app.debug:
        app.register_error_handler(OperationalError, render_outage)
        app.register_error_handler(StorageUnavailable, render_storage_outage)
        app.register_error_handler(Exception, render_unexpected)
