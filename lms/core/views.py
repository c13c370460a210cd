"""The core pages: home, the language switch, and for admins the outbox and the background jobs."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.access import roles_required
from lms.accounts.models import Role
from lms.core import jobs
from lms.core.forms import ActionForm, LanguageForm
from lms.core.mail import outbox_page, readable_body
from lms.core.models import Job, JobState, OutboxMessage
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


@bp.get("/jobs")
@roles_required(Role.ADMIN)
def job_list():
    state = request.args.get("state")
    if state not in (*JobState, None):
        abort(404)
    return render_template(
        "core/jobs.html",
        state=state,
        counts=jobs.counts(),
        page=jobs.jobs_page(state, page_number()),
        kinds=jobs.kinds(),
    )


@bp.post("/jobs/<int:job_id>/retry")
@roles_required(Role.ADMIN)
def retry_job(job_id: int):
    job = db.get_or_404(Job, job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if job.state == JobState.FAILED:
        jobs.retry(job)
        db.session.commit()
        flash(_("Job %(number)s is queued again.", number=job.id), "success")
    else:
        flash(_("Job %(number)s has not failed (it was retried already): nothing to do.", number=job.id), "info")
    return redirect(url_for("core.job_list", state=JobState.FAILED))
