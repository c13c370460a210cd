"""What other packages may read of surveys: their structure and aggregated answers, counted by the database.

Every function takes the countries the reader may see (None for all) and an optional period
[start, end) of answer days; none returns anything that links an answer to a person.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, extract, func, select

from lms.accounts.models import Organisation, User
from lms.extensions import db
from lms.surveys.forms import AGREE_LABELS
from lms.surveys.models import Answer, Kind, Participation, Response, Survey

__all__ = ["Kind", "QuestionInfo", "SurveyInfo"]


@dataclass(frozen=True)
class QuestionInfo:
    id: int
    code: str
    kind: Kind
    text: str
    #: (value, label) of each answer a numeric or choice question offers
    scale: list[tuple[str, str]]


@dataclass(frozen=True)
class SurveyInfo:
    id: int
    title: str
    course_slug: str | None
    anonymous: bool
    questions: list[QuestionInfo]


def published_surveys(language: str) -> list[tuple[int, str]]:
    """Return (id, title) of every published survey, newest first."""
    surveys = db.session.scalars(select(Survey).where(Survey.published.is_(True)).order_by(Survey.id.desc()))
    return [(survey.id, survey.text("title", language)) for survey in surveys]


def survey_info(survey_id: int, language: str) -> SurveyInfo | None:
    survey = db.session.get(Survey, survey_id)
    if survey is None or not survey.published:
        return None
    questions = []
    for question in survey.questions:
        kind = question.kind_
        if kind is Kind.AGREE:
            scale = [(str(value), str(label)) for value, label in AGREE_LABELS.items()]
        elif kind.numeric:
            low, high = (0, 10) if kind is Kind.NPS else (question.scale_min, question.scale_max)
            scale = [(str(value), str(value)) for value in range(low, high + 1)]
        else:
            scale = [(code, question.label("options", code, language)) for code in question.options]
        questions.append(QuestionInfo(question.id, question.code, kind, question.text("text", language), scale))
    return SurveyInfo(survey.id, survey.text("title", language), survey.course_slug, survey.anonymous, questions)


def _scoped(query, survey_id: int, countries, start: date | None, end: date | None, column=Answer):
    query = query.where(column.survey_id == survey_id)
    if countries is not None:
        query = query.where(column.country.in_(countries))
    if start:
        query = query.where(column.submitted_on >= start)
    if end:
        query = query.where(column.submitted_on < end)
    return query


def responses_by_country(survey_id: int, countries, start=None, end=None) -> dict[str | None, int]:
    query = select(Response.country, func.count()).group_by(Response.country)
    return dict(db.session.execute(_scoped(query, survey_id, countries, start, end, Response)).all())


def responses_by_month(survey_id: int, countries, start=None, end=None) -> dict[tuple[int, int, str | None], int]:
    year, month = extract("year", Response.submitted_on), extract("month", Response.submitted_on)
    query = select(year, month, Response.country, func.count()).group_by(year, month, Response.country)
    rows = db.session.execute(_scoped(query, survey_id, countries, start, end, Response))
    return {(int(y), int(m), country): count for y, m, country, count in rows}


def numeric_distribution(survey_id: int, countries, start=None, end=None) -> dict[tuple[int, str | None, int], int]:
    """Count each value of each numeric question per country."""
    query = (
        select(Answer.question_id, Answer.country, Answer.number, func.count())
        .where(Answer.number.isnot(None))
        .group_by(Answer.question_id, Answer.country, Answer.number)
    )
    rows = db.session.execute(_scoped(query, survey_id, countries, start, end))
    return {(question_id, country, number): count for question_id, country, number, count in rows}


def numeric_means(survey_id: int, countries, start=None, end=None) -> dict[tuple[int, str | None], float]:
    query = (
        select(Answer.question_id, Answer.country, func.avg(Answer.number))
        .where(Answer.number.isnot(None))
        .group_by(Answer.question_id, Answer.country)
    )
    rows = db.session.execute(_scoped(query, survey_id, countries, start, end))
    return {(question_id, country): float(mean) for question_id, country, mean in rows}


def net_promoter(
    survey_id: int, question_id: int, countries, start=None, end=None
) -> dict[str | None, tuple[int, int, int]]:
    """Return (promoters, passives, detractors) per country for a 0–10 question."""
    query = (
        select(
            Answer.country,
            func.sum(case((Answer.number >= 9, 1), else_=0)),
            func.sum(case(((Answer.number >= 7) & (Answer.number <= 8), 1), else_=0)),
            func.sum(case((Answer.number <= 6, 1), else_=0)),
        )
        .where(Answer.question_id == question_id, Answer.number.isnot(None))
        .group_by(Answer.country)
    )
    rows = db.session.execute(_scoped(query, survey_id, countries, start, end))
    return {country: (int(p), int(n), int(d)) for country, p, n, d in rows}


def choice_counts(
    survey_id: int, countries, start=None, end=None
) -> dict[tuple[int, str | None, str | None, str], int]:
    """Count each option (per grid row) of each choice question per country."""
    query = (
        select(Answer.question_id, Answer.country, Answer.row_code, Answer.option_code, func.count())
        .where(Answer.option_code.isnot(None))
        .group_by(Answer.question_id, Answer.country, Answer.row_code, Answer.option_code)
    )
    rows = db.session.execute(_scoped(query, survey_id, countries, start, end))
    return {(question_id, country, row, option): count for question_id, country, row, option, count in rows}


def text_answers(
    survey_id: int, countries, *, languages=None, question_id=None, search="", start=None, end=None, page=1, per_page=25
):
    """Return one page of written answers (question id, country, language, text) and their total."""
    query = select(Answer.question_id, Answer.country, Answer.language, Answer.text).where(Answer.text.isnot(None))
    query = _scoped(query, survey_id, countries, start, end)
    if languages:
        query = query.where(Answer.language.in_(languages))
    if question_id:
        query = query.where(Answer.question_id == question_id)
    if search:
        query = query.where(func.lower(Answer.text).like(f"%{search.lower()}%"))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        query.order_by(Answer.submitted_on.desc(), Answer.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return rows, total


def evaluated_by_organisation(course_slug: str, countries) -> dict[tuple[str | None, str | None], int]:
    """Count the people who answered the course's evaluation per (country, organisation) — not what they answered."""
    query = (
        select(Organisation.country, Organisation.name, func.count())
        .select_from(Participation)
        .join(Survey, Survey.id == Participation.survey_id)
        .join(User, User.id == Participation.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(Survey.course_slug == course_slug, Participation.answered.is_(True))
        .group_by(Organisation.country, Organisation.name)
    )
    if countries is not None:
        query = query.where(Organisation.country.in_(countries))
    return {(country, name): count for country, name, count in db.session.execute(query)}
