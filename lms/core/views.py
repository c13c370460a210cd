"""The core pages: home, the language switch, the outbox for admins."""

from flask import Blueprint, abort, redirect, render_template, session, url_for
from flask_login import current_user

from lms.accounts.access import roles_required
from lms.accounts.models import Role
from lms.core.forms import LanguageForm
from lms.core.mail import outbox_page, readable_body
from lms.core.models import OutboxMessage
from lms.core.plugins import menu_for
from lms.core.security import safe_next
from lms.core.templating import page_number
from lms.extensions import db
from lms.i18n import SESSION_KEY

bp = Blueprint("core", __name__)


@bp.get("/")
def index():
    return render_template("core/index.html", entries=menu_for(current_user))


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    session[SESSION_KEY] = form.language.data
    if current_user.is_authenticated:
        current_user.language = form.language.data
        db.session.commit()
    return redirect(safe_next(url_for("core.index")))


@bp.get("/outbox")
@roles_required(Role.ADMIN)
def outbox():
    return render_template("core/outbox.html", page=outbox_page(page_number()))


@bp.get("/outbox/<int:message_id>")
@roles_required(Role.ADMIN)
def outbox_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("core/outbox_message.html", message=message, body=readable_body(message))
