"""Finding and removing names, e-mail addresses and phone numbers in a text: one function for the FAQ and erasure."""

import pytest
from flask_babel import force_locale

from lms.accounts.models import User
from lms.core import redaction
from lms.support.services import SupportError, check_anonymous

LEARNER, EXPERT = "Мария Иванова", "Ελένη Γεωργίου"


@pytest.fixture(autouse=True)
def _context(app_ctx):
    with force_locale("en"):
        yield


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (LEARNER, "Здравейте, Мария! Г-жа Иванова пита.", "Здравейте, [name removed]! Г-жа [name removed] пита."),
        (LEARNER, "МАРИЯ ИВАНОВА and мария wrote", "[name removed] and [name removed] wrote"),
        (EXPERT, "Με εκτίμηση,\nΕλένη Γεωργίου", "Με εκτίμηση,\n[name removed]"),
        (EXPERT, "ΕΛΕΝΗ, Ελενη, ελένη", "[name removed], [name removed], [name removed]"),
        (
            "Špela Horvat",
            "Dear Špela, dear Spela, ŠPELA HORVAT",
            "Dear [name removed], dear [name removed], [name removed]",
        ),
        ("Sándor Kovács", "Kovacs Sandor kérdezte", "[name removed] [name removed] kérdezte"),
        (LEARNER, "Здравейте, Ма\u200bрия!", "Здравейте, [name removed]!"),  # a zero-width space hides nothing
        (
            "Zorniță Ionescu-Pop",
            "Dear Zorniţă, Ionescu-Pop and Pop",
            "Dear [name removed], [name removed] and [name removed]",
        ),
    ],
)
def test_names_in_any_script_are_removed_as_whole_words_ignoring_case_and_accents(name, text, expected):
    assert redaction.redact(text, names=[name]).text == expected


def test_the_greeting_and_the_signature_lose_the_names_and_the_list_says_what_was_removed():
    answer = "Dear Maria,\n\nAnswer once, on your own page.\n\nKind regards,\nNikola Petrović\nnikola@crnomelj.example"

    redacted = redaction.redact(answer, names=["Maria Rossi", "Nikola Petrović"])

    assert redacted.text == (
        "Dear [name removed],\n\nAnswer once, on your own page.\n\nKind regards,\n[name removed]\n[e-mail removed]"
    )
    assert redaction.describe(redacted.found) == "2 names and 1 e-mail address"


@pytest.mark.parametrize(
    "text",
    [
        "Mariana and Mariano asked about Ivanovo.",  # longer words that begin with a name
        "Maria's case is not Marias.",  # the apostrophe ends the word: "Maria" is found, "Marias" is not
    ],
)
def test_only_whole_words_are_names(text):
    found = redaction.find(text, names=["Maria Ivanova"])

    assert [item.text for item in found] == (["Maria"] if "Maria's" in text else [])


def test_ordinary_words_particles_and_other_peoples_names_stay():
    text = "Anna de Luca and the mayor de Rossi met in 2026 under Article 12 of the law."

    assert redaction.redact(text, names=["Anna de Luca"]).text == (
        "[name removed] and the mayor de Rossi met in 2026 under Article 12 of the law."
    )
    assert redaction.find("A plain answer with no one in it.", names=[LEARNER, EXPERT]) == []


@pytest.mark.parametrize(
    "phone",
    [
        "+359 56 123 456",
        "0039 06 1234567",
        "(01) 234 5678",
        "+43 (0)1 234 56 78",
        "+30 210-123-4567",
        "056/123-456",
        "0887 123 456",
        "210 1234567",
        "+386 1 234 56 78",
    ],
)
def test_phone_numbers_in_international_and_local_formats_are_removed(phone):
    redacted = redaction.redact(f"Call {phone}, or Tel.:{phone}.")

    assert redacted.text == "Call [phone removed], or Tel.:[phone removed]."
    assert redaction.describe(redacted.found) == "2 phone numbers"


@pytest.mark.parametrize(
    "text",
    [
        "In 2026 the rules changed.",
        "Article 12 and § 3 apply.",
        "The programme runs 2021-2027 (or 2021 – 2027).",
        "Regulation (EU) 2016/679 and Law 4251/2014.",
        "On 22.11.2026, 2026-11-22 14:30 or 11/22/2026.",
        "The town has 12 345 678 residents, 1.234.567 visitors and 3,5 % growth.",
        "A budget of € 250.000 and 1,234,567.89 lei.",
    ],
)
def test_years_articles_dates_references_and_amounts_are_not_phone_numbers(text):
    assert redaction.redact(text).text == text


def test_email_addresses_all_of_them_or_only_one_persons():
    text = "Write to Maria.Ivanova@Burgas.example or to help@clarinet.example."

    assert redaction.redact(text).text == "Write to [e-mail removed] or to [e-mail removed]."
    assert redaction.forget(text, "Someone Else", "maria.ivanova@burgas.example") == (
        "Write to [e-mail removed] or to help@clarinet.example."
    )


def test_markers_are_in_the_language_of_the_text():
    redacted = redaction.redact("Мария: +359 56 123 456, maria@burgas.example", names=[LEARNER], language="bg")

    assert redacted.text == "[премахнато име]: [премахнат телефон], [премахнат имейл адрес]"


def test_forget_leaves_other_text_alone_and_is_cheap_when_the_person_is_not_mentioned():
    text = "Nothing about the person, call +359 56 123 456."

    assert redaction.forget(text, LEARNER, "maria@burgas.example") is text
    assert redaction.forget(None, LEARNER, "maria@burgas.example") is None
    assert redaction.forget("Handed over to Мария Иванова.", LEARNER, "maria@burgas.example") == (
        "Handed over to [name removed]."
    )


def test_erasure_replaces_a_part_of_the_name_only_where_it_is_written_as_a_name():
    text = "Nagy Zsófia kérdezte. Nagy segítség volt, köszönjük, NAGY! Ez egy nagy plakát; nagy zsófia is írt."

    assert redaction.forget(text, "Nagy Zsófia", "zsofia@example.hu") == (
        "[name removed] kérdezte. [name removed] segítség volt, köszönjük, [name removed]! "
        "Ez egy nagy plakát; [name removed] is írt."
    )


def test_a_name_written_as_html_entities_is_refused_for_the_faq():
    with pytest.raises(SupportError, match="still names a person"):
        check_anonymous([User(name=LEARNER)], answer="Както &#1052;&#1072;&#1088;&#1080;&#1103; предложи.")
