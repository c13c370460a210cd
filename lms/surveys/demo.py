"""Demo data: the flagship course's evaluation, answered in the eight partner countries (fixed seed)."""

import json
import random
import secrets
from datetime import timedelta
from pathlib import Path

from lms.accounts.services import user_by_email
from lms.core.time import utcnow
from lms.courses import api as courses
from lms.extensions import db
from lms.i18n import language_for_country
from lms.surveys import services
from lms.surveys.models import Answer, Kind, Participation, Response, Survey

FLAGSHIP = "positive-stories"
DEMO_TRAINER = "trainer@clarinet.example"
TEXTS = Path(__file__).with_name("demo_answers.json")
#: How each country's group tends to rate the training, so that the dashboards have differences to show.
MOOD = {"IT": 0.35, "AT": 0.15, "SI": 0.0, "GR": 0.25, "CY": -0.1, "RO": -0.3, "BG": -0.15, "HU": -0.45}


def _number(rng: random.Random, low: int, high: int, centre: float) -> int:
    return max(low, min(high, round(rng.gauss(centre, (high - low) / 5))))


def _answers(rng: random.Random, survey: Survey, mood: float, texts: dict) -> list[Answer]:
    """Return one plausible response's answers, more or less enthusiastic with *mood*."""
    values: list[tuple[int, dict]] = []
    for question in survey.questions:
        kind = question.kind_
        if not question.required and rng.random() < 0.25:
            continue
        if kind is Kind.AGREE:
            values.append((question.id, {"number": _number(rng, 1, 5, 3.9 + mood)}))
        elif kind is Kind.SCALE:
            values.append((question.id, {"number": _number(rng, question.scale_min, question.scale_max, 3.5 + mood)}))
        elif kind is Kind.NPS:
            values.append((question.id, {"number": _number(rng, 0, 10, 7.6 + 2 * mood)}))
        elif kind is Kind.GRID:
            weights = [max(0.05, 0.15 - mood / 5), 0.35, max(0.1, 0.45 + mood / 2), 0.05]
            values += [
                (question.id, {"row_code": row, "option_code": rng.choices(question.options, weights)[0]})
                for row in question.rows
            ]
        elif kind is Kind.MULTIPLE:
            values += [(question.id, {"option_code": code}) for code in rng.sample(question.options, rng.randint(1, 3))]
        elif kind.choice:
            weights = ([5, 3, 2] + [1] * len(question.options))[: len(question.options)]
            values.append((question.id, {"option_code": rng.choices(question.options, weights)[0]}))
        elif question.code in texts and rng.random() < 0.6:
            values.append((question.id, {"text": rng.choice(texts[question.code])}))
    return [Answer(survey_id=survey.id, question_id=question_id, **value) for question_id, value in values]


def load_demo_survey() -> None:
    """Create and publish the flagship's evaluation, answered by about 70 % of those who completed it, once."""
    trainer = user_by_email(DEMO_TRAINER)
    if trainer is None or services.course_survey(FLAGSHIP) is not None:
        return
    survey = services.create_from_template(trainer, course_slug=FLAGSHIP)
    survey.required_for_certificate = False
    services.publish(survey, trainer)
    texts = json.loads(TEXTS.read_text(encoding="utf-8"))
    rng, today = random.Random(2026), utcnow().date()
    for user_id, country in courses.completed_learners(FLAGSHIP):
        if country not in MOOD or rng.random() > 0.7:
            continue
        db.session.add(Participation(survey_id=survey.id, user_id=user_id, answered=True))
        language = language_for_country(country) if rng.random() < 0.85 else "en"
        response = Response(
            id=secrets.token_hex(16),
            survey_id=survey.id,
            language=language,
            country=country,
            submitted_on=today - timedelta(days=rng.randint(0, 150)),
            source="demo",
        )
        response.answers = _answers(rng, survey, MOOD[country], texts[language])
        for answer in response.answers:
            answer.country, answer.language, answer.submitted_on = country, language, response.submitted_on
        db.session.add(response)
        survey.response_count += 1
    db.session.flush()
