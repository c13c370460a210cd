"""Surveys: the trainers' list, answering through a link, results and exports."""

import secrets

from flask import Blueprint, abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from lms.accounts.access import country_scope, roles_required
from lms.accounts.models import Role
from lms.core import exports
from lms.core.disclosure import minimum_group
from lms.core.forms import choices
from lms.courses import api as courses
from lms.extensions import db, limiter
from lms.surveys import results as survey_results
from lms.surveys import services
from lms.surveys.forms import NewSurveyForm, TemplateForm, answer_form, values_of
from lms.surveys.models import Survey
from lms.surveys.release import View, shown_totals

bp = Blueprint("surveys", __name__, url_prefix="/surveys", template_folder="templates")
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
    )


@bp.get("/<int:survey_id>/export.<any(csv, xlsx):extension>")
@roles_required(Role.ADMIN, Role.TRAINER)
def export(survey_id: int, extension: str):
    survey = _readable_or_404(survey_id)
    shown = services.shown_to(current_user, survey)
    layout = "analysis" if request.args.get("layout") == "analysis" else "google"
    if layout == "analysis":
        rows = survey_results.analysis_layout(survey, shown)
    else:
        rows = survey_results.google_layout(survey, shown, services.emails_of_respondents(survey))
    codebook = {"codebook": survey_results.codebook(survey)} if layout == "analysis" else None
    return exports.download(rows, f"survey-{survey.id}-{layout}.{extension}", sheet=layout, more=codebook)


@bp.get("/<int:survey_id>/codebook.csv")
@roles_required(Role.ADMIN, Role.TRAINER)
def codebook(survey_id: int):
    """Codes to labels in every language: what the columns of the analysis export mean."""
    survey = _readable_or_404(survey_id)
    return exports.download(survey_results.codebook(survey), f"survey-{survey.id}-codebook.csv")
