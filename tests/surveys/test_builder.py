"""Building a survey: questions of every kind, order, translations, publishing, copies."""

import re

from lms.extensions import db
from lms.surveys.models import Question, Survey


def new_survey(client, title="Feedback on the Burgas workshop") -> int:
    response = client.submit("/surveys/new", {"title": title})
    return int(re.search(r"/surveys/(\d+)/edit", response.headers["Location"]).group(1))


def add_question(client, survey_id: int, kind: str) -> int:
    page = client.get(f"/surveys/{survey_id}/edit").get_data(as_text=True)
    section = re.search(rf"/surveys/{survey_id}/sections/(\d+)/questions", page).group(1)
    response = client.submit(f"/surveys/{survey_id}/sections/{section}/questions", {"kind": kind})
    return int(response.headers["Location"].rsplit("/", 1)[1])


def settings(**changes) -> dict:
    return {
        "title": "Feedback on the Burgas workshop",
        "description": "",
        "thank_you": "Thanks!",
        "anonymous": "y",
        "languages": ["en"],
        "course": "",
        **changes,
    }


def test_a_trainer_builds_and_publishes_a_survey(app, client, trainer):
    client.sign_in("trainer@example.eu")
    survey_id = new_survey(client)
    question = add_question(client, survey_id, "multiple")

    saved = client.submit(
        f"/surveys/{survey_id}/questions/{question}",
        {
            "text": "Which channels do residents use?",
            "code": "channels",
            "options": "Radio\nNewspaper\nFacebook",
            "allow_other": "y",
        },
    )
    blocked = client.submit(f"/surveys/{survey_id}/publish", follow_redirects=True)
    client.submit(f"/surveys/{survey_id}/edit", settings())
    published = client.submit(f"/surveys/{survey_id}/publish", follow_redirects=True)

    assert saved.headers["Location"].endswith(f"#question-{question}")
    assert "Translate the survey completely first" in blocked.get_data(as_text=True)
    assert "The survey is published and accepts answers." in published.get_data(as_text=True)
    with app.app_context():
        stored = db.session.get(Question, question)
        assert (stored.options, stored.allow_other) == (["o1", "o2", "o3"], True)
        assert stored.texts["en"]["options"] == {"o1": "Radio", "o2": "Newspaper", "o3": "Facebook"}


def test_the_translation_view_shows_what_is_missing_and_saves_it(app, client, trainer):
    client.sign_in("trainer@example.eu")
    survey_id = new_survey(client)
    question = add_question(client, survey_id, "single")
    client.submit(
        f"/surveys/{survey_id}/questions/{question}", {"text": "Was it useful?", "code": "useful", "options": "Yes\nNo"}
    )
    client.submit(f"/surveys/{survey_id}/edit", settings(languages=["en", "de"]))

    page = client.get(f"/surveys/{survey_id}/translate/de").get_data(as_text=True)
    fields = re.findall(r'name="((?:survey|section|question)-[\w-]+)"', page)
    saved = client.submit(
        f"/surveys/{survey_id}/translate/de",
        dict(zip(fields, ["Rückmeldung zum Workshop", "Danke!", "War es nützlich?", "Ja", "Nein"], strict=True)),
        follow_redirects=True,
    )
    published = client.submit(f"/surveys/{survey_id}/publish", follow_redirects=True)

    assert "5 texts are still missing." in page and "Was it useful?" in page
    assert "The translation is saved." in saved.get_data(as_text=True)
    assert "The survey is published" in published.get_data(as_text=True)
    assert "War es nützlich?" in client.get(f"/surveys/s/{_token(app, survey_id)}?lang=de").get_data(as_text=True)


def _token(app, survey_id: int) -> str:
    with app.app_context():
        return db.session.get(Survey, survey_id).token


def test_questions_are_reordered_across_sections(app, client, trainer):
    client.sign_in("trainer@example.eu")
    survey_id = new_survey(client)
    first, second = add_question(client, survey_id, "short_text"), add_question(client, survey_id, "nps")
    client.submit(f"/surveys/{survey_id}/sections")

    client.submit(f"/surveys/{survey_id}/questions/{second}/up")
    client.submit(f"/surveys/{survey_id}/questions/{first}/down")

    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        assert [question.id for question in survey.questions] == [second, first]
        assert [question.section.position for question in survey.questions] == [1, 1]


def test_every_kind_of_question_can_be_answered(app, client, trainer, answers):
    client.sign_in("trainer@example.eu")
    survey_id = new_survey(client)
    for kind in ("agree", "scale", "nps", "single", "multiple", "dropdown", "short_text", "long_text", "grid"):
        question = add_question(client, survey_id, kind)
        client.submit(
            f"/surveys/{survey_id}/questions/{question}",
            {
                "text": f"A {kind} question",
                "code": kind.replace("_", "-"),
                "required": "y",
                "options": "One\nTwo\nThree",
                "rows": "First\nSecond",
                "scale_min": "1",
                "scale_max": "5",
                "low": "Low",
                "high": "High",
            },
        )
    client.submit(f"/surveys/{survey_id}/edit", settings())
    client.submit(f"/surveys/{survey_id}/publish")

    response = app.test_client().submit(f"/surveys/s/{_token(app, survey_id)}", {**answers(survey_id), "country": "BG"})

    assert "Thanks!" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Survey, survey_id).response_count == 1


def test_anonymity_cannot_be_switched_off_once_people_answered(app, client, trainer, evaluation, answers):
    app.test_client().submit(f"/surveys/s/{_token(app, evaluation)}", {**answers(evaluation), "country": "SI"})
    client.sign_in("trainer@example.eu")

    response = client.submit(
        f"/surveys/{evaluation}/edit",
        settings(anonymous="", languages=["en", "it", "de", "sl", "el", "ro", "bg", "hu"]),
    )

    assert "must stay anonymous" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Survey, evaluation).anonymous is True


def test_a_copy_has_the_questions_but_no_answers(app, client, trainer, evaluation, answers):
    app.test_client().submit(f"/surveys/s/{_token(app, evaluation)}", {**answers(evaluation), "country": "SI"})
    client.sign_in("trainer@example.eu")

    copy = client.submit(f"/surveys/{evaluation}/duplicate")

    copy_id = int(re.search(r"/surveys/(\d+)/edit", copy.headers["Location"]).group(1))
    with app.app_context():
        original, duplicate = db.session.get(Survey, evaluation), db.session.get(Survey, copy_id)
        assert [q.code for q in duplicate.questions] == [q.code for q in original.questions]
        assert (duplicate.response_count, duplicate.published, duplicate.course_slug) == (0, False, None)
        assert duplicate.text("title", "en") == "Evaluation of the training (copy)"


def test_the_share_page_has_the_link_and_a_qr_code(app, client, trainer, evaluation):
    client.sign_in("trainer@example.eu")

    html = client.get(f"/surveys/{evaluation}/share").get_data(as_text=True)

    assert f"http://localhost/surveys/s/{_token(app, evaluation)}" in html and "<svg" in html
