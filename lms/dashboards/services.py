"""Feedback and progress per country: figures from the owners' api modules, under their small-group rules."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from lms.accounts.access import country_scope
from lms.certificates import api as certificates
from lms.core.plugins import enabled_plugins
from lms.core.templating import identifier
from lms.courses import api as courses
from lms.i18n import EU_COUNTRIES, country_name
from lms.support import api as support
from lms.surveys import api as surveys

#: Colour-blind-safe diverging colours (ColorBrewer PuOr) for five-point scales, and the programme's blue.
DIVERGING = ["#b35806", "#f1a340", "#b8b8b8", "#998ec3", "#542788"]
BLUE = "#1d4e89"


class ScopeError(PermissionError):
    """A trainer asked for a country outside their scope."""


@dataclass
class Filters:
    survey_id: int | None
    countries: list[str]
    start: date | None
    end: date | None

    def query(self, **extra) -> dict:
        """Return the filters as URL parameters, so that a view can be bookmarked and shared."""
        values = {
            "survey": self.survey_id,
            "country": self.countries,
            "from": self.start and self.start.strftime("%Y-%m"),
            "to": self.end and _previous_month(self.end).strftime("%Y-%m"),
            **extra,
        }
        return {key: value for key, value in values.items() if value}


def _month(text: str | None) -> date | None:
    """Read a month (YYYY-MM) of this century; anything else is no filter."""
    try:
        day = date.fromisoformat(f"{text}-01") if text else None
    except ValueError:
        return None
    return day if day and 2000 <= day.year <= 2099 else None


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _previous_month(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def parse_filters(args, user) -> Filters:
    """Read the filters from the query string; refuse a country outside the user's scope."""
    allowed = country_scope(user)
    countries = [code for code in args.getlist("country") if code in EU_COUNTRIES]
    if allowed is not None and set(countries) - allowed:
        raise ScopeError(_("You can only see the countries you follow as a trainer."))
    end = _month(args.get("to"))
    return Filters(args.get("survey", type=identifier), countries, _month(args.get("from")), end and _next_month(end))


def countries_in_view(filters: Filters, user) -> frozenset[str] | None:
    """Return the countries the figures may count: the chosen ones, within the user's scope."""
    allowed = country_scope(user)
    chosen = frozenset(filters.countries) or allowed
    return chosen if allowed is None or chosen is None else chosen & allowed


def view_of(filters: Filters, user, language: str | None = None) -> surveys.View:
    """The survey answers that the filters ask for, within the user's scope."""
    return surveys.View(countries_in_view(filters, user), filters.start, filters.end, language)


@dataclass
class CountryRow:
    country: str | None
    responses: int
    completions: int | None = None

    @property
    def name(self) -> str:
        return country_name(self.country) if self.country else _("No country")

    @property
    def rate(self) -> float | None:
        if not self.completions:
            return None
        return round(100 * self.responses / self.completions, 1)


@dataclass
class Chart:
    """A Plotly figure (the template writes it as escaped JSON) and the table that says the same in words."""

    key: str
    title: str
    figure: dict
    summary: str


@dataclass
class SurveyDashboard:
    info: surveys.SurveyInfo
    #: What the figures count: for an anonymous survey, only whole groups of at least k per country.
    shown: surveys.Release
    #: The countries with answers shown; countries with fewer, or none, are not listed at all.
    rows: list[CountryRow]
    #: question -> rows of (country name, counts per scale value, mean)
    scales: list[tuple[surveys.QuestionInfo, list[tuple[str, list[int], float | None]]]] = field(default_factory=list)
    #: (country name, promoters %, detractors %, score)
    net_promoter: list[tuple[str, int, int, int]] = field(default_factory=list)
    #: (month label, {country name: responses, or None where no group was complete that month})
    months: list[tuple[str, dict[str, int | None]]] = field(default_factory=list)
    charts: dict[str, Chart] = field(default_factory=dict)

    @property
    def shown_total(self) -> int:
        return self.shown.total


def survey_dashboard(filters: Filters, user, language: str) -> SurveyDashboard | None:
    """Aggregate one survey per country, through its release: every figure counts the same shown answers."""
    info = surveys.survey_info(filters.survey_id, language) if filters.survey_id else None
    if info is None:
        return None
    shown = surveys.release_of(info.id, view_of(filters, user))
    counts = shown.by_country
    completions = (
        courses.completions_by_country(info.course_slug, set(counts), filters.start, filters.end)
        if info.course_slug
        else {}
    )
    rows = sorted(
        (CountryRow(country, count, completions.get(country)) for country, count in counts.items()),
        key=lambda row: row.name,
    )
    dashboard = SurveyDashboard(info, shown, rows)
    _scales(dashboard)
    _months(dashboard)
    _charts(dashboard)
    return dashboard


def _scales(dashboard: SurveyDashboard) -> None:
    info, shown = dashboard.info, dashboard.shown
    distribution = surveys.numeric_distribution(shown)
    means = surveys.numeric_means(shown)
    ordered = [row.country for row in dashboard.rows]
    for question in info.questions:
        if not question.kind.numeric:
            continue
        rows = [
            (
                country_name(code) if code else _("No country"),
                [distribution.get((question.id, code, int(value)), 0) for value, _label in question.scale],
                means.get((question.id, code)),
            )
            for code in ordered
        ]
        dashboard.scales.append((question, rows))
        if question.kind is surveys.Kind.NPS:
            scores = surveys.net_promoter(shown, question.id)
            for code in ordered:
                promoters, passives, detractors = scores.get(code, (0, 0, 0))
                total = promoters + passives + detractors
                if total:
                    dashboard.net_promoter.append(
                        (
                            country_name(code) if code else _("No country"),
                            round(100 * promoters / total),
                            round(100 * detractors / total),
                            round(100 * (promoters - detractors) / total),
                        )
                    )
            dashboard.net_promoter.sort(key=lambda row: -row[3])


def _months(dashboard: SurveyDashboard) -> None:
    by_month = dashboard.shown.by_month()
    names = {row.country: row.name for row in dashboard.rows}
    for year, month in sorted({(y, m) for y, m, _c in by_month}):
        cells = {names[code]: count for (y, m, code), count in by_month.items() if (y, m) == (year, month)}
        dashboard.months.append((f"{year}-{month:02d}", cells))


def _plain(value):
    """Return *value* with its texts escaped for plotly.js, which reads <b>, <a href> and entities in labels:
    a question's text is then shown as typed, never as markup."""
    if isinstance(value, str):
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _figure(data: list[dict], title: str, **layout) -> dict:
    """Return a plotly.js figure (built as plain data: plotly.py's validation cost 85 % of the page)."""
    return _plain(
        {
            "data": data,
            "layout": {
                "title": {"text": title, "font": {"size": 16}},
                "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
                "height": 340,
                "font": {"family": "system-ui, sans-serif", "color": "#1b1f24"},
                "paper_bgcolor": "#ffffff",
                "plot_bgcolor": "#ffffff",
                "legend": {"orientation": "h", "y": -0.15},
                "yaxis": {"automargin": True, **layout.pop("yaxis", {})},
                **layout,
            },
        }
    )


def _charts(dashboard: SurveyDashboard) -> None:
    rows = dashboard.rows
    if rows:
        title = _("Responses per country")
        data = [
            {
                "type": "bar",
                "x": [row.name for row in rows],
                "y": [row.responses for row in rows],
                "marker": {"color": BLUE},
            }
        ]
        dashboard.charts["responses"] = Chart(
            "responses",
            title,
            _figure(data, title),
            _("Bar chart of the responses per country; the table below gives the same figures."),
        )
    for question, scale_rows in dashboard.scales:
        if not scale_rows:
            continue
        totals = [sum(counts) or 1 for _name, counts, _mean in scale_rows]
        data = [
            {
                "type": "bar",
                "orientation": "h",
                "name": label,
                "y": [name for name, _counts, _mean in scale_rows],
                "x": [
                    round(100 * counts[index] / total, 1)
                    for (_name, counts, _mean), total in zip(scale_rows, totals, strict=True)
                ],
                **({"marker": {"color": DIVERGING[index]}} if len(question.scale) == 5 else {}),
            }
            for index, (_value, label) in enumerate(question.scale)
        ]
        dashboard.charts[f"q{question.id}"] = Chart(
            f"q{question.id}",
            question.text,
            _figure(data, question.text, barmode="stack", xaxis={"title": {"text": "%"}, "range": [0, 100]}),
            _("Stacked bars: the share of each answer per country; the table below gives the counts and the mean."),
        )
    if dashboard.net_promoter:
        title = _("Net promoter score per country")
        data = [
            {
                "type": "bar",
                "orientation": "h",
                "x": [row[3] for row in dashboard.net_promoter],
                "y": [row[0] for row in dashboard.net_promoter],
                "marker": {"color": BLUE},
            }
        ]
        dashboard.charts["nps"] = Chart(
            "nps",
            title,
            _figure(data, title, yaxis={"autorange": "reversed"}, xaxis={"range": [-100, 100]}),
            _("Countries ranked by net promoter score, from −100 to 100; the table below gives the figures."),
        )
    if dashboard.months:
        title = _("Responses per month")
        names = sorted({name for _month, cells in dashboard.months for name in cells})
        data = [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": [month for month, _cells in dashboard.months],
                "y": [cells.get(name) for _month, cells in dashboard.months],
            }
            for name in names
        ]
        dashboard.charts["months"] = Chart(
            "months",
            title,
            _figure(data, title),
            _("Lines of the responses per month and country; the table below gives the figures."),
        )


@dataclass
class FunnelRow:
    country: str | None
    organisation: str | None
    enrolled: int
    started: int
    completed: int
    #: None where the count is hidden by the small-group rule of an anonymous evaluation, or none answered.
    evaluated: int | None
    certified: int


@dataclass
class Funnel:
    """The funnel's rows; iterating gives them, so a funnel reads like its list of rows."""

    rows: list[FunnelRow]
    #: The evaluation is anonymous and a period is chosen: no "evaluated" figure can be shown safely.
    evaluated_withheld: bool = False

    def __iter__(self):
        return iter(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)


def funnel(course_slug: str, filters: Filters, user) -> Funnel:
    """Enrolled, started, completed, evaluated and certified learners per organisation: of everyone, or of
    those who enrolled in the chosen period (each then followed to wherever they got)."""
    countries = countries_in_view(filters, user)
    period = filters.start or filters.end
    learners = courses.enrolled_between(course_slug, filters.start, filters.end) if period else None
    evaluated = surveys.evaluated_by_organisation(course_slug, countries, learners)
    certified = certificates.certified_by_organisation(course_slug, countries, learners)
    rows = [
        FunnelRow(
            row.country,
            row.organisation,
            row.enrolled,
            row.started,
            row.completed,
            evaluated.get(row.organisation_id) if evaluated is not None else None,
            certified.get(row.organisation_id, 0),
        )
        for row in courses.progress_by_organisation(course_slug, countries, filters.start, filters.end)
    ]
    return Funnel(rows, evaluated_withheld=evaluated is None)


def support_figures(filters: Filters, user) -> list:
    """Questions to experts per country, median times and the share of helpful answers, when support is enabled."""
    if "support" not in enabled_plugins():
        return []
    return support.figures_by_country(countries_in_view(filters, user))


def text_page(filters: Filters, user, *, question_id=None, language=None, search="", page=1):
    """Return the release behind the written answers, one page of them, and their total."""
    shown = surveys.release_of(filters.survey_id, view_of(filters, user, language)) if filters.survey_id else None
    if shown is None:
        return None, [], 0
    rows, total = surveys.text_answers(shown, question_id=question_id, search=search, page=page)
    return shown, rows, total
