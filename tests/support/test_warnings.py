"""Warnings before a first-answer or resolution target falls due: once, to the people who can act, as a job."""

import threading
from datetime import timedelta

from sqlalchemy import delete, select

from lms.accounts.models import User
from lms.core.models import Job, JobState, OutboxMessage
from lms.extensions import db
from lms.support import services
from lms.support.models import Ticket

SUBJECT = "Как да отговорим на вирусен пост?"


MOMENTS = (
    "created_at",
    "first_response_at",
    "waiting_since",
    "closed_at",
    "first_response_warned_for",
    "resolution_warned_for",
)


def shift(app, ticket_id, hours):
    """Move every moment of the question *hours* into the past, as if that time had passed."""
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        for name in MOMENTS:
            if getattr(ticket, name) is not None:
                setattr(ticket, name, getattr(ticket, name) - timedelta(hours=hours))
        db.session.commit()


def act(app, ticket_id, *steps):
    """Take the steps (service name, user id, arguments) on the question, then commit; the mails that the steps
    send (answered, replied) are not the warnings tested here, and are dropped."""
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        for name, user_id, *arguments in steps:
            getattr(services, name)(ticket, db.session.get(User, user_id), *arguments)
        db.session.execute(delete(OutboxMessage))
        db.session.commit()


def warn(app):
    with app.app_context():
        services.warn_of_targets()


def recipients(mails):
    return sorted(recipient for recipient, _subject, _body in mails())


def test_a_warning_goes_once_before_the_first_answer_is_due(app, team, question, mails, run_jobs):
    ticket_id = question()
    shift(app, ticket_id, 21)  # the first answer is due in 3 hours; the warning window is 4

    run_jobs()
    first = mails()
    run_jobs()
    warn(app)  # a second run, in another slot, or a retry

    # Nobody has taken it: every expert of its topic and language, and the active admins; not the lawyer.
    assert recipients(lambda: first) == ["anja@example.eu", "eleni@example.eu", "jonas@example.eu"]
    assert mails() == first
    by_recipient = {recipient: (subject, body) for recipient, subject, body in first}
    subject, body = by_recipient["eleni@example.eu"]
    assert subject == f"First answer due soon: {SUBJECT}"
    assert "The first answer to this question is due by" in body and "(Europe/Athens)" in body
    assert "Nobody has taken it yet." in body and f"/support/{ticket_id}" in body
    german, german_body = by_recipient["jonas@example.eu"]
    assert german == f"Erste Antwort bald fällig: {SUBJECT}" and "(Europe/Berlin)" in german_body
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        due = services.clock(ticket).first_response_due
        assert services.local_time(due, db.session.get(User, team["eleni"])) in body
        assert ticket.first_response_warned_for == due and ticket.resolution_warned_for is None
        job = db.session.scalar(select(Job).where(Job.kind == "support.targets"))
        assert job.state == JobState.DONE


def test_a_question_further_from_its_target_is_not_warned_of(app, question, mails, run_jobs):
    ticket_id = question()
    shift(app, ticket_id, 19)  # due in 5 hours

    run_jobs()

    assert mails() == []


def test_a_target_missed_before_the_job_saw_it_is_reported_as_missed(app, question, mails):
    ticket_id = question()
    shift(app, ticket_id, 30)

    warn(app)

    subjects = {subject for _recipient, subject, _body in mails()}
    bodies = [body for recipient, _subject, body in mails() if recipient == "eleni@example.eu"]
    assert f"First answer overdue: {SUBJECT}" in subjects
    assert "was due by" in bodies[0] and "has not been given yet" in bodies[0]


def test_a_warning_goes_once_before_resolution_to_the_expert_who_holds_it(app, team, question, mails):
    ticket_id = question()
    act(
        app,
        ticket_id,
        ("take", team["eleni"]),
        ("reply", team["eleni"], "Коя страница?"),
        ("reply", team["maria"], "Страницата на общината."),
    )
    shift(app, ticket_id, 70)  # answered in time; the resolution is due in about 2 hours

    warn(app)
    warn(app)

    assert recipients(mails) == ["eleni@example.eu", "jonas@example.eu"]
    subject, body = mails()[0][1:]
    assert subject == f"Resolution due soon: {SUBJECT}"
    assert "This question is due to be resolved by" in body and "Taken by Ελένη Γεωργίου" in body


def test_a_question_waiting_for_the_learner_is_not_warned_of(app, team, question, mails):
    ticket_id = question()
    act(app, ticket_id, ("take", team["eleni"]), ("reply", team["eleni"], "Коя страница?"))
    shift(app, ticket_id, 100)  # long past its targets, but the clock is paused

    warn(app)

    assert mails() == []


def test_a_closed_question_is_not_warned_of(app, team, question, mails):
    ticket_id = question()
    act(app, ticket_id, ("close", team["eleni"]))
    shift(app, ticket_id, 100)

    warn(app)

    assert mails() == []


def test_a_target_that_moves_far_is_warned_of_again_and_a_small_move_is_not(app, team, question, mails):
    ticket_id = question()
    act(
        app,
        ticket_id,
        ("take", team["eleni"]),
        ("reply", team["eleni"], "Коя страница?"),
        ("reply", team["maria"], "Страницата на общината."),
    )
    shift(app, ticket_id, 70)
    warn(app)

    def closed_for(hours):
        with app.app_context():
            ticket, maria = db.session.get(Ticket, ticket_id), db.session.get(User, team["maria"])
            services.close(ticket, maria, helpful=True)
            ticket.closed_at -= timedelta(hours=hours)
            services.reopen(ticket, maria)
            db.session.commit()

    closed_for(1)  # the target moves an hour later: the warning given still holds
    warn(app)
    after_small_move = len(mails())
    closed_for(48)  # the closed days do not count: the target moves two days later
    warn(app)
    too_early = len(mails())
    shift(app, ticket_id, 48)  # two days pass; the new target is near
    warn(app)

    assert (after_small_move, too_early) == (2, 2)
    assert recipients(mails) == ["eleni@example.eu"] * 2 + ["jonas@example.eu"] * 2
    assert {subject for recipient, subject, _body in mails() if recipient == "eleni@example.eu"} == {
        f"Resolution due soon: {SUBJECT}"
    }


def test_a_warning_for_a_question_whose_expert_left_goes_to_the_topic_experts(app, team, question, mails):
    ticket_id = question()
    act(app, ticket_id, ("take", team["eleni"]))
    with app.app_context():
        db.session.get(User, team["eleni"]).active = False
        db.session.commit()
    shift(app, ticket_id, 21)

    warn(app)

    assert recipients(mails) == ["anja@example.eu", "jonas@example.eu"]


def test_two_apps_warning_at_once_send_each_warning_once(app, make_app, question, mails):
    tickets = [question(f"Въпрос {number}") for number in range(3)]
    for ticket_id in tickets:
        shift(app, ticket_id, 22)
    workers = [make_app() for _ in range(2)]
    start = threading.Barrier(2)
    errors = []

    def run(worker):
        with worker.app_context():
            start.wait()
            try:
                services.warn_of_targets()
            except Exception as error:  # a worker that fails would be retried; the test must see it
                errors.append(error)

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    # Three questions, each to three people (two experts of the topic and one admin), once.
    assert len(mails()) == 9
    assert len({(recipient, subject) for recipient, subject, _body in mails()}) == 9
