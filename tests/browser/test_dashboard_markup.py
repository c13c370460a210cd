"""A question written as markup reaches a trainer's dashboard as text: the page stays put and the chart is drawn."""

from playwright.sync_api import expect
from sqlalchemy import select

from lms.extensions import db
from lms.surveys.models import Question
from lms.surveys.services import course_survey
from tests.browser.conftest import sign_in

#: A question text that, written unescaped into the chart's JSON, sent the reader's browser elsewhere.
PAYLOAD = '</script><meta http-equiv="refresh" content="0;url=http://evil.example/"><b>Useful?</b> & more'


def retitle(platform, text: str | None) -> tuple[int, int, str]:
    """Give the evaluation's "relevance" question *text* in English (None: keep it); return survey, question, old."""
    with platform.app.app_context():
        survey = course_survey("positive-stories")
        question = db.session.scalar(
            select(Question).where(Question.survey_id == survey.id, Question.code == "relevance")
        )
        old = question.texts["en"]["text"]
        if text is not None:
            question.texts = {**question.texts, "en": {**question.texts["en"], "text": text}}
            db.session.commit()
        return survey.id, question.id, old


def test_a_question_written_as_markup_is_shown_as_typed_and_the_page_stays(person, platform):
    survey_id, question_id, old = retitle(platform, None)
    retitle(platform, PAYLOAD)
    try:
        trainer = person("en")
        page = trainer.page
        sign_in(trainer, "trainer@clarinet.example")
        page.goto(f"/dashboards/?survey={survey_id}")
        chart = page.locator(f"#chart-q{question_id}")

        expect(chart.locator(".main-svg").first).to_be_visible()  # plotly drew the chart from the JSON
        expect(chart.locator(".gtitle")).to_have_text(PAYLOAD)  # the title exactly as typed, not as markup
        page.wait_for_timeout(1500)  # a refresh of 0 seconds would have left by now
        assert page.url.endswith(f"/dashboards/?survey={survey_id}")
        assert page.locator("meta[http-equiv]").count() == 0 and chart.locator("b").count() == 0
    finally:
        retitle(platform, old)
