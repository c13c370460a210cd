"""The rules of expert support: asking, routing, taking, answering, the paused clock, warnings before a target
falls due, following up when the learner does not reply, the FAQ, figures."""

import html
import logging
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.lists import format_list
from flask import current_app
from flask_babel import get_locale, get_timezone, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from lms import signals
from lms.accounts.models import Role, User, UserRole
from lms.core import markdown, redaction
from lms.core.disclosure import blocks, minimum_group
from lms.core.jobs import JobKind
from lms.core.mail import external_url, queue_mail
from lms.core.storage import storage
from lms.core.time import utcnow
from lms.extensions import db
from lms.support.files import check
from lms.support.models import Attachment, ExpertProfile, FaqEntry, Message, Status, Ticket, Topic

log = logging.getLogger("lms.support")


class SupportError(ValueError):
    """A rule was broken; the message is translated and can be shown to the person."""


class DayRefused(SupportError):
    """The day until which the learner is to be waited for is not allowed; the message says which days are."""


# --- who does what -------------------------------------------------------------------------------


def topics() -> list[Topic]:
    return list(db.session.scalars(select(Topic).where(Topic.active.is_(True)).order_by(Topic.slug)))


def profile_of(user: User) -> ExpertProfile | None:
    return db.session.get(ExpertProfile, user.id) if user.has_role(Role.EXPERT) else None


def matching_experts(topic_slug: str, language: str) -> list[User]:
    """Return the active experts who answer *topic_slug* in *language*."""
    experts = db.session.scalars(select(ExpertProfile).join(ExpertProfile.user).where(User.active.is_(True)))
    return [profile.user for profile in experts if topic_slug in profile.topics and language in profile.languages]


def matches(profile: ExpertProfile | None, ticket: Ticket) -> bool:
    return profile is not None and ticket.topic_slug in profile.topics and ticket.language in profile.languages


def may_see(user: User, ticket: Ticket) -> bool:
    """The learner who asked, experts of its topic and language (or holding it), and admins."""
    if user.has_role(Role.ADMIN) or ticket.requester_id == user.id or ticket.assignee_id == user.id:
        return True
    return matches(profile_of(user), ticket)


def is_expert_for(user: User, ticket: Ticket) -> bool:
    return (
        ticket.assignee_id == user.id
        or matches(profile_of(user), ticket)
        or (user.has_role(Role.ADMIN) and user.has_role(Role.EXPERT))
    )


def all_topics() -> list[Topic]:
    return list(db.session.scalars(select(Topic).order_by(Topic.slug)))


def save_topic(topic: Topic | None, *, slug: str, labels: dict[str, str], active: bool) -> Topic:
    """Create or change a topic; its short name never changes, since questions refer to it."""
    if topic is None:
        if db.session.get(Topic, slug) is not None:
            raise SupportError(_("A topic with this short name exists already."))
        topic = Topic(slug=slug)
        db.session.add(topic)
    topic.labels, topic.active = labels, active
    db.session.flush()
    return topic


def set_expertise(expert: User, profile: ExpertProfile, topics: list[str], languages: list[str]) -> None:
    """Set the topics and languages whose questions *expert* receives."""
    profile.topics, profile.languages = list(topics), list(languages)
    db.session.add(profile)
    log.info("Expertise of user %s changed", expert.id)


# --- asking and answering ------------------------------------------------------------------------------


def _message(
    ticket: Ticket, author: User, body: str, files: list[tuple[str, bytes]], internal: bool = False
) -> Message:
    checked = [(check(name, data), data) for name, data in files]  # refuses before anything is stored
    message = Message(ticket=ticket, author_id=author.id, body=body, html=markdown.render(body), internal=internal)
    for (filename, content_type), data in checked:
        message.attachments.append(
            Attachment(
                filename=filename,
                content_type=content_type,
                size=len(data),
                storage_key=storage().save(data, "attachments", content_type),
            )
        )
    db.session.add(message)
    return message


def ask(
    requester: User,
    *,
    subject: str,
    body: str,
    topic: Topic,
    language: str,
    course_slug: str | None = None,
    lesson_slug: str | None = None,
    files: list[tuple[str, bytes]] = (),
) -> Ticket:
    """Open a question and tell the matching experts (or give it to the next of them in turn)."""
    ticket = Ticket(
        requester_id=requester.id,
        subject=subject.strip(),
        topic_slug=topic.slug,
        language=language,
        country=requester.country,
        course_slug=course_slug,
        lesson_slug=lesson_slug,
        requester_seen_at=utcnow(),
    )
    db.session.add(ticket)
    _message(ticket, requester, body, list(files))
    db.session.flush()
    experts = matching_experts(topic.slug, language)
    if current_app.config["SUPPORT_AUTO_ASSIGN"] and experts:
        chosen = min(
            experts,
            key=lambda expert: (db.session.get(ExpertProfile, expert.id).last_assigned_at or datetime.min, expert.id),
        )
        _assign(ticket, chosen)
    for expert in experts:
        queue_mail(
            expert.email,
            "support/mail/new_question.txt",
            expert.language,
            user=expert,
            ticket=ticket,
            link=external_url("support.ticket", ticket_id=ticket.id),
        )
    log.info("Question %s asked by %s on %s", ticket.id, requester.id, topic.slug)
    return ticket


def _assign(ticket: Ticket, expert: User) -> None:
    ticket.assignee_id, ticket.status = expert.id, Status.OPEN
    db.session.get(ExpertProfile, expert.id).last_assigned_at = utcnow()


def take(ticket: Ticket, expert: User) -> None:
    """Give a new question to *expert*; when two take it at once, exactly one succeeds."""
    taken = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.assignee_id.is_(None))
        .values(assignee_id=expert.id, status=Status.OPEN)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        db.session.rollback()
        raise SupportError(_("A colleague has already taken this question."))
    db.session.refresh(ticket)
    log.info("Question %s taken by %s", ticket.id, expert.id)


def hand_over(ticket: Ticket, expert: User, colleague: User) -> None:
    """Give the question to a colleague who answers its topic and language, with a note in the thread."""
    if not matches(profile_of(colleague), ticket):
        raise SupportError(_("This colleague does not answer questions of this topic and language."))
    ticket.assignee_id = colleague.id
    _message(ticket, expert, _("Handed over to %(name)s.", name=colleague.name), [], internal=True)
    queue_mail(
        colleague.email,
        "support/mail/handed_over.txt",
        colleague.language,
        user=colleague,
        ticket=ticket,
        expert=expert,
        link=external_url("support.ticket", ticket_id=ticket.id),
    )


def reply(
    ticket: Ticket,
    author: User,
    body: str,
    files: list[tuple[str, bytes]] = (),
    internal: bool = False,
    pending_until: date | None = None,
) -> Message:
    """Add to the thread. An expert's answer waits for the learner (clock paused), optionally until *pending_until*;
    the learner's reply resumes it."""
    if ticket.status == Status.CLOSED and not internal:
        raise SupportError(_("This question is closed. Reopen it to write again."))
    if pending_until is not None and not internal and author.id != ticket.requester_id:
        check_pending_until(pending_until)
    now = utcnow()
    message = _message(ticket, author, body, list(files), internal)
    if internal:
        return message
    if author.id == ticket.requester_id:
        _resume_clock(ticket, now)
        ticket.requester_seen_at = now
        if ticket.assignee:
            queue_mail(
                ticket.assignee.email,
                "support/mail/learner_replied.txt",
                ticket.assignee.language,
                user=ticket.assignee,
                ticket=ticket,
                link=external_url("support.ticket", ticket_id=ticket.id),
            )
        return message
    if ticket.assignee_id is None:
        ticket.assignee_id = author.id
    ticket.first_response_at = ticket.first_response_at or now
    ticket.status, ticket.waiting_since, ticket.pending_until = Status.ANSWERED, now, pending_until
    db.session.flush()
    if ticket.requester:
        queue_mail(
            ticket.requester.email,
            "support/mail/answered.txt",
            ticket.requester.language,
            user=ticket.requester,
            ticket=ticket,
            link=external_url("support.ticket", ticket_id=ticket.id),
        )
    signals.ticket_answered.send(ticket, expert=author, message=message)
    return message


#: An expert may wait for the learner's reply until at most this many days ahead.
PENDING_MAX_DAYS = 90


def pending_days() -> tuple[date, date]:
    """Return the first and the last day until which an expert may wait for the learner, counted from today in the
    expert's time zone."""
    today = datetime.now(get_timezone()).date()
    return today + timedelta(days=1), today + timedelta(days=PENDING_MAX_DAYS)


def check_pending_until(day: date) -> None:
    """Refuse a day to wait for the learner until that is not after today or too far ahead."""
    first, last = pending_days()
    if day < first:
        raise DayRefused(_("Choose a day after today."))
    if day > last:
        raise DayRefused(
            ngettext(
                "Choose a day at most %(num)d day from today.",
                "Choose a day at most %(num)d days from today.",
                PENDING_MAX_DAYS,
            )
        )


def _count_pause(ticket: Ticket, since: datetime, now: datetime) -> None:
    """Add the time from *since* to *now* to the time that the resolution target does not count."""
    ticket.paused_seconds += int((now - since).total_seconds())


def _resume_clock(ticket: Ticket, now: datetime) -> None:
    """End the wait for the learner: the time waited is not counted, and the question is the experts' again."""
    if ticket.waiting_since:
        _count_pause(ticket, ticket.waiting_since, now)
    ticket.status = Status.OPEN if ticket.assignee_id else Status.NEW
    ticket.waiting_since = ticket.pending_until = None


def close(ticket: Ticket, by: User, helpful: bool | None = None) -> None:
    """Close the question; the learner says whether the answer helped."""
    now = utcnow()
    if ticket.waiting_since:
        _count_pause(ticket, ticket.waiting_since, now)
    ticket.status, ticket.closed_at, ticket.waiting_since, ticket.pending_until = Status.CLOSED, now, None, None
    if by.id == ticket.requester_id:
        ticket.helpful = helpful


def reopen(ticket: Ticket, by: User) -> None:
    """Open a closed question again. The time it was closed does not count against the resolution target: the
    clock resumes where it stopped, and a target that moves far enough is warned of again."""
    if ticket.status != Status.CLOSED:
        return
    _count_pause(ticket, ticket.closed_at, utcnow())
    ticket.status = Status.OPEN if ticket.assignee_id else Status.NEW
    ticket.closed_at = ticket.helpful = None


def mark_seen(ticket: Ticket, user: User) -> bool:
    if user.id != ticket.requester_id:
        return False
    ticket.requester_seen_at = utcnow()
    return True


def attachment_for(user: User, attachment_id: int) -> Attachment | None:
    """Return an attachment *user* may open: from a ticket they may see, never from an internal note they may not."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        return None
    message = db.session.get(Message, attachment.message_id)
    if not may_see(user, message.ticket) or (message.internal and not is_expert_for(user, message.ticket)):
        return None
    return attachment


# --- queues, lists and the clock -------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    first_response_due: datetime | None
    resolution_due: datetime | None
    overdue: bool


def clock(ticket: Ticket, now: datetime | None = None) -> Clock:
    """Return when the targets fall due, the waiting time for the learner not counted, and whether one is missed."""
    now, config = now or utcnow(), current_app.config
    first = (
        None
        if ticket.first_response_at
        else ticket.created_at + timedelta(hours=config["SUPPORT_FIRST_RESPONSE_HOURS"])
    )
    paused = ticket.paused_seconds + (int((now - ticket.waiting_since).total_seconds()) if ticket.waiting_since else 0)
    resolution = (
        None
        if ticket.status == Status.CLOSED
        else ticket.created_at + timedelta(hours=config["SUPPORT_RESOLUTION_HOURS"], seconds=paused)
    )
    overdue = (first is not None and now > first) or (
        resolution is not None and ticket.waiting_since is None and now > resolution
    )
    return Clock(first, resolution, overdue)


def queue(expert: User) -> list[Ticket]:
    """Open questions of the expert's topics and languages, unassigned or theirs, oldest first."""
    profile = profile_of(expert)
    if profile is None:
        return []
    query = (
        select(Ticket)
        .where(
            Ticket.status.in_([Status.NEW, Status.OPEN]),
            Ticket.topic_slug.in_(profile.topics),
            Ticket.language.in_(profile.languages),
            or_(Ticket.assignee_id.is_(None), Ticket.assignee_id == expert.id),
        )
        .order_by(Ticket.created_at)
    )
    return list(db.session.scalars(query))


def questions_of(user: User) -> list[Ticket]:
    return list(
        db.session.scalars(select(Ticket).where(Ticket.requester_id == user.id).order_by(Ticket.created_at.desc()))
    )


def colleagues_for(ticket: Ticket, expert: User) -> list[User]:
    return [user for user in matching_experts(ticket.topic_slug, ticket.language) if user.id != expert.id]


# --- warnings before a target falls due, and following up on a wait (background jobs) ------------------------

FIRST_RESPONSE, RESOLUTION = "first_response", "resolution"


def responsible_experts(ticket: Ticket) -> list[User]:
    """Return the expert who holds the question, or every expert of its topic and language while nobody does (or
    its holder can no longer sign in)."""
    if ticket.assignee is not None and ticket.assignee.active:
        return [ticket.assignee]
    return matching_experts(ticket.topic_slug, ticket.language)


def active_admins() -> list[User]:
    return list(
        db.session.scalars(
            select(User).join(UserRole).where(UserRole.role == str(Role.ADMIN), User.active.is_(True)).order_by(User.id)
        )
    )


def local_time(moment: datetime, person: User) -> str:
    """Return *moment* (naive UTC) as a day and a time in *person*'s language and time zone, the zone named."""
    local = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(person.timezone))
    locale = Locale.parse(person.language)
    day, time = format_date(local, "long", locale=locale), format_time(local, "short", locale=locale)
    moment_shown = locale.datetime_formats["long"].replace("'", "").replace("{1}", day).replace("{0}", time)
    return f"{moment_shown} ({person.timezone})"


def warn_of_targets() -> None:
    """Warn the question's expert (or its topic's experts while nobody has taken it) and the active admins when a
    target falls due within SUPPORT_WARN_BEFORE_HOURS; a target already missed is reported as missed. Once per
    target and question, whichever worker runs first.

    Only a running clock is watched: no warning about a question that waits for the learner or is closed. The
    resolution target moves when the clock was paused; when it has moved later by more than the warning window
    (the learner took days to reply, or the question was closed and reopened), the new target is warned of again,
    while a smaller move (a reply within the hour) sends nothing new.
    """
    now, config = utcnow(), current_app.config
    window = timedelta(hours=config["SUPPORT_WARN_BEFORE_HOURS"])
    soonest = timedelta(hours=min(config["SUPPORT_FIRST_RESPONSE_HOURS"], config["SUPPORT_RESOLUTION_HOURS"]))
    running = select(Ticket).where(
        Ticket.status.in_([Status.NEW, Status.OPEN]),
        Ticket.waiting_since.is_(None),
        Ticket.created_at <= now + window - soonest,  # no target of a younger question can fall due yet
    )
    near = []
    for ticket in db.session.scalars(running.order_by(Ticket.id)).all():
        due = clock(ticket, now)
        for target, due_at, warned_for in (
            (FIRST_RESPONSE, due.first_response_due, ticket.first_response_warned_for),
            (RESOLUTION, due.resolution_due, ticket.resolution_warned_for),
        ):
            if due_at is not None and now >= due_at - window and (warned_for is None or warned_for < due_at - window):
                near.append((ticket.id, target, due_at))
    for ticket_id, target, due_at in near:
        if _mark_warned(ticket_id, target, due_at, window):
            _warn(db.session.get(Ticket, ticket_id), target, due_at, missed=now > due_at)
        db.session.commit()


def _mark_warned(ticket_id: int, target: str, due_at: datetime, window: timedelta) -> bool:
    """Record that *target*, due at *due_at*, is warned of, unless this target or one less than *window* earlier
    was already: in one statement, so that of two workers one does it, which this tells."""
    column = Ticket.first_response_warned_for if target == FIRST_RESPONSE else Ticket.resolution_warned_for
    marked = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, or_(column.is_(None), column < due_at - window))
        .values({column: due_at})
        .execution_options(synchronize_session=False)
    )
    return marked.rowcount == 1


def _warn(ticket: Ticket, target: str, due_at: datetime, missed: bool) -> None:
    people = {person.id: person for person in [*responsible_experts(ticket), *active_admins()]}
    for person in people.values():
        queue_mail(
            person.email,
            "support/mail/target_warning.txt",
            person.language,
            user=person,
            ticket=ticket,
            first_response=target == FIRST_RESPONSE,
            missed=missed,
            due=local_time(due_at, person),
            link=external_url("support.ticket", ticket_id=ticket.id),
        )
    log.info(
        "Question %s: %s target of %s %s, %s warned",
        ticket.id,
        target,
        due_at,
        "missed" if missed else "near",
        len(people),
    )


def follow_up_waits() -> None:
    """Open again the questions whose learner was waited for until a day that has begun (in the platform's time
    zone, LMS_DEFAULT_TIMEZONE) without a reply: the clock resumes, and their expert (or the experts of their
    topic) is told, once."""
    today = datetime.now(ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])).date()
    waiting = select(Ticket.id, Ticket.pending_until).where(
        Ticket.status == Status.ANSWERED, Ticket.pending_until <= today
    )
    for ticket_id, day in db.session.execute(waiting.order_by(Ticket.id)).all():
        taken = db.session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id, Ticket.status == Status.ANSWERED, Ticket.pending_until == day)
            .values(pending_until=None)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # the learner replied, an expert answered again, or another worker was first
            db.session.rollback()
            continue
        ticket = db.session.get(Ticket, ticket_id, populate_existing=True)
        _resume_clock(ticket, utcnow())
        for person in responsible_experts(ticket):
            queue_mail(
                person.email,
                "support/mail/wait_over.txt",
                person.language,
                user=person,
                ticket=ticket,
                waited_until=day,
                link=external_url("support.ticket", ticket_id=ticket.id),
            )
        db.session.commit()
        log.info("Question %s open again: no reply from the learner by %s", ticket_id, day)


JOBS = (
    JobKind(
        "support.targets",
        _l("Warn experts and admins before a support question's target falls due"),
        warn_of_targets,
        every=timedelta(minutes=5),
    ),
    JobKind(
        "support.pending",
        _l("Open again the support questions whose learner did not reply in time"),
        follow_up_waits,
        every=timedelta(minutes=15),
    ),
)


# --- the FAQ -----------------------------------------------------------------------------------------


class AlreadyPublished(SupportError):
    """The question is in the FAQ already (a colleague may have published it a moment ago): `entry` is it."""

    def __init__(self, entry: FaqEntry):
        super().__init__(_("This question has already been published in the FAQ, perhaps by a colleague just now."))
        self.entry = entry


class NotAnonymous(SupportError):
    """A text for the FAQ still identifies someone. `problems` says, per field, what was found there;
    `ordinary_words` lists the parts of names found, which the expert may confirm to be ordinary words."""

    def __init__(self, problems: dict[str, list[str]], ordinary_words: list[str]):
        super().__init__(" ".join(message for messages in problems.values() for message in messages))
        self.problems, self.ordinary_words = problems, ordinary_words


@dataclass(frozen=True)
class FaqDraft:
    question: str
    answer: str
    #: What was removed, for the expert to review.
    removed: list[redaction.Found]


def _quoted(texts: list[str]) -> str:
    unique = list(dict.fromkeys(texts))
    return format_list([f"“{text}”" for text in unique], locale=str(get_locale() or "en"))


def people_of(ticket: Ticket | None, *others: User | None) -> list[User]:
    """Return the people whom a text about *ticket* must not name: who asked, who answered, and *others*."""
    people = list(others)
    if ticket is not None:
        people += [ticket.requester, ticket.assignee, *(message.author for message in ticket.messages)]
    return list({person.id: person for person in people if person is not None}.values())


def faq_entry_of(ticket: Ticket) -> FaqEntry | None:
    return db.session.scalar(select(FaqEntry).where(FaqEntry.ticket_id == ticket.id))


def faq_draft(ticket: Ticket, expert: User) -> FaqDraft:
    """Return the question and the last answer with the names, e-mail addresses and phone numbers removed."""
    answers = [
        message.body for message in ticket.messages if not message.internal and message.author_id != ticket.requester_id
    ]
    names = [person.name for person in people_of(ticket, expert)]
    question = redaction.redact(ticket.subject, names=names, language=ticket.language)
    answer = redaction.redact(answers[-1] if answers else "", names=names, language=ticket.language)
    return FaqDraft(question.text, answer.text, question.found + answer.found)


def check_anonymous(people: list[User], *, ordinary_words: bool = False, **texts: str) -> None:
    """Refuse *texts* (field name -> text) that still contain a name of *people*, an e-mail address or a phone.

    With *ordinary_words*, the expert has confirmed that the parts of names found ("nagy", "Rosa") are ordinary
    words in this text; full names, e-mail addresses and phone numbers are refused in any case.
    """
    names = [person.name for person in people]
    problems: dict[str, list[str]] = {}
    words: list[str] = []
    for field, text in texts.items():
        found = [
            item
            # Markdown turns "&#77;aria" into "Maria": what readers will see is checked too.
            for shown in dict.fromkeys([text, html.unescape(text)])
            for item in redaction.find(shown, names=names)
            if not (ordinary_words and item.kind == redaction.NAME and not item.whole)
        ]
        by_kind = {kind: [item.text for item in found if item.kind == kind] for kind in redaction.KINDS}
        messages = []
        if by_kind[redaction.NAME]:
            messages.append(
                _("It still names a person of this question: %(found)s.", found=_quoted(by_kind[redaction.NAME]))
            )
        if by_kind[redaction.EMAIL]:
            messages.append(
                _("It still contains an e-mail address: %(found)s.", found=_quoted(by_kind[redaction.EMAIL]))
            )
        if by_kind[redaction.PHONE]:
            messages.append(_("It still contains a phone number: %(found)s.", found=_quoted(by_kind[redaction.PHONE])))
        if messages:
            problems[field] = messages
        words += [item.text for item in found if item.kind == redaction.NAME and not item.whole]
    if problems:
        raise NotAnonymous(problems, list(dict.fromkeys(words)))


def publish_faq(ticket: Ticket, expert: User, question: str, answer: str, *, ordinary_words: bool = False) -> FaqEntry:
    """Publish an answered question, as the expert edited it, in the FAQ of its language: once, and anonymous."""
    if ticket.first_response_at is None:
        raise SupportError(_("Only an answered question can go into the FAQ."))
    if (existing := faq_entry_of(ticket)) is not None:
        raise AlreadyPublished(existing)
    check_anonymous(people_of(ticket, expert), ordinary_words=ordinary_words, question=question, answer=answer)
    entry = FaqEntry(
        ticket_id=ticket.id,
        topic_slug=ticket.topic_slug,
        language=ticket.language,
        question=question.strip(),
        answer=answer,
        answer_html=markdown.render(answer),
        author_id=expert.id,
    )
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError:  # a colleague published it between our check and our insert
        db.session.rollback()
        if (existing := faq_entry_of(ticket)) is None:
            raise
        raise AlreadyPublished(existing) from None
    log.info("Question %s published in the FAQ by %s", ticket.id, expert.id)
    return entry


def may_edit_faq(user: User, entry: FaqEntry) -> bool:
    """The expert who published the entry, every expert of its topic, and admins."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMIN) or (entry.author_id is not None and entry.author_id == user.id):
        return True
    profile = profile_of(user)
    return profile is not None and entry.topic_slug in profile.topics


def edit_faq(
    entry: FaqEntry, editor: User, *, question: str, answer: str, topic: Topic, ordinary_words: bool = False
) -> None:
    """Change an entry's question, answer and topic; the text must stay anonymous."""
    check_anonymous(
        people_of(entry.ticket, editor, entry.author), ordinary_words=ordinary_words, question=question, answer=answer
    )
    entry.question, entry.answer, entry.answer_html = question.strip(), answer, markdown.render(answer)
    entry.topic_slug = topic.slug
    log.info("FAQ entry %s edited by %s", entry.id, editor.id)


def withdraw_faq(entry: FaqEntry, by: User) -> None:
    """Take the entry out of the public FAQ and the suggestions; it stays for the record and can come back."""
    entry.withdrawn_at = entry.withdrawn_at or utcnow()
    log.info("FAQ entry %s withdrawn by %s", entry.id, by.id)


def restore_faq(entry: FaqEntry, by: User) -> None:
    entry.withdrawn_at = None
    log.info("FAQ entry %s published again by %s", entry.id, by.id)


def faq(language: str, text: str = "", topic: str = "", limit: int = 50) -> list[FaqEntry]:
    """Return FAQ entries of *language* matching words of *text* in their question or answer."""
    query = (
        select(FaqEntry)
        .where(FaqEntry.language == language, FaqEntry.withdrawn_at.is_(None))
        .order_by(FaqEntry.published_at.desc())
        .limit(limit)
    )
    if topic:
        query = query.where(FaqEntry.topic_slug == topic)
    for word in [word for word in text.lower().split() if len(word) > 3][:6]:
        query = query.where(
            or_(func.lower(FaqEntry.question).like(f"%{word}%"), func.lower(FaqEntry.answer).like(f"%{word}%"))
        )
    return list(db.session.scalars(query))


def suggestions(language: str, text: str) -> list[FaqEntry]:
    """Return FAQ entries that share a word with a question being typed, most matches first."""
    words = {word for word in text.lower().split() if len(word) > 3}
    if not words:
        return []
    candidates = db.session.scalars(
        select(FaqEntry)
        .where(
            FaqEntry.language == language,
            FaqEntry.withdrawn_at.is_(None),
            or_(*(func.lower(FaqEntry.question).like(f"%{word}%") for word in list(words)[:8])),
        )
        .limit(30)
    )
    return sorted(candidates, key=lambda entry: -sum(word in entry.question.lower() for word in words))[:5]


# --- figures --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    group: str | None
    questions: int
    median_first_response_hours: float | None
    median_resolution_hours: float | None
    helpful_share: float | None


def _verdicts_shown(rows) -> list[bool]:
    """Return the verdicts of the complete blocks among (created, first, closed, paused, helpful) rows."""
    given = [(closed.date(), helpful) for _c, _f, closed, _p, helpful in rows if helpful is not None and closed]
    complete = blocks([(None, day, "", 1) for day, _helpful in given], minimum_group(), utcnow().date())
    last = max((block.last for block in complete), default=None)
    return [helpful for day, helpful in given if last is not None and day <= last]


def figures(by: str, countries: set[str] | None = None) -> list[Figures]:
    """Return volume, median times and the share of helpful answers per country, topic or expert.

    The helpful share is the learners' verdict: it counts whole blocks of at least k verdicts, from days
    that are over (`lms.core.disclosure.blocks`), so that neither one figure nor the change from one day to the
    next tells one learner's verdict.
    """
    column = {"country": Ticket.country, "topic": Ticket.topic_slug, "expert": Ticket.assignee_id}[by]
    query = select(
        column, Ticket.created_at, Ticket.first_response_at, Ticket.closed_at, Ticket.paused_seconds, Ticket.helpful
    )
    if countries is not None:
        query = query.where(Ticket.country.in_(countries))
    groups: dict = {}
    for group, created, first, closed, paused, helpful in db.session.execute(query):
        groups.setdefault(group, []).append((created, first, closed, paused, helpful))
    result = []
    for group, rows in sorted(groups.items(), key=lambda item: str(item[0])):
        firsts = [(first - created).total_seconds() / 3600 for created, first, *_ in rows if first]
        resolutions = [
            ((closed - created).total_seconds() - paused) / 3600 for created, _f, closed, paused, _h in rows if closed
        ]
        verdicts = _verdicts_shown(rows)
        result.append(
            Figures(
                group,
                len(rows),
                round(statistics.median(firsts), 1) if firsts else None,
                round(statistics.median(resolutions), 1) if resolutions else None,
                round(100 * sum(verdicts) / len(verdicts)) if verdicts else None,
            )
        )
    return result
