"""Survey reminders: a periodic job mails invited people who have not answered, once on each configured day.

- Each reminder is claimed by a row whose key is (survey, person, day), written in the transaction that queues the
  mail: a retry, a second run or a second worker finds the row and sends nothing.
- At that moment, with the person's participation locked, it checks again that they have not answered, that their
  account is active and that the survey is open. An erased person has no participation left, hence no reminder.
- A person whose invitation is several configured days old gets one reminder, that of the latest day; a reminder
  never goes for a day earlier than one already sent.
- Trainers read counts only, per configured day, kept in tallies apart from the people (see `counts`).
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.core.disclosure import blocks, minimum_group
from lms.core.jobs import JobKind
from lms.core.mail import external_url, queue_mail
from lms.core.time import utcnow
from lms.extensions import db, dialect_insert
from lms.surveys import services
from lms.surveys.models import Participation, Reminder, ReminderTally, Survey

log = logging.getLogger("lms.surveys")


def send_due() -> None:
    """Mail every reminder that is due now, each in a transaction of its own: those queued before a failure stay
    queued, and the retry sends the others."""
    due = _due(utcnow())
    db.session.commit()
    sent = sum(_remind(survey_id, user_id, day) for survey_id, user_id, day in due)
    if sent:
        log.info("%s survey reminder(s) queued", sent)


def _due(now: datetime) -> list[tuple[int, int, int]]:
    """Return (survey, person, day) of the reminders due at *now*: for each invited person who has not answered an
    open survey, the latest configured day that has come, unless that day's reminder or a later one went."""
    open_surveys = [
        survey
        for survey in db.session.scalars(select(Survey).where(Survey.published.is_(True)))
        if survey.reminder_days and services.state(survey, now) == "open"
    ]
    due = []
    for survey in open_surveys:
        waiting = db.session.execute(
            select(Participation.user_id, Participation.invited_at, func.max(Reminder.day))
            .join(User, User.id == Participation.user_id)
            .outerjoin(
                Reminder, (Reminder.survey_id == Participation.survey_id) & (Reminder.user_id == Participation.user_id)
            )
            .where(
                Participation.survey_id == survey.id,
                Participation.answered.is_(False),
                Participation.invited_at <= now - timedelta(days=min(survey.reminder_days)),
                User.active.is_(True),
            )
            .group_by(Participation.user_id, Participation.invited_at)
        )
        for user_id, invited_at, latest_sent in waiting:
            day = max(day for day in survey.reminder_days if invited_at + timedelta(days=day) <= now)
            if latest_sent is None or latest_sent < day:
                due.append((survey.id, user_id, day))
    return due


def _remind(survey_id: int, user_id: int, day: int) -> bool:
    """Claim and queue one reminder, if it is still due; tell whether it went."""
    now = utcnow()
    claimed = db.session.execute(
        dialect_insert(Reminder)
        .values(survey_id=survey_id, user_id=user_id, day=day)
        .on_conflict_do_nothing(index_elements=["survey_id", "user_id", "day"])
        .returning(Reminder.day)
    ).scalar()
    if claimed is None:  # an earlier run, or another worker, sent it
        db.session.rollback()
        return False
    # Locked after the claim: an answer being sent at this moment is committed first, and seen here.
    participation = db.session.scalar(
        select(Participation)
        .where(Participation.survey_id == survey_id, Participation.user_id == user_id)
        .with_for_update()
    )
    survey, user = db.session.get(Survey, survey_id), db.session.get(User, user_id)
    still_due = (
        participation is not None
        and not participation.answered
        and user.active
        and services.state(survey, now) == "open"
    )
    if not still_due:
        db.session.rollback()
        return False
    queue_mail(
        user.email,
        "surveys/mail/reminder.txt",
        user.language,
        user=user,
        anonymous=survey.anonymous,
        title=survey.text("title", user.language),
        deadline=_deadline(survey, user),
        link=external_url("surveys.answer", token=survey.token),
    )
    db.session.execute(
        dialect_insert(ReminderTally)
        .values(survey_id=survey_id, day=day, sent_on=now.date(), count=1)
        .on_conflict_do_update(index_elements=["survey_id", "day", "sent_on"], set_={"count": ReminderTally.count + 1})
    )
    db.session.commit()
    return True


def _deadline(survey: Survey, user: User) -> str | None:
    """Return when the survey closes, in the person's language and time zone (a long date and the hour, as the
    platform shows times), or None when it stays open."""
    if survey.closes_at is None:
        return None
    moment = survey.closes_at.replace(tzinfo=UTC).astimezone(ZoneInfo(user.timezone))
    pattern = get_datetime_format("long", locale=user.language).replace("'", "")
    hour, day = format_time(moment, "short", locale=user.language), format_date(moment, "long", locale=user.language)
    return pattern.replace("{0}", hour).replace("{1}", day)


JOBS = (
    JobKind(
        "surveys.reminders",
        _l("Remind invited people of the surveys they have not answered"),
        send_due,
        every=timedelta(minutes=15),
    ),
)


# --- what the survey's managers read --------------------------------------------------------------


@dataclass(frozen=True)
class ReminderCount:
    """The reminders of one day after the invitation: whether that day is still set, and how many are shown."""

    day: int
    configured: bool
    sent: int


def counts(survey: Survey) -> list[ReminderCount]:
    """Count the reminders that went out, per day after the invitation: never who got them.

    For an anonymous survey the count is a sum of whole blocks of at least k reminders from days that are over,
    like its answers: a reminder tells that its person had not answered, and a reader who knows when each person
    was invited (the day they completed the course) would otherwise learn it of one person from the count moving
    by one, or from 0 to 1. Within an identified survey readers see who answered anyway, so the count is exact."""
    tallies = db.session.execute(
        select(ReminderTally.day, ReminderTally.sent_on, ReminderTally.count).where(
            ReminderTally.survey_id == survey.id
        )
    ).all()
    sent: dict[int, int] = {}
    if survey.anonymous:
        rows = [(day, sent_on, "", count) for day, sent_on, count in tallies]
        for block in blocks(rows, minimum_group(), utcnow().date()):
            sent[block.group] = sent.get(block.group, 0) + block.count
    else:
        for day, _sent_on, count in tallies:
            sent[day] = sent.get(day, 0) + count
    days = sorted(set(survey.reminder_days) | {day for day, _sent_on, _count in tallies})
    return [ReminderCount(day, day in survey.reminder_days, sent.get(day, 0)) for day in days]
