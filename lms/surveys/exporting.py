"""Survey exports: made in the request while a survey is small, by a worker when it is large.

Both paths make the file through `build`, from what the reader may see of the survey (the anonymity release and
their countries), computed when the file is made, in the language they asked in. A file made in the background
belongs to its requester alone: they download it while they may still read the survey in the countries the file
covers, until it expires (EXPORT_KEEP_HOURS); a periodic job then deletes the file and its record.
"""

import enum
import logging
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.accounts.access import country_scope
from lms.accounts.models import User
from lms.core import exports
from lms.core.jobs import GiveUp, JobKind, enqueue, report_progress
from lms.core.models import JobState
from lms.core.storage import storage
from lms.core.time import utcnow
from lms.extensions import db
from lms.surveys import results, services
from lms.surveys.models import Survey, SurveyExport
from lms.surveys.release import Release

log = logging.getLogger("lms.surveys")

#: (layout, file format) -> the export's name on the pages.
KINDS = {
    ("google", "csv"): _l("CSV (Google Forms layout)"),
    ("google", "xlsx"): _l("Excel (Google Forms layout)"),
    ("analysis", "csv"): _l("CSV for analysis (codes)"),
    ("analysis", "xlsx"): _l("Excel for analysis, with its codebook"),
}


class State(enum.StrEnum):
    WAITING = "waiting"  # for a worker
    RUNNING = "running"  # its job reports its progress
    RETRYING = "retrying"  # an attempt failed; the job tries again after a pause
    READY = "ready"
    FAILED = "failed"  # its job gave up (admins read the error at /jobs)


def file_name(survey_id: int, layout: str, file_format: str) -> str:
    return f"survey-{survey_id}-{layout}.{file_format}"


def build(survey: Survey, shown: Release, layout: str, file_format: str, progress=None) -> bytes:
    """Return the export of what *shown* releases of *survey*; progress(done, total) hears of the rows written."""
    if layout == "analysis":
        rows = results.analysis_layout(survey, shown, progress)
    else:
        rows = results.google_layout(survey, shown, services.emails_of_respondents(survey), progress)
    codebook = {"codebook": results.codebook(survey)} if layout == "analysis" and file_format == "xlsx" else None
    return exports.to_file(rows, file_name(survey.id, layout, file_format), sheet=layout, more=codebook)


def in_background(shown: Release) -> bool:
    """Tell whether an export of what *shown* releases is too large to be made within a request."""
    return shown.total > current_app.config["EXPORT_BACKGROUND_ROWS"]


def _lifetime() -> timedelta:
    return timedelta(hours=current_app.config["EXPORT_KEEP_HOURS"])


def state(export: SurveyExport) -> State:
    """Return where *export* stands: its file stored, else its job's state."""
    if export.storage_key is not None:
        return State.READY
    job = export.job
    if job is None or job.state in (JobState.DONE, JobState.FAILED):
        return State.FAILED
    if job.state == JobState.RUNNING:
        return State.RUNNING
    return State.RETRYING if job.attempts else State.WAITING


def progress(export: SurveyExport) -> int | None:
    """Return how far the making of *export* is, in per cent, while its job runs."""
    return export.job.progress if state(export) is State.RUNNING else None


def exports_of(user: User, survey: Survey) -> list[SurveyExport]:
    """The exports of *survey* that *user* asked for and that are not expired, the latest first."""
    query = (
        select(SurveyExport)
        .where(
            SurveyExport.survey_id == survey.id,
            SurveyExport.requested_by_id == user.id,
            SurveyExport.expires_at > utcnow(),
        )
        .order_by(SurveyExport.created_at.desc(), SurveyExport.id.desc())
    )
    return list(db.session.scalars(query))


def request_export(survey: Survey, user: User, layout: str, file_format: str, language: str) -> SurveyExport:
    """Queue the export of *survey* in *layout* and *file_format* for *user*, in *language*; the same one that is
    already on its way serves instead, and one of the same kind that failed is replaced."""
    for earlier in exports_of(user, survey):
        if (earlier.layout, earlier.file_format) != (layout, file_format) or state(earlier) is State.READY:
            continue
        if state(earlier) is not State.FAILED:
            return earlier  # the same, on its way
        db.session.delete(earlier)
    now = utcnow()
    export = SurveyExport(
        survey_id=survey.id,
        requested_by_id=user.id,
        layout=layout,
        file_format=file_format,
        language=language,
        created_at=now,
        file_name=file_name(survey.id, layout, file_format),
        expires_at=now + _lifetime(),
    )
    db.session.add(export)
    db.session.flush()
    export.job = enqueue("surveys.export", export_id=export.id)
    return export


def _scope_list(user: User) -> list[str] | None:
    scope = country_scope(user)
    return None if scope is None else sorted(scope)


def make(export_id: int) -> None:
    """The job: make the file of the export *export_id* with its requester's view of the survey now, store it,
    and keep it for them for EXPORT_KEEP_HOURS."""
    export = db.session.get(SurveyExport, export_id)
    if export is None or export.storage_key is not None:
        return  # expired or erased meanwhile, or made already
    user, survey = db.session.get(User, export.requested_by_id), db.session.get(Survey, export.survey_id)
    if not user.active or not services.may_read(user, survey):
        raise GiveUp("The person who asked for this export may no longer read the survey.")
    job_id = export.job_id
    with force_locale(export.language):
        data = build(
            survey,
            services.shown_to(user, survey),
            export.layout,
            export.file_format,
            lambda done, total: report_progress(job_id, done, total),
        )
    key = storage().save(data, "exports")
    export.storage_key, export.countries, export.expires_at = key, _scope_list(user), utcnow() + _lifetime()
    try:
        db.session.commit()
    except Exception:  # the record went meanwhile (expired, erased): the file must not stay behind
        db.session.rollback()
        storage().delete(key)
        raise
    log.info("Export %s of survey %s made: %s bytes", export_id, survey.id, len(data))


def _covers(scope: frozenset[str] | None, countries: list[str] | None) -> bool:
    """Tell whether a reader of *scope* may read a file of *countries* (None: all)."""
    return scope is None or (countries is not None and set(countries) <= scope)


def stored_file(survey: Survey, user: User, export_id: int) -> tuple[bytes, str]:
    """Return the file of the export *export_id* and its name, for its requester while it is kept and the countries
    it covers are still theirs; LookupError for anyone and anything else."""
    export = db.session.get(SurveyExport, export_id)
    if (
        export is None
        or export.survey_id != survey.id
        or export.requested_by_id != user.id
        or export.storage_key is None
        or export.expires_at <= utcnow()
        or not _covers(country_scope(user), export.countries)
    ):
        raise LookupError(export_id)
    try:
        return storage().read(export.storage_key), export.file_name
    except FileNotFoundError:
        raise LookupError(export_id) from None


def _forget(doomed: list[SurveyExport]) -> None:
    """Delete the exports *doomed*: their records now, their files once that is committed."""
    for export in doomed:
        if export.storage_key is not None:
            storage().delete_after_commit(export.storage_key)
        db.session.delete(export)


def expire() -> None:
    """The periodic job: delete the exports whose time is over, and their files."""
    expired = list(db.session.scalars(select(SurveyExport).where(SurveyExport.expires_at <= utcnow())))
    _forget(expired)
    db.session.commit()
    if expired:
        log.info("%s expired survey export(s) deleted", len(expired))


def forget_all() -> None:
    """For an erasure: delete every export, ready or on its way; any might name the person (an address in an
    identified survey, a name in a written answer). Those who need one ask again."""
    _forget(list(db.session.scalars(select(SurveyExport))))


JOBS = (
    JobKind("surveys.export", _l("Make a large survey export"), make, attempts=3, retry_after=timedelta(seconds=30)),
    JobKind("surveys.expire_exports", _l("Delete expired survey exports"), expire, every=timedelta(minutes=10)),
)
