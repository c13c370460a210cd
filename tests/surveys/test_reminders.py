"""Reminders: to invited people who have not answered, once per configured day, while the survey is open; the
survey's managers see how many went out, never to whom."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from sqlalchemy import delete, func, select, update

from lms.accounts import privacy
from lms.accounts.models import User
from lms.core import jobs
from lms.core.models import Job, OutboxMessage
from lms.core.time import utcnow
from lms.extensions import db
from lms.surveys import reminders, services
from lms.surveys.handlers import personal_data
from lms.surveys.models import Participation, Reminder, ReminderTally, Survey

SETTINGS = {"title": "Evaluation", "anonymous": "y", "course": "local-voices", "languages": ["en"]}


def set_survey(app, survey_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(Survey).where(Survey.id == survey_id).values(**values))
        db.session.commit()


@pytest.fixture
def survey(app, evaluation):
    """The course's anonymous evaluation, with reminders 3 and 7 days after the invitation."""
    set_survey(app, evaluation, reminder_days=[3, 7])
    return evaluation


def field_error(response) -> str | None:
    """Return the message shown beside the reminders field."""
    found = re.search(r'<p class="field-error" id="reminder_days-error">([^<]+)</p>', response.get_data(as_text=True))
    return found and found[1]


def test_the_setting_takes_a_few_days_from_1_to_60_and_says_what_is_wrong(app, client, trainer, survey):
    client.sign_in("trainer@example.eu")

    saved = client.submit(f"/surveys/{survey}/edit", {**SETTINGS, "reminder_days": "7 3, 3"})
    page = client.get(f"/surveys/{survey}/edit").get_data(as_text=True)
    refused = {
        typed: client.submit(f"/surveys/{survey}/edit", {**SETTINGS, "reminder_days": typed})
        for typed in ("0", "61", "1, 2, 3, 4", "three", "2.5", "99999999999", "3" * 101)
    }
    cleared = client.submit(f"/surveys/{survey}/edit", {**SETTINGS, "reminder_days": " "})

    assert saved.status_code == 302 and 'value="3, 7"' in page
    for typed, response in refused.items():
        assert response.status_code == 200 and field_error(response), typed
        assert f'value="{typed}"' in response.get_data(as_text=True)  # what was typed stays, to be corrected
    out_of_range = "A reminder comes 1 to 60 days after the invitation."
    not_numbers = "Write whole numbers of days separated by commas, for example 3, 7."
    assert {typed: field_error(response) for typed, response in refused.items()} == {
        "0": out_of_range,
        "61": out_of_range,
        "99999999999": out_of_range,
        "1, 2, 3, 4": "Set at most 3 reminders.",
        "three": not_numbers,
        "2.5": not_numbers,
        "3" * 101: not_numbers,
    }
    assert cleared.status_code == 302
    with app.app_context():
        assert db.session.get(Survey, survey).reminder_days == []


def test_the_settings_message_is_in_the_trainers_language(app, client, trainer, survey):
    with app.app_context():
        db.session.get(User, trainer).language = "sl"
        db.session.commit()
    client.sign_in("trainer@example.eu")

    refused = client.submit(f"/surveys/{survey}/edit", {**SETTINGS, "reminder_days": "90"})

    assert field_error(refused) == "Opomnik se lahko pošlje od 1 do 60 dni po povabilu."


def invite(app, survey_id: int, user_id: int, days_ago: float) -> None:
    """Invite the person by e-mail, as if *days_ago* days had passed since."""
    with app.app_context():
        services.invite(db.session.get(User, user_id), db.session.get(Survey, survey_id))
        db.session.execute(
            update(Participation)
            .where(Participation.survey_id == survey_id, Participation.user_id == user_id)
            .values(invited_at=utcnow() - timedelta(days=days_ago))
        )
        db.session.commit()


def time_passes(app, days: float) -> None:
    """Move every invitation and tally *days* back, and let the next slot of the periodic job come."""
    with app.app_context():
        for participation in db.session.scalars(select(Participation).where(Participation.invited_at.is_not(None))):
            participation.invited_at -= timedelta(days=days)
        for tally in db.session.scalars(select(ReminderTally)):
            tally.sent_on -= timedelta(days=round(days))
        db.session.execute(delete(Job).where(Job.kind == "surveys.reminders"))
        db.session.commit()


def reminded(app) -> list[str]:
    """Return the recipients of the reminders in the outbox (in English; the invitations left out)."""
    with app.app_context():
        return db.session.scalars(
            select(OutboxMessage.recipient)
            .where(OutboxMessage.subject.startswith("Reminder: "))
            .order_by(OutboxMessage.id)
        ).all()


@pytest.fixture
def learner_id(create_user):
    return create_user("mojca@example.si", name="Mojca Kranjc")


def test_a_due_reminder_goes_once_even_when_the_job_runs_again(app, survey, learner_id, run_jobs):
    invite(app, survey, learner_id, days_ago=3.01)

    run_jobs()
    run_jobs()
    with app.app_context():  # a retry of the same slot's job, as after a worker died
        job = db.session.scalar(select(Job).where(Job.kind == "surveys.reminders"))
        jobs.retry(job)
        db.session.commit()
    run_jobs()
    time_passes(app, 0.01)  # the next slot: the day-3 reminder is done, day 7 has not come
    run_jobs()

    assert reminded(app) == ["mojca@example.si"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job).where(Job.kind == "surveys.reminders")) == 1
        assert db.session.scalars(select(Reminder.day)).all() == [3]


def test_no_reminder_before_its_day_and_one_on_each_day(app, survey, learner_id, run_jobs):
    invite(app, survey, learner_id, days_ago=2.9)

    run_jobs()
    before = reminded(app)
    time_passes(app, 0.2)
    run_jobs()
    on_day_three = reminded(app)
    time_passes(app, 3.9)
    run_jobs()
    on_day_seven = reminded(app)

    assert before == [] and len(on_day_three) == 1 and len(on_day_seven) == 2


def test_an_invitation_older_than_several_days_gets_one_reminder_and_no_earlier_one_after(
    app, survey, learner_id, run_jobs
):
    invite(app, survey, learner_id, days_ago=9)

    run_jobs()
    time_passes(app, 1)
    run_jobs()

    assert len(reminded(app)) == 1
    with app.app_context():
        assert db.session.scalars(select(Reminder.day)).all() == [7]


def test_the_reminder_names_the_survey_in_the_persons_language_its_closing_and_link(app, survey, create_user, run_jobs):
    person = create_user("jonas@example.at", name="Jonas Gruber", language="de")
    closes = (utcnow() + timedelta(days=10)).replace(hour=0, minute=0, second=0, microsecond=0)
    set_survey(app, survey, closes_at=closes)
    invite(app, survey, person, days_ago=3.5)

    run_jobs()

    with app.app_context():
        found = db.session.get(Survey, survey)
        title, token = found.text("title", "de"), found.token
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "jonas@example.at").order_by(OutboxMessage.id)
        ).all()[-1]
    hour = closes.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Brussels")).strftime("%H:%M")  # the default zone
    deadline = f"{format_date(closes, 'long', locale='de')}, {hour}"
    assert message.subject == f"Erinnerung: {title}"
    assert message.body.startswith("Guten Tag Jonas Gruber,") and f"/surveys/s/{token}" in message.body
    assert f"Die Umfrage schließt am {deadline}." in message.body
    assert "anonym" in message.body


@pytest.mark.parametrize("anonymous", [True, False])
def test_nobody_who_answered_is_reminded(app, survey, learner_id, answers, run_jobs, anonymous):
    set_survey(app, survey, anonymous=anonymous)
    invite(app, survey, learner_id, days_ago=5)
    client = app.test_client()
    client.sign_in("mojca@example.si")
    with app.app_context():
        token = db.session.get(Survey, survey).token

    sent = client.submit(f"/surveys/s/{token}", {**answers(survey), "country": "SI"})
    run_jobs()
    time_passes(app, 5)
    run_jobs()

    assert sent.status_code == 200
    assert reminded(app) == []


@pytest.mark.parametrize(
    "change",
    [
        {"closes_at": "past"},
        {"opens_at": "future"},
        {"published": False},
    ],
    ids=["closed", "not-open-yet", "draft"],
)
def test_no_reminder_while_the_survey_is_not_open(app, survey, learner_id, run_jobs, change):
    invite(app, survey, learner_id, days_ago=4)
    moments = {"past": utcnow() - timedelta(minutes=1), "future": utcnow() + timedelta(days=1)}
    set_survey(app, survey, **{key: moments.get(value, value) for key, value in change.items()})

    run_jobs()

    assert reminded(app) == []


def test_a_survey_closed_after_the_reminders_were_listed_sends_no_more(app, survey, create_user):
    people = [create_user(f"p{number}@example.si") for number in range(2)]
    for person in people:
        invite(app, survey, person, days_ago=4)

    with app.app_context():
        due = reminders._due(utcnow())
        first = reminders._remind(*due[0])
        db.session.get(Survey, survey).closes_at = utcnow()
        db.session.commit()
        second = reminders._remind(*due[1])

    assert (len(due), first, second) == (2, True, False)


@pytest.mark.parametrize("anonymous", [True, False])
def test_someone_who_answers_after_the_reminders_were_listed_gets_none(app, survey, learner_id, answers, anonymous):
    set_survey(app, survey, anonymous=anonymous)
    invite(app, survey, learner_id, days_ago=4)
    client = app.test_client()
    client.sign_in("mojca@example.si")
    with app.app_context():
        token = db.session.get(Survey, survey).token
        due = reminders._due(utcnow())

    client.submit(f"/surveys/s/{token}", {**answers(survey), "country": "SI"})
    with app.app_context():
        sent = reminders._remind(*due[0])
        claims = db.session.scalar(select(func.count()).select_from(Reminder))

    assert (len(due), sent, claims) == (1, False, 0)
    assert reminded(app) == []


def test_no_reminder_to_a_deactivated_or_erased_person(app, survey, create_user, trainer, run_jobs):
    inactive = create_user("gone@example.si", active=False)
    erased = create_user("erased@example.si", name="Nina Zupan")
    for person in (inactive, erased):
        invite(app, survey, person, days_ago=3.5)
    with app.app_context():
        privacy.erase(db.session.get(User, erased), db.session.get(User, trainer))
        db.session.commit()

    run_jobs()

    assert reminded(app) == []


def test_erasure_forgets_who_was_reminded_but_not_how_many(app, survey, trainer, learner_id, run_jobs):
    set_survey(app, survey, anonymous=False)
    invite(app, survey, learner_id, days_ago=3.5)
    run_jobs()
    with app.app_context():
        data = personal_data(db.session.get(User, learner_id))
        privacy.erase(db.session.get(User, learner_id), db.session.get(User, trainer))
        db.session.commit()
        left = db.session.scalar(select(func.count()).select_from(Reminder))
        tallied = db.session.scalar(select(func.sum(ReminderTally.count)))

    assert data["surveys"][0]["reminded_after_days"] == [3]
    assert left == 0 and reminded(app) == []  # the person's mail went with them
    assert tallied == 1


def test_two_workers_ticking_at_once_send_each_reminder_once(app, make_app, survey, create_user):
    people = [create_user(f"person{number}@example.si") for number in range(4)]
    for person in people:
        invite(app, survey, person, days_ago=3.5)
    workers = [make_app() for _ in range(2)]
    start = threading.Barrier(2)

    def tick(worker, work):
        with worker.app_context():
            start.wait()
            work()

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(tick, workers, [jobs.run_due] * 2))
    time_passes(app, 0)
    with ThreadPoolExecutor(2) as pool:  # the handler itself twice at once, as when a lease lapsed mid-run
        list(pool.map(tick, workers, [reminders.send_due] * 2))

    assert sorted(reminded(app)) == [f"person{number}@example.si" for number in range(4)]
    with app.app_context():
        assert db.session.scalar(select(func.sum(ReminderTally.count))) == 4


def sign_in_trainer(app):
    client = app.test_client()
    client.sign_in("trainer@example.eu")
    return client


def reminder_cells(page: str) -> dict[str, str]:
    section = page.split('id="reminders-heading"')[1].split("</section>")[0]
    return dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="number">([^<]+)</td>', section))


def test_the_trainer_sees_exact_counts_of_an_identified_survey_and_nobody_named(
    app, survey, trainer, create_user, run_jobs
):
    set_survey(app, survey, anonymous=False)
    people = {create_user(f"p{number}@example.si", name=f"Oseba Številka{number}"): number for number in range(2)}
    for person in people:
        invite(app, survey, person, days_ago=3.5)
    run_jobs()

    page = sign_in_trainer(app).get(f"/surveys/{survey}/edit").get_data(as_text=True)

    assert reminder_cells(page) == {"3 days after the invitation": "2", "7 days after the invitation": "0"}
    assert "Številka" not in page and "@example.si" not in page


def test_the_anonymous_count_shows_whole_groups_of_k_from_days_that_are_over(
    app, survey, trainer, create_user, run_jobs
):
    few = [create_user(f"few{number}@example.si", name=f"Oseba Številka{number}") for number in range(3)]
    for person in few:
        invite(app, survey, person, days_ago=3.5)
    run_jobs()
    today = sign_in_trainer(app).get(f"/surveys/{survey}/edit").get_data(as_text=True)
    time_passes(app, 1)
    three_over = sign_in_trainer(app).get(f"/surveys/{survey}/edit").get_data(as_text=True)
    more = [create_user(f"more{number}@example.si") for number in range(3)]
    for person in more:
        invite(app, survey, person, days_ago=3.5)
    run_jobs()
    six_today = sign_in_trainer(app).get(f"/surveys/{survey}/edit").get_data(as_text=True)
    time_passes(app, 1)
    six_over = sign_in_trainer(app).get(f"/surveys/{survey}/edit").get_data(as_text=True)

    assert len(reminded(app)) == 6
    none = {"3 days after the invitation": "none counted yet", "7 days after the invitation": "none counted yet"}
    # 3 reminders: under k, never shown; 3 more today: not counted until their day is over, then all 6 at once.
    assert reminder_cells(today) == reminder_cells(three_over) == reminder_cells(six_today) == none
    assert reminder_cells(six_over)["3 days after the invitation"] == "6"
    assert "groups of at least 5" in six_over
    assert "Številka" not in six_over and "@example.si" not in six_over


def test_a_day_no_longer_set_keeps_its_count(app, survey, learner_id, run_jobs):
    set_survey(app, survey, anonymous=False)
    invite(app, survey, learner_id, days_ago=3.5)
    run_jobs()
    set_survey(app, survey, reminder_days=[10])

    with app.app_context():
        counts = reminders.counts(db.session.get(Survey, survey))

    assert [(count.day, count.configured, count.sent) for count in counts] == [(3, False, 1), (10, True, 0)]
