"""What other packages may read of surveys: their structure and aggregated answers, counted by the database.

Every figure is computed through a `Release` (see `lms.surveys.release`): the answers that one
reader's view may show, under the small-group rules of anonymous surveys. Nothing here returns
anything that links an answer to a person.
"""

from dataclasses import dataclass

from sqlalchemy import case, func, select

from lms.accounts.models import Organisation, User
from lms.core.disclosure import minimum_group, suppressed
from lms.extensions import db
from lms.surveys.forms import AGREE_LABELS
from lms.surveys.models import Answer, Kind, Participation, Survey
from lms.surveys.release import OTHER_LANGUAGES, Release, View, release

__all__ = ["OTHER_LANGUAGES", "Kind", "QuestionInfo", "Release", "SurveyInfo", "View"]


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


def release_of(survey_id: int, view: View) -> Release | None:
    """Return what *view* may see of a published survey's answers, or None when there is no such survey."""
    survey = db.session.get(Survey, survey_id)
    return release(survey, view) if survey is not None and survey.published else None


def numeric_distribution(shown: Release) -> dict[tuple[int, str | None, int], int]:
    """Count each value of each numeric question per country."""
    query = (
        select(Answer.question_id, Answer.country, Answer.number, func.count())
        .where(shown.where(Answer), Answer.number.isnot(None))
        .group_by(Answer.question_id, Answer.country, Answer.number)
    )
    return {(question_id, country, number): count for question_id, country, number, count in db.session.execute(query)}


def numeric_means(shown: Release) -> dict[tuple[int, str | None], float]:
    query = (
        select(Answer.question_id, Answer.country, func.avg(Answer.number))
        .where(shown.where(Answer), Answer.number.isnot(None))
        .group_by(Answer.question_id, Answer.country)
    )
    return {(question_id, country): float(mean) for question_id, country, mean in db.session.execute(query)}


def net_promoter(shown: Release, question_id: int) -> dict[str | None, tuple[int, int, int]]:
    """Return (promoters, passives, detractors) per country for a 0–10 question."""
    query = (
        select(
            Answer.country,
            func.sum(case((Answer.number >= 9, 1), else_=0)),
            func.sum(case(((Answer.number >= 7) & (Answer.number <= 8), 1), else_=0)),
            func.sum(case((Answer.number <= 6, 1), else_=0)),
        )
        .where(shown.where(Answer), Answer.question_id == question_id, Answer.number.isnot(None))
        .group_by(Answer.country)
    )
    return {country: (int(p), int(n), int(d)) for country, p, n, d in db.session.execute(query)}


def choice_counts(shown: Release) -> dict[tuple[int, str | None, str | None, str], int]:
    """Count each option (per grid row) of each choice question per country."""
    query = (
        select(Answer.question_id, Answer.country, Answer.row_code, Answer.option_code, func.count())
        .where(shown.where(Answer), Answer.option_code.isnot(None))
        .group_by(Answer.question_id, Answer.country, Answer.row_code, Answer.option_code)
    )
    return {
        (question_id, country, row, option): count
        for question_id, country, row, option, count in db.session.execute(query)
    }


def respondents(shown: Release) -> dict[int, int]:
    """Count the people who answered each choice question (a multiple choice holds several answers each)."""
    query = (
        select(Answer.question_id, func.count(func.distinct(Answer.response_id)))
        .where(shown.where(Answer), Answer.option_code.isnot(None))
        .group_by(Answer.question_id)
    )
    return dict(db.session.execute(query).all())


@dataclass(frozen=True)
class WrittenAnswer:
    question_id: int
    country: str | None
    #: The answer's language, or OTHER_LANGUAGES where too few answered in it to name it.
    language: str
    text: str


def text_answers(
    shown: Release, *, question_id=None, search="", page=1, per_page=25
) -> tuple[list[WrittenAnswer], int]:
    """Return one page of written answers and their total, in an order that has nothing to do with when they came."""
    query = select(Answer.question_id, Answer.country, Answer.submitted_on, Answer.language, Answer.text).where(
        shown.where(Answer), Answer.text.isnot(None), Answer.text != ""
    )
    if question_id:
        query = query.where(Answer.question_id == question_id)
    if search:
        query = query.where(func.lower(Answer.text).like(f"%{search.lower()}%"))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    # Response keys are random: ordered by them, answers come in no order that time, place or person explains.
    rows = db.session.execute(
        query.order_by(Answer.response_id, Answer.position).limit(per_page).offset((page - 1) * per_page)
    )
    answers = [
        WrittenAnswer(question, country, shown.language_label(country, day, language), text)
        for question, country, day, language, text in rows
    ]
    return answers, total


def evaluated_by_organisation(course_slug: str, countries, learners=None) -> dict[int | None, int | None] | None:
    """Count the people who answered the course's evaluation per organisation (id) — not what they answered —
    among *learners* (a subquery of user ids) when given.

    For an anonymous evaluation, an organisation's count is None (shown as a dash, like none at all)
    where it is under k, or where the country's other hidden counts could give it away; and for a part
    of the learners (a period) there is no count at all (None): two periods would differ by the people
    who enrolled between them, telling whether each of them evaluated.
    """
    survey_ids = select(Survey.id).where(Survey.course_slug == course_slug)
    anonymous = db.session.scalar(select(func.count()).where(Survey.course_slug == course_slug, Survey.anonymous))
    if anonymous and learners is not None:
        return None
    query = (
        select(Organisation.country, User.organisation_id, func.count())
        .select_from(Participation)
        .join(User, User.id == Participation.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(Participation.survey_id.in_(survey_ids), Participation.answered.is_(True))
        .group_by(Organisation.country, User.organisation_id)
    )
    if countries is not None:
        query = query.where(Organisation.country.in_(countries))
    if learners is not None:
        query = query.where(Participation.user_id.in_(learners))
    counts = {(country, organisation): count for country, organisation, count in db.session.execute(query)}
    if not anonymous:
        return {organisation: count for (_country, organisation), count in counts.items()}
    lines: dict[str | None, dict] = {}
    for (country, organisation), count in counts.items():
        lines.setdefault(country, {})[organisation] = count
    hidden = {key for line in lines.values() for key in suppressed(line, minimum_group())}
    return {
        organisation: None if organisation in hidden else count for (_country, organisation), count in counts.items()
    }
