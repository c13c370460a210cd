"""Background work: jobs kept in the database, carried to worker processes by huey.

A job is a row of `core_jobs` (its kind, arguments, state, attempts, error and progress). The row is what admins
read and retry, and the truth that no crash loses: huey only carries job ids to the workers (a queue in SQLite in
the instance folder by default, in Redis when LMS_QUEUE_URL names one, so that several hosts share it) and wakes
them when a retry falls due, and every minute for the periodic jobs.

- A worker claims a job in one UPDATE, so a job carried twice runs once. While it runs, its worker renews a lease;
  the job of a worker that died is queued again when the lease lapses. Every kind must be safe to run twice.
- A job that fails is tried again after a pause that doubles each time, up to its kind's attempts; then it is
  marked failed with its error, and an admin may retry it. A failing job never holds up the others.
- Periodic kinds are queued by the minute tick of every worker under the key of their time slot; the key is
  unique in the database, so each slot runs once across all workers and hosts.
"""

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, event, func, select, update
from sqlalchemy.orm import Session

from lms.core.config import ConfigError
from lms.core.models import Job, JobState
from lms.core.storage import private_folder
from lms.core.time import utcnow
from lms.extensions import db, dialect_insert

log = logging.getLogger("lms.core.jobs")

#: Jobs queued in the current transaction, carried to the workers once it commits.
NEW_JOBS_KEY = "lms.new_jobs"
#: A queued job still waiting this long after it fell due was lost by the queue (a restart): it is carried again.
STALE_AFTER = timedelta(minutes=5)
#: This process's name in the jobs it runs.
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"


class GiveUp(Exception):
    """Raised by a job that trying again cannot help: it is marked failed at once, with this message."""


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its handler, called with the job's arguments in an app context, and how it is retried."""

    name: str
    #: What it does, for admins (a lazy string).
    label: object
    run: Callable[..., None]
    attempts: int = 5
    #: The pause before the second attempt (LMS_JOB_RETRY_SECONDS when None); it doubles for each next one.
    retry_after: timedelta | None = None
    #: For a periodic kind, how often it runs; its slots start at whole multiples of it since the epoch.
    every: timedelta | None = None
    #: Called with the error and the job's arguments, in the transaction that marks the job failed.
    on_failure: Callable[..., None] | None = None

    def retry_delay(self, attempts: int) -> timedelta:
        """Return the pause after *attempts* failed attempts."""
        first = self.retry_after or timedelta(seconds=current_app.config["JOB_RETRY_SECONDS"])
        return first * 2 ** max(attempts - 1, 0)


def register(app: Flask, kinds) -> None:
    """Make the job *kinds* (a plugin's, or the core's) known to *app*."""
    registry = app.extensions.setdefault("lms.jobs", {})
    for kind in kinds:
        if kind.name in registry:
            raise ValueError(f"Two kinds of job are called {kind.name!r}.")
        registry[kind.name] = kind


def kinds() -> dict[str, JobKind]:
    """Return the current app's kinds of job by name."""
    return current_app.extensions.get("lms.jobs", {})


def enqueue(kind: str, *, run_at: datetime | None = None, **args) -> Job:
    """Queue a job of *kind* with *args*, to run from *run_at* (now by default) once this transaction commits."""
    found = kinds()[kind]
    job = Job(kind=kind, args=args, run_at=run_at or utcnow(), max_attempts=found.attempts)
    db.session.add(job)
    db.session.flush()
    _carry_after_commit(job)
    return job


def _carry_after_commit(job: Job) -> None:
    db.session.info.setdefault(NEW_JOBS_KEY, []).append((job.id, job.run_at))


@event.listens_for(Session, "after_commit")
def _carry_new_jobs(session) -> None:
    if session.info.get(NEW_JOBS_KEY):
        carry(session.info.pop(NEW_JOBS_KEY))


@event.listens_for(Session, "after_rollback")
def _forget_new_jobs(session) -> None:
    session.info.pop(NEW_JOBS_KEY, None)


def carry(jobs: list[tuple[int, datetime]]) -> None:
    """Hand the jobs (id, due time) to the queue; if it is unreachable, the minute tick carries them later."""
    try:
        task = queue().run_job
        for job_id, run_at in jobs:
            if run_at > utcnow():
                task.schedule((job_id,), eta=run_at.replace(tzinfo=UTC))  # aware: huey keeps its microseconds
            else:
                task(job_id)
    except Exception:  # Redis or the queue's file unreachable: the jobs are safe in the database.
        log.exception("Could not hand %s job(s) to the queue; the next tick will", len(jobs))


class Queue:
    """The app's huey instance with its two tasks: run one job, and the minute tick."""

    def __init__(self, app: Flask):
        import huey  # with its drivers: loaded by the processes that queue or run a job, on first use

        url = app.config["QUEUE_URL"]
        if url:
            self.huey = huey.RedisHuey("lms", url=url, results=False)
        else:
            path = private_folder(Path(app.instance_path)) / "jobs.sqlite"
            if not path.exists():  # SQLite gives its -wal and -shm files the database file's permissions
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            self.huey = huey.SqliteHuey("lms", filename=str(path), results=False)
        self.run_job = self.huey.task(name="run_job")(lambda job_id: _in_app(app, execute, job_id))
        self.tick = self.huey.periodic_task(huey.crontab(), name="tick")(lambda: _in_app(app, tick))


def queue() -> Queue:
    """Return the current app's queue, created on first use."""
    extensions = current_app.extensions
    if "lms.queue" not in extensions:
        extensions["lms.queue"] = Queue(current_app._get_current_object())
    return extensions["lms.queue"]


def _in_app(app: Flask, function: Callable, *args) -> None:
    with app.app_context():
        function(*args)


#: The jobs that this process runs now, whose leases its heartbeat renews.
_running: set[int] = set()


def lease() -> timedelta:
    """Return how long a job is left to its worker without a sign of life."""
    return timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])


def execute(job_id: int) -> bool:
    """Run the job *job_id* if it is queued and due, and this process claims it first; tell whether it ran."""
    now = utcnow()
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.QUEUED, Job.run_at <= now)
        .values(
            state=JobState.RUNNING,
            attempts=Job.attempts + 1,
            started_at=now,
            finished_at=None,
            lease_until=now + lease(),
            worker=WORKER_NAME,
        )
    )
    db.session.commit()
    if claimed.rowcount != 1:
        _carry_if_early(job_id, now)
        return False
    job = db.session.get(Job, job_id)
    kind, args = kinds().get(job.kind), dict(job.args)
    _running.add(job_id)
    try:
        if kind is None:
            raise GiveUp(f"No kind of job is called {job.kind!r} here.")
        kind.run(**args)
    except Exception as error:
        db.session.rollback()
        _record_failure(job_id, kind, args, error)
    else:
        job = db.session.get(Job, job_id)
        job.state, job.finished_at, job.lease_until, job.progress = JobState.DONE, utcnow(), None, 100
        db.session.commit()
        log.info("Job %s (%s) done in %.3f s", job_id, job.kind, (job.finished_at - job.started_at).total_seconds())
    finally:
        _running.discard(job_id)
    return True


def _carry_if_early(job_id: int, now: datetime) -> None:
    """Carry again a queued job that the queue delivered before it was due, so that it is not left behind."""
    run_at = db.session.scalar(select(Job.run_at).where(Job.id == job_id, Job.state == JobState.QUEUED))
    if run_at is not None and run_at > now:
        carry([(job_id, run_at)])


def _record_failure(job_id: int, kind: JobKind | None, args: dict, error: Exception) -> None:
    job = db.session.get(Job, job_id)
    plain = isinstance(error, (GiveUp, _WorkerLost))  # our own reasons read as they are; others name their kind
    job.error, job.lease_until = (str(error) if plain else f"{type(error).__name__}: {error}")[:2000], None
    if isinstance(error, GiveUp) or kind is None or job.attempts >= job.max_attempts:
        job.state, job.finished_at = JobState.FAILED, utcnow()
        if kind is not None and kind.on_failure is not None:
            kind.on_failure(error, **args)
        log.error("Gave up job %s (%s) after %s attempt(s): %s", job.id, job.kind, job.attempts, job.error)
    else:
        pause = timedelta(0) if isinstance(error, _WorkerLost) else kind.retry_delay(job.attempts)
        job.state, job.run_at = JobState.QUEUED, utcnow() + pause
        _carry_after_commit(job)
        log.warning("Job %s (%s) failed, tried again at %s: %s", job.id, job.kind, job.run_at, job.error)
    db.session.commit()


def report_progress(job_id: int, done: int, total: int) -> None:
    """Record that the job *job_id* has done *done* of *total* units, on a connection of its own (so that the
    job's own unfinished transaction stays open); this also renews its lease."""
    per_cent = min(99, done * 100 // total) if total else 0
    with db.engine.begin() as connection:
        connection.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == JobState.RUNNING)
            .values(progress=per_cent, lease_until=utcnow() + lease())
        )


def tick() -> None:
    """Every minute, in every worker: queue the periodic jobs of this slot (once across all workers), take back
    the jobs of workers that died, and carry again the due jobs that the queue lost."""
    now = utcnow()
    for kind in kinds().values():
        if kind.every is not None:
            _queue_slot(kind, now)
    lost = db.session.scalars(select(Job).where(Job.state == JobState.RUNNING, Job.lease_until < now)).all()
    for job in lost:
        _record_failure(job.id, kinds().get(job.kind), dict(job.args), _WorkerLost())
    stale = db.session.execute(
        select(Job.id, Job.run_at)
        .where(Job.state == JobState.QUEUED, Job.run_at <= now - STALE_AFTER)
        .order_by(Job.run_at)
        .limit(1000)
    )
    stale = [tuple(row) for row in stale]
    db.session.commit()
    if stale:
        carry(stale)


class _WorkerLost(Exception):
    def __str__(self) -> str:
        return "The worker stopped while it ran the job (it was killed, or its host went down)."


def _queue_slot(kind: JobKind, now: datetime) -> None:
    """Queue *kind* for the slot that *now* falls in, unless a worker did already."""
    epoch = datetime(1970, 1, 1)
    slot = epoch + (now - epoch) // kind.every * kind.every
    job_id = db.session.scalar(
        dialect_insert(Job)
        .values(
            kind=kind.name,
            args={},
            run_at=now,
            max_attempts=kind.attempts,
            unique_key=f"{kind.name}@{slot:%Y-%m-%dT%H:%M}",
        )
        .on_conflict_do_nothing(index_elements=["unique_key"])
        .returning(Job.id)
    )
    if job_id is not None:
        db.session.info.setdefault(NEW_JOBS_KEY, []).append((job_id, now))


def run_due(limit: int = 1000) -> int:
    """Run, in this process, the jobs that are due (without a worker: `lms jobs run`); return how many ran."""
    tick()
    due = select(Job.id).where(Job.state == JobState.QUEUED, Job.run_at <= utcnow()).order_by(Job.run_at, Job.id)
    return sum(execute(job_id) for job_id in db.session.scalars(due.limit(limit)).all())


def retry(job: Job) -> None:
    """Queue a failed job again, now and with all its attempts."""
    job.state, job.attempts, job.run_at, job.finished_at = JobState.QUEUED, 0, utcnow(), None
    _carry_after_commit(job)


def counts() -> dict[str, int]:
    """Return how many jobs are in each state."""
    found = dict(db.session.execute(select(Job.state, func.count()).group_by(Job.state)).all())
    return {state: found.get(state, 0) for state in JobState}


#: How each list of /jobs is sorted: the next due first, the longest running first, the latest first.
ORDERS = {
    JobState.QUEUED: (Job.run_at, Job.id),
    JobState.RUNNING: (Job.started_at, Job.id),
    JobState.DONE: (Job.finished_at.desc(), Job.id.desc()),
    JobState.FAILED: (Job.finished_at.desc(), Job.id.desc()),
    None: (Job.id.desc(),),
}


def jobs_page(state: str | None, page: int):
    """Return one page of the jobs in *state* (all when None)."""
    query = select(Job)
    if state is not None:
        query = query.where(Job.state == state)
    query = query.order_by(*ORDERS[state])
    return db.paginate(query, page=page, per_page=current_app.config["PAGE_SIZE"], error_out=False)


def cleanup() -> None:
    """Forget the jobs that were done more than JOB_KEEP_DAYS ago (failed ones stay until retried or cleared)."""
    before = utcnow() - timedelta(days=current_app.config["JOB_KEEP_DAYS"])
    db.session.execute(delete(Job).where(Job.state == JobState.DONE, Job.finished_at < before))


JOBS = (JobKind("jobs.cleanup", _l("Forget the jobs done long ago"), cleanup, every=timedelta(days=1)),)


def run_worker(app: Flask, threads: int) -> None:
    """Run jobs until the process is stopped: *threads* at a time, the minute tick, and a heartbeat that renews
    the leases of the running jobs."""
    if app.config["ENV"] == "production" and not app.config["BASE_URL"]:
        raise ConfigError(
            "LMS_BASE_URL must be set for a worker in production: the links in the e-mails it writes (reminders, "
            "warnings, certificates) are made outside any request, from that address."
        )
    consumer = queue().huey.create_consumer(workers=threads, worker_type="thread", periodic=True)
    stopped = threading.Event()
    threading.Thread(target=_heartbeat, args=(app, stopped), name="lms-heartbeat", daemon=True).start()
    try:
        consumer.run()
    finally:
        stopped.set()


def _heartbeat(app: Flask, stopped: threading.Event) -> None:
    with app.app_context():
        interval = lease().total_seconds() / 3
        while not stopped.wait(interval):
            running = list(_running)
            if not running:
                continue
            try:
                db.session.execute(
                    update(Job)
                    .where(Job.id.in_(running), Job.state == JobState.RUNNING)
                    .values(lease_until=utcnow() + lease())
                )
                db.session.commit()
            except Exception:  # the database is away for a moment: the next beat tries again
                db.session.rollback()
                log.exception("Could not renew the leases of the running jobs")
            finally:
                db.session.remove()
