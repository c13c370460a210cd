"""Waiting for the learner until a day: chosen by the expert who answers, shown to both, and followed up."""

import re
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from sqlalchemy import delete

from lms.core.models import OutboxMessage
from lms.extensions import db
from lms.support import services
from lms.support.models import Message, Status, Ticket


def today():
    """The day in the platform's (and the test people's) time zone."""
    return datetime.now(ZoneInfo("Europe/Brussels")).date()


def signed_in(app, email):
    client = app.test_client()
    client.sign_in(email)
    return client


def answer(expert, ticket_id, day="", body="Коя страница на общината?"):
    return expert.submit(f"/support/{ticket_id}", {"body": body, "pending_until": day})


def page(client, ticket_id) -> str:
    return client.get(f"/support/{ticket_id}?lang=en").get_data(as_text=True)


def waiting(app, ticket_id) -> Ticket:
    with app.app_context():
        return db.session.get(Ticket, ticket_id)


def field_error(html: str) -> str:
    found = re.search(r'id="pending_until-error">([^<]*)<', html)
    return found.group(1) if found else ""


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (lambda: today().isoformat(), "Choose a day after today."),
        (lambda: (today() - timedelta(days=3)).isoformat(), "Choose a day after today."),
        (lambda: (today() + timedelta(days=91)).isoformat(), "Choose a day at most 90 days from today."),
        (lambda: "31.02.2027", "Not a valid date value."),
    ],
)
def test_a_day_in_the_past_too_far_or_malformed_is_refused_beside_the_field(app, team, question, day, message):
    ticket_id = question()
    expert = signed_in(app, "eleni@example.eu")

    refused = answer(expert, ticket_id, day())

    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True)) == message
    with app.app_context():
        assert db.session.query(Message).filter_by(ticket_id=ticket_id).count() == 1  # only the question
        assert db.session.get(Ticket, ticket_id).status == Status.NEW


def test_the_day_is_shown_to_the_learner_and_the_expert_and_to_nobody_else(app, team, question):
    ticket_id = question()
    expert, maria = signed_in(app, "eleni@example.eu"), signed_in(app, "maria@burgas.example")
    day = today() + timedelta(days=90)

    sent = answer(expert, ticket_id, day.isoformat())
    learner_page, expert_page = page(maria, ticket_id), page(expert, ticket_id)
    stranger = signed_in(app, "ivan@burgas.example").get(f"/support/{ticket_id}")

    shown = format_date(day, "long", locale="en")
    assert sent.status_code == 302
    assert waiting(app, ticket_id).pending_until == day
    assert f"We will follow up on {shown} if we don't hear from you." in learner_page
    assert f"Waiting for the learner until {shown}." in expert_page
    assert 'name="pending_until"' in expert_page and 'name="pending_until"' not in learner_page
    assert stranger.status_code == 404


def test_an_answer_without_a_day_waits_without_a_follow_up(app, team, question):
    ticket_id = question()
    expert = signed_in(app, "eleni@example.eu")

    answer(expert, ticket_id)

    ticket = waiting(app, ticket_id)
    assert (ticket.status, ticket.pending_until) == (Status.ANSWERED, None)
    assert "We will follow up" not in page(signed_in(app, "maria@burgas.example"), ticket_id)


def test_the_learner_cannot_choose_a_day(app, team, question):
    ticket_id = question()
    answer(signed_in(app, "eleni@example.eu"), ticket_id)
    maria = signed_in(app, "maria@burgas.example")

    replied = answer(maria, ticket_id, (today() + timedelta(days=5)).isoformat(), body="Страницата на общината.")

    assert replied.status_code == 302
    assert waiting(app, ticket_id).pending_until is None


def test_a_learner_reply_before_the_day_clears_it(app, team, question, mails, run_jobs):
    ticket_id = question()
    answer(signed_in(app, "eleni@example.eu"), ticket_id, (today() + timedelta(days=7)).isoformat())
    maria = signed_in(app, "maria@burgas.example")

    answer(maria, ticket_id, body="Страницата на общината.")
    with app.app_context():
        db.session.execute(delete(OutboxMessage))
        db.session.commit()
    run_jobs()

    ticket = waiting(app, ticket_id)
    assert (ticket.status, ticket.pending_until) == (Status.OPEN, None)
    assert "We will follow up" not in page(maria, ticket_id)
    assert mails() == []


def the_day_comes(app, ticket_id, days_waited=3):
    """Let *days_waited* pass since the answer: the day chosen is today, and the outbox is emptied."""
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        ticket.waiting_since -= timedelta(days=days_waited)
        ticket.pending_until = today()
        db.session.execute(delete(OutboxMessage))
        db.session.commit()


def test_the_day_coming_opens_the_question_again_and_tells_its_expert_once(app, team, question, mails, run_jobs):
    ticket_id = question()
    answer(signed_in(app, "eleni@example.eu"), ticket_id, (today() + timedelta(days=3)).isoformat())
    the_day_comes(app, ticket_id)

    run_jobs()
    with app.app_context():
        services.follow_up_waits()  # a second run

    ticket = waiting(app, ticket_id)
    assert (ticket.status, ticket.pending_until, ticket.waiting_since) == (Status.OPEN, None, None)
    assert ticket.paused_seconds >= 3 * 24 * 3600  # the days waited do not count against the resolution target
    [(recipient, subject, body)] = mails()
    assert recipient == "eleni@example.eu" and subject == "No reply from the learner: Как да отговорим на вирусен пост?"
    assert format_date(today(), "long", locale="en") in body and f"/support/{ticket_id}" in body
    learner_page = page(signed_in(app, "maria@burgas.example"), ticket_id)
    assert "We will follow up" not in learner_page


def test_a_day_that_has_not_come_changes_nothing(app, team, question, mails, run_jobs):
    ticket_id = question()
    answer(signed_in(app, "eleni@example.eu"), ticket_id, (today() + timedelta(days=1)).isoformat())
    with app.app_context():
        db.session.execute(delete(OutboxMessage))
        db.session.commit()

    run_jobs()

    assert waiting(app, ticket_id).status == Status.ANSWERED and mails() == []


def test_two_apps_following_up_at_once_open_it_once_and_mail_once(app, make_app, team, question, mails):
    tickets = [question(f"Въпрос {number}") for number in range(3)]
    expert = signed_in(app, "eleni@example.eu")
    for ticket_id in tickets:
        answer(expert, ticket_id, (today() + timedelta(days=2)).isoformat())
        the_day_comes(app, ticket_id)
    workers = [make_app() for _ in range(2)]
    start = threading.Barrier(2)
    errors = []

    def run(worker):
        with worker.app_context():
            start.wait()
            try:
                services.follow_up_waits()
            except Exception as error:  # a worker that fails would be retried; the test must see it
                errors.append(error)

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(subject for _recipient, subject, _body in mails()) == sorted(
        f"No reply from the learner: Въпрос {number}" for number in range(3)
    )
    assert all(waiting(app, ticket_id).status == Status.OPEN for ticket_id in tickets)
