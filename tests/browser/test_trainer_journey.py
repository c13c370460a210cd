"""A trainer builds a survey, publishes it, and reads the dashboard of the programme's evaluation."""

import pytest
from playwright.sync_api import expect

from lms.surveys.services import course_survey
from tests.browser.conftest import sign_in


@pytest.mark.parametrize("language", ["el", "en"])
def test_a_trainer_builds_a_survey_and_reads_the_dashboard(person, platform, language):
    title = {"el": "Σχόλια για το τοπικό εργαστήριο", "en": "Feedback on the local workshop"}[language]
    trainer = person(language)
    page = trainer.page
    sign_in(trainer, "trainer@clarinet.example")
    trainer.go("Surveys")
    trainer.sees("Surveys")
    page.get_by_label(trainer.t("Title")).fill(title)
    trainer.follow(page.get_by_role("button", name=trainer.t("Create"), exact=True))
    expect(page.locator("main h1")).to_have_text(title)

    page.get_by_label(trainer.t("Type of question")).select_option("agree")
    trainer.follow(page.get_by_role("button", name=trainer.t("Add a question")))
    page.get_by_label(trainer.t("Question"), exact=True).fill(
        {"el": "Το εργαστήριο θα με βοηθήσει στη δουλειά μου.", "en": "The workshop will help me in my work."}[language]
    )
    page.get_by_label(trainer.t("Short name")).fill("usefulness")
    page.get_by_label(trainer.t("An answer is required")).check()
    trainer.follow(page.get_by_role("button", name=trainer.t("Save the question")))
    expect(page.locator("main h1")).to_have_text(title)
    offered = page.get_by_role("group", name=trainer.t("Languages offered"))
    for box in offered.get_by_role("checkbox").all():
        box.set_checked(box.get_attribute("value") == language)  # a local workshop, in one language
    trainer.follow(page.get_by_role("button", name=trainer.t("Save the settings")))
    trainer.follow(page.get_by_role("button", name=trainer.t("Publish")))
    expect(page.get_by_role("button", name=trainer.t("Close now"))).to_be_visible()
    trainer.follow(page.get_by_role("link", name=trainer.t("Link and QR code")))
    expect(page.locator("main img, main svg").first).to_be_visible()  # the QR code

    trainer.go("Dashboards")
    trainer.sees("Dashboards")
    with platform.app.app_context():
        evaluation = str(course_survey("positive-stories").id)
    page.get_by_label(trainer.t("Survey"), exact=True).select_option(evaluation)
    trainer.follow(page.get_by_role("button", name=trainer.t("Show")))
    expect(page.locator(".chart-area .main-svg").first).to_be_visible()  # plotly drew the charts
    countries = page.get_by_role("region", name=trainer.t("Responses and response rate")).get_by_role("table")
    expect(countries).to_contain_text({"el": "Ιταλία", "en": "Italy"}[language])
    expect(countries).not_to_contain_text({"el": "Ουγγαρία", "en": "Hungary"}[language])  # not this trainer's country
    trainer.follow(page.get_by_role("link", name=trainer.t("Read the written answers")))
    page.go_back()
    trainer.follow(page.get_by_role("link", name={"el": "Ιταλία", "en": "Italy"}[language]))
