"""Dashboards: feedback per country, the training funnel, written answers, printable reports, CSV."""

from pathlib import Path

import plotly
from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.access import country_scope, roles_required
from lms.accounts.models import Role
from lms.core import exports
from lms.core.disclosure import minimum_group
from lms.core.templating import identifier, page_number
from lms.dashboards import services
from lms.i18n import LANGUAGES, country_choices, country_name
from lms.surveys import api as surveys

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards", template_folder="templates", static_folder="static")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
view = roles_required(Role.ADMIN, Role.TRAINER)


def _filters() -> services.Filters:
    try:
        return services.parse_filters(request.args, current_user)
    except services.ScopeError:
        abort(403)


def _context(filters: services.Filters) -> dict:
    language = str(get_locale())
    allowed = country_scope(current_user)
    return {
        "filters": filters,
        "language": language,
        "survey_choices": surveys.published_surveys(language),
        "country_options": [(code, name) for code, name in country_choices() if allowed is None or code in allowed],
        "minimum": minimum_group(),
    }


@bp.get("/")
@view
def index():
    filters = _filters()
    context = _context(filters)
    if filters.survey_id is None and context["survey_choices"]:
        filters.survey_id = context["survey_choices"][0][0]
    dashboard = services.survey_dashboard(filters, current_user, context["language"])
    if filters.survey_id and dashboard is None:
        abort(404)
    course_slug = dashboard.info.course_slug if dashboard else None
    funnel = services.funnel(course_slug, filters, current_user) if course_slug else []
    return render_template(
        "dashboards/index.html",
        dashboard=dashboard,
        funnel=funnel,
        course_slug=course_slug,
        support=services.support_figures(filters, current_user),
        **context,
    )


@bp.get("/report")
@view
def report():
    filters = _filters()
    if len(filters.countries) != 1 or not filters.survey_id:
        abort(400)
    context = _context(filters)
    dashboard = services.survey_dashboard(filters, current_user, context["language"]) or abort(404)
    funnel = services.funnel(dashboard.info.course_slug, filters, current_user) if dashboard.info.course_slug else []
    return render_template(
        "dashboards/report.html", dashboard=dashboard, funnel=funnel, country=filters.countries[0], **context
    )


@bp.get("/answers")
@view
def answers():
    filters = _filters()
    context = _context(filters)
    info = surveys.survey_info(filters.survey_id, context["language"]) if filters.survey_id else None
    if info is None:
        abort(404)
    language = request.args.get("language") if request.args.get("language") in LANGUAGES else None
    question = request.args.get("question", type=identifier)
    search = request.args.get("q", "").strip()[:100]
    page = page_number()
    shown, rows, total = services.text_page(
        filters, current_user, question_id=question, language=language, search=search, page=page
    )
    texts = {
        item.id: item.text
        for item in info.questions
        if item.kind in (surveys.Kind.SHORT_TEXT, surveys.Kind.LONG_TEXT, surveys.Kind.MULTIPLE)
    }
    return render_template(
        "dashboards/answers.html",
        info=info,
        rows=rows,
        total=total,
        page=page,
        pages=(total + 24) // 25,
        question=question,
        search=search,
        language_filter=language,
        other_languages=surveys.OTHER_LANGUAGES,
        texts=texts,
        all_languages=LANGUAGES,
        **context,
    )


@bp.get("/<any(countries, scales, funnel, months, support):table>.csv")
@view
def export(table: str):
    filters = _filters()
    if table == "support":
        return exports.download(_support_table(filters), "support.csv")
    dashboard = services.survey_dashboard(filters, current_user, str(get_locale())) if filters.survey_id else None
    if dashboard is None:
        abort(404)
    return exports.download(_table(table, dashboard, filters), f"{table}.csv")


def _support_table(filters) -> list[list]:
    return [
        [
            _("Country"),
            _("Questions"),
            _("Median first answer (hours)"),
            _("Median resolution (hours)"),
            _("Answers that helped (%)"),
        ]
    ] + [
        [
            country_name(row.group) if row.group else "",
            row.questions,
            _blank_if_none(row.median_first_response_hours),
            _blank_if_none(row.median_resolution_hours),
            _blank_if_none(row.helpful_share),
        ]
        for row in services.support_figures(filters, current_user)
    ]


def _blank_if_none(value):
    """An empty cell for a figure that is not there; 0 stays 0."""
    return "" if value is None else value


def _table(table: str, dashboard: services.SurveyDashboard, filters) -> list[list]:
    if table == "countries":
        return [[_("Country"), _("Responses"), _("Completions"), _("Response rate (%)")]] + [
            [row.name, row.responses, _blank_if_none(row.completions), _blank_if_none(row.rate)]
            for row in dashboard.rows
        ]
    if table == "scales":
        # One row per answer value: questions with different scales share one header.
        header = [_("Question"), _("Country"), _("Value"), _("Answer"), _("Count"), _("Mean")]
        return [header] + [
            [question.code, name, int(value), label, count, "" if mean is None else round(mean, 2)]
            for question, scale_rows in dashboard.scales
            for name, counts, mean in scale_rows
            for (value, label), count in zip(question.scale, counts, strict=True)
        ]
    if table == "months":
        names = sorted({name for _month, cells in dashboard.months for name in cells})
        return [[_("Month"), *names]] + [
            [month, *("" if cells.get(name) is None else cells[name] for name in names)]
            for month, cells in dashboard.months
        ]
    funnel = services.funnel(dashboard.info.course_slug, filters, current_user) if dashboard.info.course_slug else []
    return [
        [_("Country"), _("Organisation"), _("Enrolled"), _("Started"), _("Completed"), _("Evaluated"), _("Certified")]
    ] + [
        [
            country_name(row.country) if row.country else "",
            row.organisation or "",
            row.enrolled,
            row.started,
            row.completed,
            row.evaluated,
            row.certified,
        ]
        for row in funnel
    ]


@bp.get("/plotly.min.js")
def plotly_js():
    return send_file(PLOTLY_JS, mimetype="text/javascript", max_age=365 * 24 * 3600, conditional=True)
