"""The rules of surveys: templates, publishing, invitations, answering once, results."""

import hashlib
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lms import signals
from lms.accounts.access import country_scope
from lms.accounts.models import Role, User
from lms.core.mail import external_url, queue_mail
from lms.core.time import utcnow
from lms.extensions import db
from lms.i18n import LANGUAGES
from lms.surveys.models import (
    AccessCode,
    Answer,
    Draft,
    Kind,
    LinkSubmission,
    Participation,
    Question,
    Response,
    Section,
    Survey,
)
from lms.surveys.release import Release, View, release

log = logging.getLogger("lms.surveys")
TEMPLATE = Path(__file__).with_name("post_training_template.json")


class SurveyError(ValueError):
    """A rule was broken; the message is translated and can be shown to the person."""


def _token() -> str:
    return secrets.token_urlsafe(16)


# --- building -----------------------------------------------------------------------------------


def create_survey(
    actor: User, title: str, *, base_language: str = "en", anonymous: bool = True, course_slug: str | None = None
) -> Survey:
    """Create an empty draft survey with one section."""
    survey = Survey(
        token=_token(),
        base_language=base_language,
        languages=list(LANGUAGES),
        anonymous=anonymous,
        texts={base_language: {"title": title, "description": "", "thank_you": ""}},
        course_slug=course_slug,
        created_by_id=actor.id,
    )
    survey.sections = [Section(position=1, texts={base_language: {"title": "", "description": ""}})]
    db.session.add(survey)
    db.session.flush()
    log.info("Survey %s created by %s", survey.id, actor.id)
    return survey


def create_from_template(actor: User, course_slug: str | None = None) -> Survey:
    """Create a draft of the ready post-training evaluation, translated, optionally for a course."""
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    survey = Survey(
        token=_token(),
        base_language=template["base_language"],
        languages=list(LANGUAGES),
        anonymous=True,
        texts=template["texts"],
        course_slug=course_slug,
        required_for_certificate=course_slug is not None,
        created_by_id=actor.id,
    )
    position = 0
    for number, section_data in enumerate(template["sections"], start=1):
        section = Section(position=number, texts=section_data["texts"])
        survey.sections.append(section)
        for data in section_data["questions"]:
            position += 1
            question = Question(position=position, section=section, **{key: value for key, value in data.items()})
            survey.questions.append(question)
    db.session.add(survey)
    db.session.flush()
    log.info("Survey %s created from the template by %s", survey.id, actor.id)
    return survey


def translatable_texts(survey: Survey) -> list[tuple[object, str, str | None]]:
    """List every text of the survey as (owner, key, sub-code): what a translation must cover."""
    items = [(survey, key, None) for key in ("title", "description", "thank_you")]
    for section in survey.sections:
        items += [(section, key, None) for key in ("title", "description")]
    for question in survey.questions:
        items += [(question, key, None) for key in ("text", "help", "low", "high")]
        items += [(question, "options", code) for code in question.options]
        items += [(question, "rows", code) for code in question.rows]
    return items


def text_of(owner, key: str, code: str | None, language: str) -> str:
    texts = owner.texts.get(language) or {}
    return (texts.get(key) or {}).get(code, "") if code else texts.get(key, "")


def missing_translations(survey: Survey) -> dict[str, int]:
    """Count, per offered language, the texts present in the base language but not yet translated."""
    items = [item for item in translatable_texts(survey) if text_of(*item, survey.base_language)]
    return {
        language: sum(1 for item in items if not text_of(*item, language))
        for language in survey.languages
        if language != survey.base_language
    }


def publish(survey: Survey, actor: User) -> None:
    """Publish *survey* once it has questions and every offered language is complete."""
    if not survey.questions:
        raise SurveyError(_("Add at least one question before publishing."))
    incomplete = [LANGUAGES[code] for code, count in missing_translations(survey).items() if count]
    if incomplete:
        raise SurveyError(_("Translate the survey completely first: %(languages)s.", languages=", ".join(incomplete)))
    survey.published = True
    log.info("Survey %s published by %s", survey.id, actor.id)


# --- who may do what -------------------------------------------------------------------------------


def may_manage(user: User, survey: Survey) -> bool:
    """Admins manage every survey; a trainer the surveys they created."""
    return user.has_role(Role.ADMIN) or (user.has_role(Role.TRAINER) and survey.created_by_id == user.id)


def may_read(user: User, survey: Survey) -> bool:
    """Who manages a survey reads its results; so does every trainer, once it is published, for their countries
    (the programme's evaluation is read by the trainer of each country, whoever built it)."""
    return may_manage(user, survey) or (user.has_role(Role.TRAINER) and survey.published)


def shown_to(user: User, survey: Survey) -> Release:
    """What *user* may see of *survey*'s answers: their countries, under the small-group rules."""
    return release(survey, View(countries=country_scope(user)))


def surveys_for(user: User) -> list[Survey]:
    """The surveys *user* manages, newest first."""
    query = select(Survey).order_by(Survey.created_at.desc())
    if not user.has_role(Role.ADMIN):
        query = query.where(Survey.created_by_id == user.id)
    return list(db.session.scalars(query))


def read_only_for(user: User) -> list[Survey]:
    """The published surveys others built whose results *user* reads for their countries, newest first."""
    if user.has_role(Role.ADMIN) or not user.has_role(Role.TRAINER):
        return []
    query = (
        select(Survey)
        .where(Survey.published.is_(True), Survey.created_by_id.is_distinct_from(user.id))
        .order_by(Survey.created_at.desc())
    )
    return list(db.session.scalars(query))


def by_token(token: str) -> Survey | None:
    return db.session.scalar(select(Survey).where(Survey.token == token))


# --- answering ----------------------------------------------------------------------------------------


def state(survey: Survey, now: datetime | None = None) -> str:
    """Return "draft", "not-open", "closed", "full" or "open"."""
    now = now or utcnow()
    if not survey.published:
        return "draft"
    if survey.opens_at and now < survey.opens_at:
        return "not-open"
    if survey.closes_at and now >= survey.closes_at:
        return "closed"
    if survey.response_limit is not None and survey.response_count >= survey.response_limit:
        return "full"
    return "open"


def has_answered(survey: Survey, user: User | None, link_token: str | None) -> bool:
    if user is not None and user.is_authenticated:
        return bool(
            db.session.scalar(
                select(Participation.answered).where(
                    Participation.survey_id == survey.id,
                    Participation.user_id == user.id,
                )
            )
        )
    if link_token:
        return db.session.get(LinkSubmission, (survey.id, _digest(link_token))) is not None
    return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- access codes of a closed group ----------------------------------------------------------------

#: Letters and digits that cannot be mistaken for each other when typed from paper (no 0/O, 1/I).
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
#: How many codes one request may issue.
MOST_CODES = 500


def normalise_code(text: str) -> str:
    """Return a typed access code in its stored form: capitals, without spaces or dashes."""
    return "".join(character for character in text.upper() if character in CODE_ALPHABET)[:CODE_LENGTH]


def issue_codes(survey: Survey, count: int) -> list[str]:
    """Create *count* new single-use codes and return them, grouped for reading; only their hashes are kept."""
    if not 1 <= count <= MOST_CODES:
        raise SurveyError(_("Ask for 1 to %(most)s codes at a time.", most=MOST_CODES))
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count)]
    db.session.add_all(AccessCode(survey_id=survey.id, code_hash=_digest(code)) for code in codes)
    db.session.flush()
    return ["-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4)) for code in codes]


def codes_issued(survey: Survey) -> int:
    return db.session.scalar(select(func.count()).select_from(AccessCode).where(AccessCode.survey_id == survey.id))


def code_is_valid(survey: Survey, code: str) -> bool:
    """Tell whether *code* opens *survey*: one of its codes, not used yet."""
    code = normalise_code(code)
    found = db.session.get(AccessCode, (survey.id, _digest(code))) if len(code) == CODE_LENGTH else None
    return found is not None and not found.used


def _use_code(survey: Survey, code: str | None) -> None:
    """Mark the code used, once; its marks are then rewritten so that none tells when it was used."""
    used = db.session.execute(
        update(AccessCode)
        .where(
            AccessCode.survey_id == survey.id,
            AccessCode.code_hash == _digest(normalise_code(code or "")),
            AccessCode.used.is_(False),
        )
        .values(used=True)
    )
    if used.rowcount != 1:
        raise SurveyError(_("This access code is not valid for this survey, or it has been used already."))
    _rewrite_shuffled(AccessCode, AccessCode.survey_id == survey.id, AccessCode.used)


def _record_participation(survey: Survey, user: User | None, link_token: str | None) -> None:
    """Record that this person answered; the database refuses a second time, even at the same instant."""
    if user is not None:
        updated = db.session.execute(
            update(Participation)
            .where(
                Participation.survey_id == survey.id,
                Participation.user_id == user.id,
                Participation.answered.is_(False),
            )
            .values(answered=True)
        )
        if updated.rowcount == 0:
            db.session.add(Participation(survey_id=survey.id, user_id=user.id, answered=True))
    elif link_token:
        db.session.add(LinkSubmission(survey_id=survey.id, token_hash=_digest(link_token)))
    db.session.flush()


def _rewrite_shuffled(model, *conditions) -> None:
    """Write the "has answered" marks that *conditions* select again, together and in random order.

    In PostgreSQL a row carries the id of the transaction that wrote it, and new rows land in the
    order they were written; rewritten together, the marks share one id and keep no order that
    could be matched with the responses. The survey's row is locked by then (`_take_a_place`), so
    two submissions never rewrite the marks at once.
    """
    rows = [dict(row._mapping) for row in db.session.execute(select(model.__table__).where(*conditions))]
    secrets.SystemRandom().shuffle(rows)
    db.session.execute(sa.delete(model).where(*conditions))
    if rows:
        db.session.execute(insert(model), rows)


def _take_a_place(survey: Survey) -> None:
    """Count the response against the survey's limit; the row stays locked until the commit."""
    taken = db.session.execute(
        update(Survey)
        .where(Survey.id == survey.id)
        .where((Survey.response_limit.is_(None)) | (Survey.response_count < Survey.response_limit))
        .values(response_count=Survey.response_count + 1)
    )
    if taken.rowcount != 1:
        raise SurveyError(_("This survey has received all the answers it can take. Thank you for your interest."))


@dataclass(frozen=True)
class Value:
    """One answer value to store: a question and an option code, number or text (and a grid row)."""

    question: Question
    option: str | None = None
    number: int | None = None
    text: str | None = None
    row: str | None = None


def submit(
    survey: Survey,
    values: list[Value],
    *,
    language: str,
    user: User | None,
    country: str | None,
    link_token: str | None = None,
    access_code: str | None = None,
) -> Response:
    """Store one response, once per person, and announce it.

    Who answered and what they answered are written in two savepoints, which PostgreSQL runs as
    subtransactions with transaction ids of their own, so that no row of the one shares an id with
    a row of the other; they are committed together, so that a failure leaves neither. An anonymous
    response keeps only the day, and its key is random.
    """
    if state(survey) != "open":
        raise SurveyError(_("This survey is not open for answers."))
    already = user is not None and db.session.scalar(
        select(Participation.answered).where(Participation.survey_id == survey.id, Participation.user_id == user.id)
    )
    if already:
        raise SurveyError(_("You have already answered this survey. Thank you!"))
    try:
        with db.session.begin_nested():
            _take_a_place(survey)
            _record_participation(survey, user, link_token)
            if survey.access_codes:
                _use_code(survey, access_code)
            if survey.anonymous and user is not None:
                _rewrite_shuffled(Participation, Participation.survey_id == survey.id, Participation.answered)
            if user is not None:
                db.session.execute(sa.delete(Draft).where(Draft.survey_id == survey.id, Draft.user_id == user.id))
    except IntegrityError:
        raise SurveyError(_("You have already answered this survey. Thank you!")) from None
    now = utcnow()
    with db.session.begin_nested():
        response = Response(
            id=secrets.token_hex(16),
            survey_id=survey.id,
            language=language,
            country=country,
            submitted_on=now.date(),
            user_id=None if survey.anonymous else (user.id if user else None),
            submitted_at=None if survey.anonymous else now,
        )
        response.answers = [
            Answer(
                survey_id=survey.id,
                question_id=value.question.id,
                row_code=value.row,
                option_code=value.option,
                number=value.number,
                text=value.text,
                country=country,
                language=language,
                submitted_on=now.date(),
            )
            for value in values
        ]
        db.session.add(response)
    log.info("Response to survey %s recorded", survey.id)
    with db.session.begin_nested():
        signals.survey_submitted.send(
            survey, user=user, response=None if survey.anonymous else response, course_slug=survey.course_slug
        )
        if user is not None and survey.course_slug:
            signals.course_requirements_changed.send("surveys", user=user, course_slug=survey.course_slug)
    return response


def save_draft(survey: Survey, user: User, data: dict) -> None:
    """Keep an identified participant's unfinished answers."""
    draft = db.session.get(Draft, (survey.id, user.id))
    if draft is None:
        db.session.add(Draft(survey_id=survey.id, user_id=user.id, data=data))
    else:
        draft.data = data


def draft_of(survey: Survey, user: User) -> dict | None:
    draft = db.session.get(Draft, (survey.id, user.id))
    return draft.data if draft else None


# --- courses: invitations and the certificate requirement -----------------------------------------------


def course_survey(course_slug: str) -> Survey | None:
    """Return the published evaluation survey of a course, if it has one."""
    return db.session.scalar(
        select(Survey)
        .where(Survey.course_slug == course_slug, Survey.published.is_(True))
        .order_by(Survey.id.desc())
        .limit(1)
    )


def invite(user: User, survey: Survey) -> bool:
    """Invite *user* to *survey* by e-mail (once); return whether a new invitation went out."""
    participation = db.session.get(Participation, (survey.id, user.id))
    if participation is not None and (participation.invited_at or participation.answered):
        return False
    if participation is None:
        participation = Participation(survey_id=survey.id, user_id=user.id)
        db.session.add(participation)
    participation.invited_at = utcnow()
    queue_mail(
        user.email,
        "surveys/mail/invitation.txt",
        user.language,
        user=user,
        title=survey.text("title", user.language),
        link=external_url("surveys.answer", token=survey.token),
    )
    db.session.flush()
    return True


def pending_for(user: User) -> list[Survey]:
    """Return the open surveys that *user* was invited to and has not answered."""
    surveys = db.session.scalars(
        select(Survey)
        .join(Participation, Participation.survey_id == Survey.id)
        .where(Participation.user_id == user.id, Participation.answered.is_(False), Survey.published.is_(True))
    )
    return [survey for survey in surveys if state(survey) == "open"]


# --- the builder -----------------------------------------------------------------------------------


def has_responses(survey: Survey) -> bool:
    return (
        survey.response_count > 0
        or db.session.scalar(select(func.count()).select_from(Response).where(Response.survey_id == survey.id)) > 0
    )


#: How many reminders a survey may send, and the latest day after the invitation that one may come.
MOST_REMINDERS = 3
LAST_REMINDER_DAY = 60


def check_reminder_days(days: Sequence[int]) -> list[int]:
    """Return the days of the reminders in order, each once; raise SurveyError unless there are at most
    MOST_REMINDERS of them, each from 1 to LAST_REMINDER_DAY."""
    days = sorted(set(days))
    if len(days) > MOST_REMINDERS:
        raise SurveyError(ngettext("Set at most %(num)d reminder.", "Set at most %(num)d reminders.", MOST_REMINDERS))
    if any(not 1 <= day <= LAST_REMINDER_DAY for day in days):
        raise SurveyError(_("A reminder comes 1 to %(last)s days after the invitation.", last=LAST_REMINDER_DAY))
    return days


def update_settings(
    survey: Survey,
    *,
    title: str,
    description: str,
    thank_you: str,
    anonymous: bool,
    opens_at,
    closes_at,
    response_limit: int | None,
    course_slug: str | None,
    required_for_certificate: bool,
    languages: list[str],
    access_codes: bool = False,
    reminder_days: Sequence[int] = (),
) -> None:
    """Change a survey's settings; anonymity cannot be switched off once answers exist."""
    if survey.anonymous and not anonymous and has_responses(survey):
        raise SurveyError(_("This survey has anonymous answers, so it must stay anonymous."))
    if anonymous and not survey.anonymous and has_responses(survey):
        raise SurveyError(
            _(
                "People answered this survey with their names, so it cannot become anonymous: their answers would "
                "be counted with the anonymous ones. Make a copy and choose “Anonymous” there."
            )
        )
    lowered = response_limit is not None and (survey.response_limit is None or response_limit < survey.response_limit)
    if survey.anonymous and lowered and has_responses(survey):
        raise SurveyError(
            _(
                "People have answered, so the limit of answers can only be raised or removed: a lower one would "
                "tell, by the survey filling up, how many have answered."
            )
        )
    imported = select(Response.id).where(Response.survey_id == survey.id, Response.source == "import").limit(1)
    reopening = closes_at is None or closes_at > utcnow()
    if anonymous and reopening and db.session.scalar(imported) is not None:
        raise SurveyError(
            _(
                "This anonymous survey holds answers imported from Google Forms, so it stays closed: new answers "
                "could be singled out among the imported ones. Make a copy to collect new answers."
            )
        )
    if opens_at and closes_at and closes_at <= opens_at:
        raise SurveyError(_("The closing date must come after the opening date."))
    reminder_days = check_reminder_days(reminder_days)
    texts = dict(survey.texts)
    texts[survey.base_language] = {
        **texts.get(survey.base_language, {}),
        "title": title,
        "description": description,
        "thank_you": thank_you,
    }
    survey.texts = texts
    survey.anonymous, survey.opens_at, survey.closes_at = anonymous, opens_at, closes_at
    survey.response_limit, survey.course_slug = response_limit, course_slug
    survey.required_for_certificate = required_for_certificate and course_slug is not None
    survey.languages = sorted({survey.base_language, *languages}, key=list(LANGUAGES).index)
    survey.access_codes, survey.reminder_days = access_codes, reminder_days


def _set_base(owner, values: dict) -> None:
    texts = dict(owner.texts)
    base = owner.survey.base_language if not isinstance(owner, Survey) else owner.base_language
    texts[base] = {**texts.get(base, {}), **values}
    owner.texts = texts


def add_section(survey: Survey) -> Section:
    section = Section(position=len(survey.sections) + 1, texts={survey.base_language: {"title": "", "description": ""}})
    survey.sections.append(section)
    db.session.flush()
    return section


def update_section(section: Section, *, title: str, description: str) -> None:
    _set_base(section, {"title": title, "description": description})


def _renumber(survey: Survey) -> None:
    survey.sections.sort(key=lambda section: section.position)
    for number, section in enumerate(survey.sections, start=1):
        section.position = number
    ordered = sorted(survey.questions, key=lambda question: (question.section.position, question.position))
    for number, question in enumerate(ordered, start=1):
        question.position = number
    survey.questions.sort(key=lambda question: question.position)


def move(item, direction: int) -> None:
    """Move a section or question one place up (-1) or down (+1); a question may cross into the next section."""
    survey = item.survey
    if isinstance(item, Section):
        siblings = sorted(survey.sections, key=lambda section: section.position)
        index = siblings.index(item)
        other = index + direction
        if 0 <= other < len(siblings):
            item.position, siblings[other].position = siblings[other].position, item.position
    else:
        ordered = sorted(survey.questions, key=lambda question: (question.section.position, question.position))
        index, other = ordered.index(item), ordered.index(item) + direction
        if 0 <= other < len(ordered):
            neighbour = ordered[other]
            if neighbour.section is item.section:
                item.position, neighbour.position = neighbour.position, item.position
            else:
                item.section = neighbour.section
                item.position = neighbour.position + (0.5 if direction > 0 else -0.5)
    _renumber(survey)
    db.session.flush()


def delete(item) -> None:
    """Delete a section (with its questions) or a question, while nobody has answered the survey."""
    survey = item.survey
    if has_responses(survey):
        raise SurveyError(
            _("Questions cannot be deleted once people have answered. Close the survey and make a copy instead.")
        )
    if isinstance(item, Section):
        if len(survey.sections) == 1:
            raise SurveyError(_("A survey needs at least one section."))
        for question in list(item.questions):
            survey.questions.remove(question)
        survey.sections.remove(item)
    else:
        survey.questions.remove(item)
    db.session.flush()
    _renumber(survey)


DEFAULTS = {Kind.SCALE: {"scale_min": 1, "scale_max": 5}}


def add_question(section: Section, kind: Kind) -> Question:
    """Add a question of *kind* at the end of *section*; its answers to choose from are written when it is edited."""
    survey = section.survey
    taken = {question.code for question in survey.questions}
    code = next(f"q{number}" for number in range(1, 1000) if f"q{number}" not in taken)
    last = max((question.position for question in section.questions), default=0)
    question = Question(
        section=section,
        kind=str(kind),
        code=code,
        position=last + 0.5,
        texts={survey.base_language: {"text": "", "help": ""}},
        options=[],
        rows=[],
        retired_options=[],
        retired_rows=[],
        **DEFAULTS.get(kind, {}),
    )
    survey.questions.append(question)
    _renumber(survey)
    db.session.flush()
    return question


#: Columns of the analysis export besides the questions' own: no question may take their name.
RESERVED_COLUMNS = frozenset({"country", "language"})


@dataclass
class ChoiceChanges:
    """What the builder does to a question's options (or a grid's rows).

    *current* lists the options offered so far as (code, label, remove) in their new order; *added* are the
    labels of new options, placed after them; *restored* are retired codes offered again, placed last.
    """

    current: list[tuple[str, str, bool]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)


def _answered_codes(question: Question, group: str) -> set[str]:
    column = Answer.option_code if group == "options" else Answer.row_code
    return set(db.session.scalars(select(column).where(Answer.question_id == question.id).distinct()))


def _new_code(prefix: str, texts: dict, taken: set[str]) -> str:
    """Return a code that no option of the question has ever had, in any language."""
    known = taken | {code for own in texts.values() for group in ("options", "rows") for code in own.get(group, {})}
    numbers = [int(code[len(prefix) :]) for code in known if code[len(prefix) :].isdigit() and code[0] == prefix]
    return f"{prefix}{max(numbers, default=0) + 1}"


def _change_choices(question: Question, group: str, changes: ChoiceChanges) -> None:
    """Apply *changes* to the options or rows (*group*) of *question*, keeping every code with its option:
    a removed option that answers chose is retired (its answers keep it), one never chosen is forgotten."""
    offered, retired = getattr(question, group), getattr(question, f"retired_{group}")
    stale = sorted(code for code, _label, _remove in changes.current) != sorted(offered)
    if stale or not set(changes.restored) <= set(retired):
        raise SurveyError(_("The question was changed meanwhile; reload the page and make your changes again."))
    labels = [label for _code, label, remove in changes.current if not remove] + changes.added
    if any(not label for label in labels):
        raise SurveyError(_("An answer to choose from cannot be empty; tick “Remove” to take it away."))
    if len({label.casefold() for label in labels}) < len(labels):
        raise SurveyError(_("Two answers to choose from have the same text."))
    removed = {code for code, _label, remove in changes.current if remove}
    answered = _answered_codes(question, group) if removed else set()
    texts = {language: dict(own) for language, own in question.texts.items()}
    for own in texts.values():
        own[group] = {
            code: label for code, label in own.get(group, {}).items() if code in answered or code not in removed
        }
    base_language = question.survey.base_language
    base = texts.setdefault(base_language, {}).setdefault(group, {})
    codes = []
    for code, label, remove in changes.current:
        if not remove:
            codes.append(code)
            if base.get(code, label) != label:  # reworded: its translations said the old words, so they go
                for language, own in texts.items():
                    if language != base_language:
                        own.get(group, {}).pop(code, None)
            base[code] = label
    for label in changes.added:
        code = _new_code(group[0], texts, set(offered) | set(retired) | removed)
        texts[question.survey.base_language][group][code] = label
        codes.append(code)
    codes += changes.restored
    setattr(question, group, codes)
    setattr(
        question,
        f"retired_{group}",
        [code for code in retired if code not in changes.restored]
        + [code for code in offered if code in removed & answered],
    )
    question.texts = texts


def update_question(
    question: Question,
    *,
    text: str,
    help: str,
    required: bool,
    code: str,
    options: ChoiceChanges,
    rows: ChoiceChanges,
    allow_other: bool,
    scale_min: int | None,
    scale_max: int | None,
    low: str,
    high: str,
) -> None:
    """Change a question's wording and structure; every option keeps its code, so that answers keep their meaning."""
    survey = question.survey
    if code != question.code:
        if any(other.code == code for other in survey.questions if other is not question):
            raise SurveyError(_("Another question already uses this short name."))
        if code in RESERVED_COLUMNS:
            raise SurveyError(_("This short name is a column of every export already; choose another."))
        if db.session.scalar(select(Answer.response_id).where(Answer.question_id == question.id).limit(1)):
            raise SurveyError(_("The short name cannot change once people have answered."))
    kind = question.kind_
    if kind.choice:
        _change_choices(question, "options", options)
        if len(question.options) < 2:
            raise SurveyError(_("Give at least two answers to choose from."))
    if kind is Kind.GRID:
        _change_choices(question, "rows", rows)
        if not question.rows:
            raise SurveyError(_("Give at least one statement."))
    values = {"text": text, "help": help}
    if kind is Kind.SCALE:
        if scale_min is None or scale_max is None or not 0 <= scale_min < scale_max <= 10:
            raise SurveyError(_("A scale runs from 0 or 1 up to at most 10."))
        question.scale_min, question.scale_max = scale_min, scale_max
        values.update(low=low, high=high)
    question.code, question.required = code, required
    question.allow_other = allow_other and kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.DROPDOWN)
    _set_base(question, values)


def text_id(owner, key: str, code: str | None) -> str:
    """Name one translatable text for good, e.g. "question-12-options-o3": a translation form sent after the
    survey changed still lands on the texts it was written for."""
    kind = "survey" if isinstance(owner, Survey) else "section" if isinstance(owner, Section) else "question"
    return "-".join(str(part) for part in (kind, owner.id, key, code) if part is not None)


def save_translation(survey: Survey, language: str, values: dict[str, str]) -> None:
    """Store the texts of one language given by their `text_id`; texts not given stay as they are."""
    for owner, key, code in translatable_texts(survey):
        text = values.get(text_id(owner, key, code))
        if text is None:
            continue
        texts = dict(owner.texts)
        own = dict(texts.get(language) or {})
        if code:
            own[key] = {**(own.get(key) or {}), code: text.strip()}
        else:
            own[key] = text.strip()
        texts[language] = own
        owner.texts = texts


def duplicate(survey: Survey, actor: User) -> Survey:
    """Copy a survey's questions and texts into a new draft, without its answers."""
    copy = Survey(
        token=_token(),
        base_language=survey.base_language,
        languages=list(survey.languages),
        anonymous=survey.anonymous,
        texts={
            **survey.texts,
            survey.base_language: {
                **survey.texts[survey.base_language],
                "title": _("%(title)s (copy)", title=survey.text("title", survey.base_language)),
            },
        },
        course_slug=None,
        created_by_id=actor.id,
        response_limit=survey.response_limit,
        reminder_days=list(survey.reminder_days),
    )
    sections = {}
    for section in survey.sections:
        sections[section.id] = Section(position=section.position, texts=section.texts)
        copy.sections.append(sections[section.id])
    for question in survey.questions:
        copy.questions.append(
            Question(
                section=sections[question.section_id],
                position=question.position,
                code=question.code,
                kind=question.kind,
                required=question.required,
                options=list(question.options),
                rows=list(question.rows),
                # kept so that the original's exports, which may hold retired answers, import into the copy
                retired_options=list(question.retired_options),
                retired_rows=list(question.retired_rows),
                allow_other=question.allow_other,
                scale_min=question.scale_min,
                scale_max=question.scale_max,
                texts=question.texts,
            )
        )
    db.session.add(copy)
    db.session.flush()
    return copy


def close(survey: Survey) -> None:
    """Stop accepting answers now."""
    survey.closes_at = utcnow()


def identified_responses(survey: Survey, countries: set[str] | None) -> list[tuple[Response, User | None]]:
    """Return the responses of an identified survey with who gave them, newest first."""
    query = (
        select(Response, User)
        .outerjoin(User, User.id == Response.user_id)
        .where(Response.survey_id == survey.id)
        .order_by(Response.submitted_at.desc())
    )
    if countries is not None:
        query = query.where(Response.country.in_(countries))
    return list(db.session.execute(query).all())


def emails_of_respondents(survey: Survey) -> dict[int, str]:
    """Return respondents' e-mail addresses by user id, for an identified survey's export."""
    if survey.anonymous:
        return {}
    rows = db.session.execute(
        select(User.id, User.email).join(Response, Response.user_id == User.id).where(Response.survey_id == survey.id)
    )
    return dict(rows.all())
