"""A learner asks an expert with the keyboard alone; the expert answers; the learner closes the question."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import press, sign_in, tab_to, type_into


@pytest.mark.parametrize("language", ["el", "en"])
def test_a_learner_asks_an_expert_with_the_keyboard_alone_and_the_expert_answers(person, language):
    subject = {
        "el": "Πώς απαντάμε σε ψευδείς ειδήσεις για επιδόματα;",
        "en": "How do we answer false news about benefits?",
    }[language]
    learner = person(language)
    page = learner.page
    page.goto("/accounts/sign-in")
    learner.sees("Sign in")
    type_into(learner, page.get_by_label(learner.t("E-mail address")), "eleni.papadopoulou@northaegean.example")
    type_into(learner, page.get_by_label(learner.t("Password")), "clarinet-demo")
    press(learner, page.get_by_role("button", name=learner.t("Sign in")))
    if page.evaluate("document.documentElement.lang") != language:
        switch = page.locator("form.language-switch")
        tab_to(learner, switch.get_by_role("combobox"))
        page.keyboard.type(switch.locator(f"option[value={language}]").text_content())
        press(learner, switch.get_by_role("button"))

    press(
        learner,
        page.get_by_role("navigation", name=learner.t("Main menu")).get_by_role(
            "link", name=learner.t("Ask an expert")
        ),
    )
    learner.sees("Ask an expert")
    press(learner, page.get_by_role("main").get_by_role("link", name=learner.t("Ask a question")))
    learner.sees("Ask a question")
    type_into(learner, page.get_by_label(learner.t("Your question in one line")), subject)
    tab_to(learner, page.get_by_label(learner.t("Topic")))
    page.keyboard.type(page.get_by_label(learner.t("Topic")).locator("option[value=communication]").text_content())
    type_into(
        learner,
        page.get_by_label(learner.t("Details")),
        "A post says that refugees receive higher benefits than pensioners.",
    )
    press(learner, page.get_by_role("button", name=learner.t("Send the question")))
    expect(page.locator("main h1")).to_contain_text(subject)
    learner.audit()

    expert = person(language)
    sign_in(expert, "expert.media@clarinet.example")
    expert.go("Ask an expert")
    expert.sees("Ask an expert")
    expert.follow(expert.page.get_by_role("link", name=subject))
    expert.follow(expert.page.get_by_role("button", name=expert.t("Take this question")))
    expect(expert.page.get_by_text(expert.t("Taken by %(name)s", name="Ελένη Γεωργίου"))).to_be_visible()
    expert.page.get_by_label(expert.t("Your message")).fill(
        "Answer once, on the municipality's own page, with the official figures."
    )
    expert.follow(expert.page.get_by_role("button", name=expert.t("Send")))
    expect(expert.page.locator("main")).to_contain_text("with the official figures")

    page.reload()
    expect(page.locator("main")).to_contain_text("with the official figures")
    tab_to(learner, page.get_by_label(learner.t("Yes")))
    page.keyboard.press("Space")
    press(learner, page.get_by_role("button", name=learner.t("Close the question")).first)
    expect(page.get_by_role("heading", name=learner.t("This question is closed"))).to_be_visible()
    learner.audit()
