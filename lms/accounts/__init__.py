"""Accounts: people, roles, organisations, sign-in, invitations, profiles."""

from flask_babel import lazy_gettext as _l

from lms.accounts import lifetime, services
from lms.accounts.access import require_two_factor_for_admins
from lms.accounts.admin_views import bp
from lms.accounts.cli import cli
from lms.accounts.demo import load_demo_accounts
from lms.accounts.models import Role
from lms.core.plugins import MenuEntry, Plugin, with_roles
from lms.extensions import login_manager


def init_app(app):
    """Wire sign-in sessions, their lifetime and the admins' two-factor rule."""
    login_manager.user_loader(services.user_for_session)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    app.before_request(lifetime.enforce)
    app.before_request(require_two_factor_for_admins)


plugin = Plugin(
    name="accounts",
    blueprint=bp,
    cli=cli,
    init_app=init_app,
    demo=load_demo_accounts,
    menu=(
        MenuEntry(_l("Invitations"), "accounts.invitations", with_roles(Role.ADMIN, Role.TRAINER), order=80),
        MenuEntry(_l("People"), "accounts.users", with_roles(Role.ADMIN), order=90),
        MenuEntry(_l("Organisations"), "accounts.organisations", with_roles(Role.ADMIN), order=91),
        MenuEntry(_l("Outbox"), "core.outbox", with_roles(Role.ADMIN), order=92),
        MenuEntry(_l("Background jobs"), "core.job_list", with_roles(Role.ADMIN), order=93),
    ),
)
