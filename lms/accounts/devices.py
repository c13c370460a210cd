"""Device cookies (OWASP): a browser where someone signed in before carries a signed mark of their address, so that
the per-account limit on failed sign-ins, which an attacker can exhaust from anywhere, never locks them out there.
Attempts from that browser are counted apart, under the mark's own limit."""

import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from lms.accounts.services import normalise_email

COOKIE = "lms_device"
LIFETIME_DAYS = 180


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="accounts.device")


def remember(response, email: str) -> None:
    """Mark this browser as one where *email* signed in."""
    value = _serializer().dumps({"email": normalise_email(email), "mark": secrets.token_urlsafe(12)})
    response.set_cookie(
        COOKIE,
        value,
        max_age=LIFETIME_DAYS * 24 * 3600,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
        path="/accounts/",
    )


def mark_for(email: str) -> str | None:
    """Return this browser's mark when *email* signed in here before, else None."""
    try:
        found = _serializer().loads(request.cookies.get(COOKIE, ""))
    except BadSignature:
        return None
    return found["mark"] if found.get("email") == normalise_email(email) else None
