"""Who may see what: role checks for views, the country scope of trainers, and two-factor sign-in for admins."""

from functools import wraps

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.models import Role
from lms.extensions import login_manager

#: Endpoints that an admin without two-factor sign-in may still reach.
TWO_FACTOR_SETUP_ENDPOINTS = {"accounts.two_factor_setup", "accounts.logout", "core.set_language", "static"}


def roles_required(*roles: Role):
    """Let a view through only for signed-in users holding one of *roles*; 403 for others."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def country_scope(user) -> frozenset[str] | None:
    """Return the countries whose people and figures *user* may see: a trainer's own, None for all (admins).

    The one rule of scope: every read, write, import, export and revocation of another package asks it.
    """
    return None if user.has_role(Role.ADMIN) else frozenset(user.trainer_countries)


def within_scope(user, country: str | None) -> bool:
    """Tell whether *country* lies within *user*'s scope."""
    scope = country_scope(user)
    return scope is None or country in scope


def require_two_factor_for_admins():
    """Send an admin who has not turned on two-factor sign-in to its set-up page first."""
    if (
        current_user.is_authenticated
        and current_user.has_role(Role.ADMIN)
        and not current_user.two_factor_enabled
        and request.endpoint not in TWO_FACTOR_SETUP_ENDPOINTS
    ):
        flash(_("Administrators must use two-factor sign-in. Please set it up to continue."), "warning")
        return redirect(url_for("accounts.two_factor_setup"))
    return None
