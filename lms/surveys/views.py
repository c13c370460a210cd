"""Surveys: the trainers' list, answering through a link, results and exports."""

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from lms.accounts.access import country_scope, roles_required
from lms.accounts.models import Role
from lms.core import exports
from lms.core.disclosure import minimum_group
from lms.core.forms import choices
from lms.core.templating import format_number
from lms.courses import api as courses
from lms.extensions import db, limiter
from lms.surveys import exporting, services
from lms.surveys import results as survey_results
from lms.surveys.forms import ExportForm, NewSurveyForm, TemplateForm, answer_form, values_of
from lms.surveys.models import Survey
from lms.surveys.release import View, shown_totals

bp = Blueprint("surveys", __name__, url_prefix="/surveys", template_folder="templates", static_folder="static")
LINK_COOKIE = "survey_link"


def _language(survey: Survey) -> str:
    language = str(get_locale())
    return language if language in survey.languages else survey.base_language


def _managed_or_404(survey_id: int) -> Survey:
    survey = db.get_or_404(Survey, survey_id)
    if not services.may_manage(current_user, survey):
        abort(404)
    return survey


def _readable_or_404(survey_id: int) -> Survey:
    survey = db.get_or_404(Survey, survey_id)
    if not services.may_read(current_user, survey):
        abort(404)
    return survey


@bp.get("/")
@roles_required(Role.ADMIN, Role.TRAINER)
def index():
    form = TemplateForm()
    offered = courses.course_choices(str(get_locale()))
    form.course.choices = choices([("", _("No course"))] + offered)
    return render_template(
        "surveys/index.html",
        course_titles=dict(offered),
        surveys=(surveys := services.surveys_for(current_user)),
        others=(others := services.read_only_for(current_user)),
        shown=shown_totals(surveys + others, View(countries=country_scope(current_user))),
        form=form,
        new_form=NewSurveyForm(),
        missing=services.missing_translations,
        state=services.state,
        reader_language=str(get_locale()),
    )


@bp.post("/from-template")
@roles_required(Role.ADMIN, Role.TRAINER)
def from_template():
    form = TemplateForm()
    form.course.choices = choices([("", "")] + courses.course_choices(str(get_locale())))
    if not form.validate_on_submit():
        abort(400)
    survey = services.create_from_template(current_user, course_slug=form.course.data or None)
    db.session.commit()
    flash(_("The evaluation survey is ready as a draft. Check it, then publish it."), "success")
    return redirect(url_for("surveys.edit", survey_id=survey.id))


@bp.get("/mine")
@login_required
def mine():
    return render_template(
        "surveys/mine.html", surveys=services.pending_for(current_user), reader_language=str(get_locale())
    )


def _link_token() -> str | None:
    return request.cookies.get(LINK_COOKIE)


def _closed_page(survey: Survey, status: str, language: str):
    return render_template("surveys/closed.html", survey=survey, status=status, language=language), 410 if status in (
        "closed",
        "full",
    ) else 403


def answer_limit() -> str:
    return current_app.config["SURVEY_RATE_LIMIT"]


@bp.route("/s/<token>", methods=["GET", "POST"])
# Per address: answers accepted through the open link (one person clearing cookies to answer again),
# and wrong access codes (guessing); people who sign in or bring a valid code are not counted.
@limiter.limit(
    answer_limit,
    methods=["POST"],
    scope="survey-answers",
    deduct_when=lambda _response: g.get("by_link", False),
    exempt_when=lambda: current_user.is_authenticated or "code" in request.form,
)
@limiter.limit(answer_limit, scope="survey-codes", deduct_when=lambda _response: g.get("wrong_code", False))
def answer(token: str):
    survey = services.by_token(token) or abort(404)
    language = _language(survey)
    preview = (
        request.args.get("preview") == "1"
        and current_user.is_authenticated
        and services.may_manage(current_user, survey)
    )
    status = services.state(survey)
    if status != "open" and not preview:
        return _closed_page(survey, status, language)
    if not survey.anonymous and not current_user.is_authenticated:
        flash(_("Please sign in to answer this survey."), "info")
        return redirect(url_for("accounts.login", next=request.full_path))
    user = current_user if current_user.is_authenticated else None
    code = request.values.get("code", "")[:40] if survey.access_codes and not preview else None
    if code is not None and not services.code_is_valid(survey, code):
        g.wrong_code = bool(code)
        page = render_template("surveys/code.html", survey=survey, language=language, code=code)
        return page, 422 if code else 200
    if not preview and services.has_answered(survey, user, None if code else _link_token()):
        return render_template("surveys/thanks.html", survey=survey, language=language, again=True)
    ask_country = user is None or user.country is None
    saved = services.draft_of(survey, user) if user and not survey.anonymous and request.method == "GET" else None
    formdata = request.form if request.method == "POST" else MultiDict(saved) if saved else None
    form = answer_form(survey, language, ask_country=ask_country, formdata=formdata)
    if request.method == "POST" and not preview:
        if request.form.get("action") == "draft" and user and not survey.anonymous:
            services.save_draft(
                survey, user, {key: request.form.getlist(key) for key in request.form if key != "csrf_token"}
            )
            db.session.commit()
            flash(_("Your answers are saved. You can come back and finish later."), "success")
            return redirect(url_for("surveys.answer", token=token))
        if form.validate():
            return _submit(survey, form, language, user, ask_country, code)
    return render_template(
        "surveys/answer.html",
        survey=survey,
        form=form,
        language=language,
        code=code,
        preview=preview,
        ask_country=ask_country,
        may_draft=bool(user) and not survey.anonymous,
    ), 200 if request.method == "GET" or preview else 422


def _submit(survey: Survey, form, language: str, user, ask_country: bool, code: str | None):
    link_token = None if user or code else (_link_token() or secrets.token_urlsafe(24))
    country = form.country.data if ask_country else user.country
    try:
        services.submit(
            survey,
            values_of(form, survey),
            language=language,
            user=user,
            country=country,
            link_token=link_token,
            access_code=code,
        )
    except services.SurveyError as error:
        flash(str(error), "warning")
        return redirect(url_for("surveys.answer", token=survey.token))
    db.session.commit()
    g.by_link = link_token is not None
    response = make_response(render_template("surveys/thanks.html", survey=survey, language=language, again=False))
    if link_token:
        response.set_cookie(
            LINK_COOKIE,
            link_token,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["HTTPS_ONLY"] or request.is_secure,
        )
    return response


@bp.get("/<int:survey_id>/results")
@roles_required(Role.ADMIN, Role.TRAINER)
def results(survey_id: int):
    survey = _readable_or_404(survey_id)
    language = _language(survey)
    shown = services.shown_to(current_user, survey)
    count, summaries = survey_results.summary(survey, shown, language)
    responses = services.identified_responses(survey, country_scope(current_user)) if not survey.anonymous else []
    return render_template(
        "surveys/results.html",
        survey=survey,
        manages=services.may_manage(current_user, survey),
        count=count,
        summaries=summaries,
        responses=responses,
        language=language,
        minimum=minimum_group(),
        background=exporting.in_background(shown),
        kinds=exporting.KINDS,
        export_form=ExportForm(),
    )


@bp.get("/<int:survey_id>/export.<any(csv, xlsx):extension>")
@roles_required(Role.ADMIN, Role.TRAINER)
def export(survey_id: int, extension: str):
    """The export, made now; a large survey's are made in the background (`request_export`)."""
    survey = _readable_or_404(survey_id)
    shown = services.shown_to(current_user, survey)
    if exporting.in_background(shown):
        flash(_("This survey has many responses: its exports are made in the background. Ask for one here."), "info")
        return redirect(url_for("surveys.my_exports", survey_id=survey.id))
    layout = "analysis" if request.args.get("layout") == "analysis" else "google"
    data = exporting.build(survey, shown, layout, extension)
    return exports.attachment(data, exporting.file_name(survey.id, layout, extension))


@bp.post("/<int:survey_id>/exports")
@roles_required(Role.ADMIN, Role.TRAINER)
def request_export(survey_id: int):
    survey = _readable_or_404(survey_id)
    form = ExportForm()
    if not form.validate_on_submit():
        abort(400)
    exporting.request_export(survey, current_user, form.layout.data, form.file_format.data, str(get_locale()))
    db.session.commit()
    flash(_("Your export is being made. This page offers it for download once it is ready."), "success")
    return redirect(url_for("surveys.my_exports", survey_id=survey.id))


def _described(survey: Survey) -> list[dict]:
    """The reader's exports of *survey* as the page and its JSON show them."""
    described = []
    for item in exporting.exports_of(current_user, survey):
        state, per_cent = exporting.state(item), exporting.progress(item)
        status = {
            exporting.State.WAITING: _("Waiting for its turn"),
            exporting.State.RUNNING: _("Being made: %(per_cent)s %%", per_cent=format_number(per_cent or 0)),
            exporting.State.RETRYING: _("An attempt failed; it is tried again in a moment"),
            exporting.State.READY: _(
                "Ready to download until %(time)s", time=format_datetime(item.expires_at, "short")
            ),
            exporting.State.FAILED: _("Failed. Please try again; if it fails again, tell an administrator."),
        }[state]
        described.append(
            {
                "id": item.id,
                "label": str(exporting.KINDS[item.layout, item.file_format]),
                "layout": item.layout,
                "file_format": item.file_format,
                "requested": format_datetime(item.created_at, "short"),
                "state": state.value,
                "progress": per_cent,
                "status": status,
                "download": url_for("surveys.download_export", survey_id=survey.id, export_id=item.id),
            }
        )
    return described


@bp.get("/<int:survey_id>/exports")
@roles_required(Role.ADMIN, Role.TRAINER)
def my_exports(survey_id: int):
    """The reader's exports of the survey: their state, and each file once it is ready."""
    survey = _readable_or_404(survey_id)
    return render_template(
        "surveys/exports.html",
        survey=survey,
        exports=_described(survey),
        kinds=exporting.KINDS,
        form=ExportForm(),
        language=_language(survey),
    )


@bp.get("/<int:survey_id>/exports.json")
@roles_required(Role.ADMIN, Role.TRAINER)
def export_states(survey_id: int):
    """What the exports page shows, for its script to refresh it."""
    return jsonify(_described(_readable_or_404(survey_id)))


@bp.get("/<int:survey_id>/exports/<int:export_id>")
@roles_required(Role.ADMIN, Role.TRAINER)
def download_export(survey_id: int, export_id: int):
    """An export made in the background: for its requester alone, while they may read the survey."""
    survey = _readable_or_404(survey_id)
    try:
        data, name = exporting.stored_file(survey, current_user, export_id)
    except LookupError:
        abort(404)
    return exports.attachment(data, name)


@bp.get("/<int:survey_id>/codebook.csv")
@roles_required(Role.ADMIN, Role.TRAINER)
def codebook(survey_id: int):
    """Codes to labels in every language: what the columns of the analysis export mean."""
    survey = _readable_or_404(survey_id)
    return exports.download(survey_results.codebook(survey), f"survey-{survey.id}-codebook.csv")
