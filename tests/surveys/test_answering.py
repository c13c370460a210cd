"""Answering: invited after a course, in one's language, once, anonymously when promised."""

import threading

import pytest
from sqlalchemy import func, select

from lms import signals
from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.core.models import OutboxMessage
from lms.extensions import db
from lms.surveys import services
from lms.surveys.models import Answer, Participation, Response, Survey

RIGHT = {"q0": "b", "q1": ["a", "c"]}


def complete_course(client) -> None:
    client.submit("/courses/local-voices/enrol")
    client.submit("/courses/local-voices/lessons/first-steps/done")
    client.submit("/courses/local-voices/lessons/second-steps/check", RIGHT)


def token_of(app, survey_id: int) -> str:
    with app.app_context():
        return db.session.get(Survey, survey_id).token


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def spela(app, create_user, create_organisation):
    town = create_organisation("Občina Črnomelj", "SI")
    create_user("spela@example.si", name="Špela Horvat", organisation_id=town, language="sl")
    client = app.test_client()
    client.sign_in("spela@example.si")
    return client


def test_a_learner_who_completes_the_course_is_invited_and_answers_in_slovenian(app, spela, evaluation, answers):
    heard = []
    complete_course(spela)

    home = spela.get("/").get_data(as_text=True)
    form = spela.get(f"/surveys/s/{token_of(app, evaluation)}").get_data(as_text=True)
    with signals.survey_submitted.connected_to(lambda sender, **kwargs: heard.append(kwargs["course_slug"])):
        done = spela.submit(f"/surveys/s/{token_of(app, evaluation)}", answers(evaluation))

    with app.app_context():
        invitation = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "spela@example.si"))
        response = db.session.scalar(select(Response))
        assert (response.language, response.country, response.user_id, response.submitted_at) == (
            "sl",
            "SI",
            None,
            None,
        )
        assert {answer.language for answer in response.answers} == {"sl"}
    assert f"/surveys/s/{token_of(app, evaluation)}" in invitation.body
    assert 'lang="sl"' in form and "Evaluation of the training" not in form
    assert done.status_code == 200 and heard == ["local-voices"]
    assert f"/surveys/s/{token_of(app, evaluation)}" in home


def test_the_certificate_waits_for_the_required_evaluation(app, spela, evaluation, answers):
    complete_course(spela)
    before = count(app, Certificate)
    course_page = spela.get("/courses/local-voices?lang=en").get_data(as_text=True)

    spela.submit(f"/surveys/s/{token_of(app, evaluation)}", answers(evaluation))

    assert before == 0
    assert "Send the evaluation of the course" in course_page
    assert count(app, Certificate) == 1


def test_anonymous_answers_carry_no_link_to_the_person(app, spela, evaluation, answers):
    complete_course(spela)
    spela.submit(f"/surveys/s/{token_of(app, evaluation)}", answers(evaluation))

    with app.app_context():
        response = db.session.scalar(select(Response))
        participation = db.session.scalar(select(Participation))
        assert response.user_id is None and response.submitted_at is None
        assert len(response.id) == 32 and not response.id.isdigit()
        assert (participation.answered, hasattr(participation, "response_id")) == (True, False)


def test_nobody_answers_twice(app, spela, evaluation, answers):
    complete_course(spela)
    token = token_of(app, evaluation)
    spela.submit(f"/surveys/s/{token}", answers(evaluation))

    spela.submit(f"/surveys/s/{token}", answers(evaluation))
    again = spela.get(f"/surveys/s/{token}?lang=en")

    assert "You have already answered this survey." in again.get_data(as_text=True)
    assert count(app, Response) == 1


def test_two_submissions_at_the_same_instant_store_one_response(app, evaluation, create_user, create_organisation):
    user_id = create_user("ana@example.si", organisation_id=create_organisation())
    outcomes, barrier = [], threading.Barrier(2)

    def submit():
        with app.app_context():
            survey, user = db.session.get(Survey, evaluation), db.session.get(User, user_id)
            barrier.wait()
            try:
                services.submit(survey, [], language="en", user=user, country="SI")
                db.session.commit()
                outcomes.append("stored")
            except services.SurveyError:
                db.session.rollback()
                outcomes.append("refused")
            except Exception as error:  # the database's own refusal, whichever form it takes
                db.session.rollback()
                outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("stored") == 1
    assert count(app, Response) == 1


def test_a_public_link_works_without_an_account_once_per_browser(app, client, evaluation, answers):
    token = token_of(app, evaluation)

    form = client.get(f"/surveys/s/{token}").get_data(as_text=True)
    first = client.submit(f"/surveys/s/{token}", {**answers(evaluation), "country": "GR"})
    second = client.get(f"/surveys/s/{token}").get_data(as_text=True)

    assert 'name="country"' in form
    assert "Thank you!" in first.get_data(as_text=True)
    assert "already answered" in second
    with app.app_context():
        assert db.session.scalar(select(Response.country)) == "GR"


def test_missing_answers_are_explained_beside_their_question(app, client, evaluation, answers):
    data = answers(evaluation)
    relevance = next(key for key in data if key.startswith("q"))
    del data[relevance]

    response = client.submit(f"/surveys/s/{token_of(app, evaluation)}", {**data, "country": "AT"})

    assert response.status_code == 422
    assert f'id="{relevance}-error">Please answer this question.' in response.get_data(as_text=True)
    assert count(app, Response) == 0


def test_choices_are_stored_as_codes_whatever_the_language(app, client, make_app, evaluation, answers):
    data = answers(evaluation, followed="most")
    client.submit(f"/surveys/s/{token_of(app, evaluation)}?lang=it", {**data, "country": "IT"})
    make_app().test_client().submit(f"/surveys/s/{token_of(app, evaluation)}?lang=de", {**data, "country": "AT"})

    with app.app_context():
        followed = db.session.get(Survey, evaluation).questions[5]
        codes = db.session.execute(
            select(Answer.option_code, Answer.language).where(Answer.question_id == followed.id)
        ).all()
    assert sorted(codes) == [("most", "de"), ("most", "it")]


def test_closed_and_full_surveys_say_so(app, client, evaluation, answers):
    token = token_of(app, evaluation)
    with app.app_context():
        db.session.get(Survey, evaluation).response_limit = 1
        db.session.commit()
    client.submit(f"/surveys/s/{token}", {**answers(evaluation), "country": "SI"})

    full = app.test_client().get(f"/surveys/s/{token}")
    with app.app_context():
        services.close(db.session.get(Survey, evaluation))
        db.session.commit()
    closed = app.test_client().get(f"/surveys/s/{token}")

    assert full.status_code == 410 and "received all the answers it can take" in full.get_data(as_text=True)
    assert closed.status_code == 410 and "This survey is closed" in closed.get_data(as_text=True)


def test_identified_surveys_keep_a_draft(app, spela, evaluation, answers):
    with app.app_context():
        db.session.get(Survey, evaluation).anonymous = False
        db.session.commit()
    token = token_of(app, evaluation)
    word = next(key for key, value in answers(evaluation, word="Inspiring").items() if value == "Inspiring")

    spela.submit(f"/surveys/s/{token}", {"action": "draft", word: "Inspiring"})
    page = spela.get(f"/surveys/s/{token}").get_data(as_text=True)

    assert 'value="Inspiring"' in page
    assert count(app, Response) == 0
