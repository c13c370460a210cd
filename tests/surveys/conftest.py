"""Fixtures for surveys: the programme's evaluation template, attached to the test course."""

import pytest
from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.extensions import db
from lms.surveys import services
from lms.surveys.models import Kind, Survey


@pytest.fixture
def trainer(create_user):
    return create_user("trainer@example.eu", name="Andrea Ferraro", roles=(Role.TRAINER,), countries=("SI", "AT", "GR", "BG"))


@pytest.fixture
def evaluation(app, course, trainer):
    """The published evaluation of the course local-voices, required for its certificate; returns its id."""
    with app.app_context():
        survey = services.create_from_template(db.session.get(User, trainer), course_slug="local-voices")
        services.publish(survey, db.session.get(User, trainer))
        db.session.commit()
        return survey.id


@pytest.fixture
def answers(app):
    """Return a function giving a complete, valid set of form answers for a survey."""

    def make(survey_id: int, **overrides) -> dict:
        with app.app_context():
            survey = db.session.get(Survey, survey_id)
            data = {}
            for question in survey.questions:
                name, kind = f"q{question.id}", question.kind_
                if kind is Kind.GRID:
                    data.update({f"{name}_{row}": question.options[-2] for row in question.rows})
                elif kind.numeric:
                    data[name] = "4" if kind is not Kind.NPS else "9"
                elif kind.choice:
                    data[name] = question.options[0] if kind is not Kind.MULTIPLE else question.options[:2]
                else:
                    data[name] = "Very practical"
            codes = {question.code: f"q{question.id}" for question in survey.questions}
        return {**data, **{codes.get(key, key): value for key, value in overrides.items()}}

    return make


def question_id(app, survey_id: int, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Survey).where(Survey.id == survey_id)).questions[
            [q.code for q in db.session.get(Survey, survey_id).questions].index(code)].id
