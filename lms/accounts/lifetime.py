"""How long a sign-in lasts: it ends after a time without activity, and after a fixed time in any case (sooner
for administrators). Both moments are kept in the signed session cookie, so a copied cookie expires too."""

import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from lms.accounts.models import Role
from lms.core.security import is_safe_redirect
from lms.i18n import SESSION_KEY

SIGNED_IN_AT = "accounts.signed_in_at"
SEEN_AT = "accounts.seen_at"
#: Activity is written into the cookie at most this often (seconds), so most answers set no cookie.
RECORD_EVERY = 60


def start() -> None:
    """Note in the session that its owner has just signed in."""
    session[SIGNED_IN_AT] = session[SEEN_AT] = time.time()


def _why_ended(now: float) -> str | None:
    config = current_app.config
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    hours = config["ADMIN_SESSION_MAX_HOURS"] if current_user.has_role(Role.ADMIN) else config["SESSION_MAX_HOURS"]
    if not isinstance(signed_in_at, int | float) or now - signed_in_at > hours * 3600:
        return _("For your security, a sign-in lasts a limited time. Please sign in again to continue.")
    if not isinstance(seen_at, int | float) or now - seen_at > config["SESSION_IDLE_MINUTES"] * 60:
        return _("You were signed out after a while without activity. Please sign in again to continue.")
    return None


def _where_they_were() -> str | None:
    """The page to return to after signing in again: this one, or for a form sent, the page that showed it."""
    if request.method == "GET":
        target = request.full_path.rstrip("?")
    else:
        referrer = urlsplit(request.referrer or "")
        same_site = referrer.netloc == request.host
        target = referrer.path + (f"?{referrer.query}" if referrer.query else "") if same_site else None
    return target if is_safe_redirect(target) else None


def enforce():
    """End a session that was idle or open too long, and send its owner to sign in again, then back."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = time.time()
    reason = _why_ended(now)
    if reason is None:
        if now - session[SEEN_AT] >= RECORD_EVERY:
            session[SEEN_AT] = now
        return None
    target, language = _where_they_were(), current_user.language
    logout_user()
    session.clear()
    session[SESSION_KEY] = language  # the sign-in page speaks their language still
    flash(reason, "warning")
    return redirect(url_for("accounts.login", next=target))
