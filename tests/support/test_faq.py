"""The public FAQ never carries names: an anonymised draft, a check on the server, published once, edited and
withdrawn only by those who answer its topic."""

import re
import threading

import pyotp
import pytest
from sqlalchemy import func, select

from lms.accounts.models import Role, User
from lms.extensions import db
from lms.support import services
from lms.support.models import ExpertProfile, FaqEntry, Ticket

SECRET = pyotp.random_base32()
ANSWER = (
    "Dear Мария,\n\nAnswer once, on the municipality's own page, and lead with the fact.\n\n"
    "If you need more, call me on +359 56 123 456 or write to eleni@media.example.\n\nΕλένη Γεωργίου"
)


@pytest.fixture
def people(app, create_user, create_organisation):
    """Maria asks; Eleni and Anja answer communication, Nikola migration law; a trainer and an admin."""
    burgas = create_organisation("Община Бургас", "BG")
    ids = {
        "maria": create_user("maria@burgas.example", name="Мария Иванова", organisation_id=burgas, language="bg"),
        "eleni": create_user("eleni@media.example", name="Ελένη Γεωργίου", roles=(Role.EXPERT,)),
        "anja": create_user("anja@example.eu", name="Anja Kos", roles=(Role.EXPERT,)),
        "nikola": create_user("nikola@example.eu", name="Nikola Petrović", roles=(Role.EXPERT,)),
        "trainer": create_user("trainer.bg@example.eu", roles=(Role.TRAINER,), countries=("BG",)),
        "admin": create_user("admin@example.eu", roles=(Role.ADMIN,), two_factor_secret=SECRET),
    }
    with app.app_context():
        db.session.add_all(
            [
                ExpertProfile(user_id=ids["eleni"], topics=["communication"], languages=["bg", "en"]),
                ExpertProfile(user_id=ids["anja"], topics=["communication"], languages=["sl"]),
                ExpertProfile(user_id=ids["nikola"], topics=["migration-law"], languages=["bg", "en"]),
            ]
        )
        db.session.commit()
    return ids


def signed_in(app, email):
    client = app.test_client()
    client.sign_in(email)
    if email == "admin@example.eu":
        client.submit("/accounts/sign-in/code", {"code": pyotp.TOTP(SECRET).now()})
    return client


@pytest.fixture
def answered(app, people):
    """Maria's question, answered by Eleni with a greeting, a phone number, an address and a signature."""
    with app.app_context():
        maria, eleni = db.session.get(User, people["maria"]), db.session.get(User, people["eleni"])
        ticket = services.ask(
            maria,
            subject="Мария from Burgas: how do we answer a viral post?",
            body="A post claims that newcomers get more benefits. Мария Иванова, maria@burgas.example",
            topic=db.session.get(services.Topic, "communication"),
            language="en",
        )
        services.take(ticket, eleni)
        services.reply(ticket, eleni, ANSWER)
        db.session.commit()
        return ticket.id


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


def count_entries(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(FaqEntry))


def test_the_draft_comes_without_names_addresses_or_phone_numbers_and_says_what_was_removed(app, answered):
    eleni = signed_in(app, "eleni@media.example")

    page = eleni.get(f"/support/{answered}/faq?lang=en").get_data(as_text=True)

    question = re.search(r'<input [^>]*id="question"[^>]*value="([^"]*)"', page).group(1)
    answer = re.search(r'<textarea [^>]*id="answer"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert question == "[name removed] from Burgas: how do we answer a viral post?"
    assert answer.strip().startswith("Dear [name removed],")
    assert "call me on [phone removed] or write to [e-mail removed]" in answer
    assert answer.strip().endswith("[name removed]")
    assert "Мария" not in answer + question and "Ελένη" not in answer and "359" not in answer
    assert "Removed from the draft: 3 names, 1 e-mail address, and 1 phone number." in page


def test_the_server_refuses_a_text_that_still_names_someone_and_says_what_it_found(app, answered):
    eleni = signed_in(app, "eleni@media.example")

    named = eleni.submit(
        f"/support/{answered}/faq?lang=en",
        {"question": "How do we answer a viral post?", "answer": "As Мария Иванова did: ask ΕΛΕΝΗ."},
    )
    contact = eleni.submit(
        f"/support/{answered}/faq?lang=en",
        {"question": "Call 0039 06 1234567?", "answer": "Write to someone@example.eu."},
    )

    assert named.status_code == contact.status_code == 422
    assert "It still names a person of this question: “Мария Иванова” and “ΕΛΕΝΗ”." in field_error(
        named.get_data(as_text=True), "answer"
    )
    page = contact.get_data(as_text=True)
    assert "It still contains a phone number: “0039 06 1234567”." in field_error(page, "question")
    assert "It still contains an e-mail address: “someone@example.eu”." in field_error(page, "answer")
    assert count_entries(app) == 0


def test_a_part_of_a_name_that_is_an_ordinary_word_can_be_confirmed_but_a_full_name_cannot(app, people, create_user):
    nagy = create_user("nagy@example.hu", name="Nagy Zsófia")
    with app.app_context():
        ticket = services.ask(
            db.session.get(User, nagy),
            subject="Plakát",
            body="?",
            topic=db.session.get(services.Topic, "communication"),
            language="bg",
        )
        services.reply(ticket, db.session.get(User, people["eleni"]), "Egy nagy plakát.")
        db.session.commit()
        ticket_id = ticket.id
    eleni = signed_in(app, "eleni@media.example")
    text = {"question": "Milyen plakát?", "answer": "Egy nagy plakát a főtéren."}

    refused = eleni.submit(f"/support/{ticket_id}/faq?lang=en", text)
    full_name = eleni.submit(
        f"/support/{ticket_id}/faq?lang=en", {**text, "answer": "Nagy Zsófia: nagy plakát.", "ordinary_words": "y"}
    )
    confirmed = eleni.submit(f"/support/{ticket_id}/faq?lang=en", {**text, "ordinary_words": "y"})

    assert refused.status_code == 422
    assert "“nagy”: these are ordinary words here, not a person&#39;s name" in refused.get_data(as_text=True)
    assert full_name.status_code == 422 and "“Nagy Zsófia”" in field_error(full_name.get_data(as_text=True), "answer")
    assert confirmed.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(FaqEntry.answer)) == "Egy nagy plakát a főtéren."


def test_a_question_is_published_once_and_its_publish_page_then_leads_to_the_entry(app, answered):
    eleni = signed_in(app, "eleni@media.example")
    text = {"question": "How do we answer a viral post?", "answer": "Answer once and lead with the fact."}

    first = eleni.submit(f"/support/{answered}/faq?lang=en", text)
    again = eleni.submit(f"/support/{answered}/faq?lang=en", text)
    page = eleni.get(f"/support/{answered}/faq?lang=en")

    with app.app_context():
        entry_id = db.session.scalar(select(FaqEntry.id))
    assert first.headers["Location"] == f"/support/faq/{entry_id}"
    assert again.status_code == 409
    assert "already been published in the FAQ" in again.get_data(as_text=True)
    assert f'href="/support/faq/{entry_id}"' in again.get_data(as_text=True)
    assert page.headers["Location"] == f"/support/faq/{entry_id}"
    assert count_entries(app) == 1


def test_two_experts_publishing_at_once_make_one_entry_and_the_other_is_told(app, people, answered):
    outcomes, barrier = [], threading.Barrier(2)

    def publish(user_id):
        with app.app_context():
            ticket, expert = db.session.get(Ticket, answered), db.session.get(User, user_id)
            ticket.messages  # noqa: B018 (loaded before the race, as the page would have)
            barrier.wait()
            try:
                entry = services.publish_faq(ticket, expert, f"Question by {user_id}?", "Lead with the fact.")
                db.session.commit()
                outcomes.append(entry.id)
            except services.AlreadyPublished as error:
                outcomes.append(("refused", error.entry.id))

    threads = [threading.Thread(target=publish, args=(people[name],)) for name in ("eleni", "anja")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [outcome for outcome in outcomes if not isinstance(outcome, tuple)]
    assert len(winners) == 1 and outcomes.count(("refused", winners[0])) == 1
    assert count_entries(app) == 1


@pytest.fixture
def entry(app, people, answered):
    """Eleni has published Maria's question."""
    with app.app_context():
        ticket, eleni = db.session.get(Ticket, answered), db.session.get(User, people["eleni"])
        entry = services.publish_faq(ticket, eleni, "How do we answer a viral post?", "Lead with the viral fact.")
        db.session.commit()
        return entry.id


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("eleni@media.example", 200),  # published it
        ("anja@example.eu", 200),  # an expert of its topic (in another language)
        ("admin@example.eu", 200),
        ("nikola@example.eu", 403),  # an expert of another topic
        ("maria@burgas.example", 403),  # asked the question
        ("trainer.bg@example.eu", 403),
    ],
)
def test_who_may_edit_and_withdraw_an_entry(app, entry, email, expected):
    client = signed_in(app, email)

    page = client.get(f"/support/faq/{entry}/edit")
    withdraw = client.submit(f"/support/faq/{entry}/withdraw")

    assert page.status_code == expected
    assert withdraw.status_code == (302 if expected == 200 else 403)
    with app.app_context():
        assert (db.session.get(FaqEntry, entry).withdrawn_at is not None) == (expected == 200)


def test_anonymous_visitors_are_sent_to_sign_in_and_unknown_entries_are_not_found(app, client, entry):
    assert client.get(f"/support/faq/{entry}/edit").headers["Location"].startswith("/accounts/sign-in")
    assert client.submit(f"/support/faq/{entry}/withdraw").headers["Location"].startswith("/accounts/sign-in")
    assert signed_in(app, "admin@example.eu").get(f"/support/faq/{entry + 1}/edit").status_code == 404


def test_an_edit_changes_question_answer_and_topic_and_goes_through_the_same_check(app, entry):
    anja = signed_in(app, "anja@example.eu")

    refused = anja.submit(
        f"/support/faq/{entry}/edit",
        {"question": "Viral posts", "answer": "Ask Мария, she knows.", "topic": "integration"},
    )
    saved = anja.submit(
        f"/support/faq/{entry}/edit",
        {"question": "Viral posts: what now?", "answer": "Answer **once**.", "topic": "integration"},
    )

    assert refused.status_code == 422 and "“Мария”" in field_error(refused.get_data(as_text=True), "answer")
    assert saved.headers["Location"] == f"/support/faq/{entry}"
    with app.app_context():
        saved_entry = db.session.get(FaqEntry, entry)
        assert (saved_entry.question, saved_entry.answer_html, saved_entry.topic_slug) == (
            "Viral posts: what now?",
            "<p>Answer <strong>once</strong>.</p>\n",
            "integration",
        )


def test_a_withdrawn_entry_leaves_the_faq_and_the_suggestions_and_its_page_says_so(app, client, entry, answered):
    eleni = signed_in(app, "eleni@media.example")
    before = client.get("/support/faq?lang=en").get_data(as_text=True)
    suggested = client.get("/support/faq/suggestions?q=viral+post&language=en").get_json()

    eleni.submit(f"/support/faq/{entry}/withdraw")

    gone = client.get(f"/support/faq/{entry}?lang=en")
    assert "How do we answer a viral post?" in before and suggested
    assert "How do we answer a viral post?" not in client.get("/support/faq?lang=en").get_data(as_text=True)
    assert client.get("/support/faq/suggestions?q=viral+post&language=en").get_json() == []
    assert gone.status_code == 410 and "This answer was withdrawn" in gone.get_data(as_text=True)
    assert eleni.get(f"/support/{answered}/faq").headers["Location"] == f"/support/faq/{entry}/edit"

    eleni.submit(f"/support/faq/{entry}/restore")

    assert client.get(f"/support/faq/{entry}").status_code == 200
    assert client.get("/support/faq/suggestions?q=viral+post&language=en").get_json()
