"""Background jobs in one process: claimed once, retried with a growing pause, given up, taken back from a dead
worker, periodic ones once per slot across hosts; and the admins' page that lists and retries them."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from lms.core import jobs
from lms.core.config import ConfigError
from lms.core.jobs import GiveUp, JobKind
from lms.core.mail import LINK_EXPIRED, expire_links, queue_mail
from lms.core.models import Job, JobState, OutboxMessage
from lms.core.time import utcnow
from lms.extensions import db
from tests.core.test_mail import sign_in_admin


class Calls:
    """A job handler that counts its calls and fails as told."""

    def __init__(self, failures: int = 0, error: type[Exception] = RuntimeError):
        self.calls, self.failures, self.error, self.given_up = [], failures, error, []

    def __call__(self, **args):
        self.calls.append(args)
        if len(self.calls) <= self.failures:
            raise self.error("the server said no")

    def on_failure(self, error, **args):
        self.given_up.append((str(error), args))


@pytest.fixture
def kind(app):
    """Register a kind of job "test.work" on the app; returns its handler."""

    def register(failures=0, error=RuntimeError, attempts=3, every=None):
        handler = Calls(failures, error)
        jobs.register(
            app,
            [JobKind("test.work", "Test work", handler, attempts=attempts, every=every, on_failure=handler.on_failure)],
        )
        return handler

    return register


def queue(app, **args) -> int:
    with app.app_context():
        job = jobs.enqueue("test.work", **args)
        db.session.commit()
        return job.id


def stored(app, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def pass_time(app, job_id: int) -> None:
    """Let the pause before the job's next attempt run out."""
    with app.app_context():
        db.session.execute(update(Job).where(Job.id == job_id).values(run_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def test_a_job_carried_twice_runs_once(app, kind):
    handler = kind()
    job_id = queue(app, number=7)

    with app.app_context():
        ran = [jobs.execute(job_id), jobs.execute(job_id)]

    assert ran == [True, False]
    assert handler.calls == [{"number": 7}]
    assert stored(app, job_id).state == JobState.DONE


def test_two_workers_claiming_at_once_run_the_job_once(app, make_app, kind):
    handler = kind()
    job_id = queue(app)
    workers = [make_app() for _ in range(2)]
    for worker in workers:
        jobs.register(worker, [JobKind("test.work", "Test work", handler)])
    start = threading.Barrier(2)
    ran = []

    def claim(worker):
        with worker.app_context():
            start.wait()
            ran.append(jobs.execute(job_id))

    threads = [threading.Thread(target=claim, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(ran) == [False, True] and len(handler.calls) == 1


def test_a_job_of_a_rolled_back_transaction_never_runs(app, kind, run_jobs):
    handler = kind()
    with app.app_context():
        jobs.enqueue("test.work")
        db.session.rollback()

    run_jobs()

    assert handler.calls == []


def test_a_failing_job_waits_longer_each_time_then_is_given_up(app, kind, run_jobs):
    handler = kind(failures=5, attempts=3)
    job_id = queue(app, number=1)

    run_jobs()
    first = stored(app, job_id)
    pass_time(app, job_id)
    run_jobs()
    second = stored(app, job_id)
    pass_time(app, job_id)
    run_jobs()
    last = stored(app, job_id)

    assert (first.state, first.attempts) == (JobState.QUEUED, 1)
    assert timedelta(seconds=55) < first.run_at - utcnow() <= timedelta(minutes=1)
    assert timedelta(seconds=115) < second.run_at - utcnow() <= timedelta(minutes=2)
    assert (last.state, last.attempts, last.error) == (JobState.FAILED, 3, "RuntimeError: the server said no")
    assert handler.given_up == [("the server said no", {"number": 1})]


def test_a_job_that_cannot_succeed_is_given_up_at_once(app, kind, run_jobs):
    handler = kind(failures=1, error=GiveUp, attempts=5)
    job_id = queue(app)

    run_jobs()

    job = stored(app, job_id)
    assert (job.state, job.attempts) == (JobState.FAILED, 1)
    assert len(handler.given_up) == 1


def test_a_failing_job_holds_up_no_other(app, kind, run_jobs):
    handler = kind(failures=1)
    failing, next_one = queue(app, number=1), queue(app, number=2)

    run_jobs()

    assert handler.calls == [{"number": 1}, {"number": 2}]
    assert stored(app, failing).state == JobState.QUEUED and stored(app, next_one).state == JobState.DONE


def test_the_job_of_a_worker_that_died_runs_again_when_its_lease_lapses(app, kind, run_jobs):
    handler = kind()
    job_id = queue(app)
    with app.app_context():  # a worker took it, then died: its lease is no longer renewed
        db.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(state=JobState.RUNNING, attempts=1, lease_until=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()

    run_jobs()

    job = stored(app, job_id)
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert "worker stopped" in job.error
    assert len(handler.calls) == 1


def test_a_running_job_with_a_live_lease_is_left_to_its_worker(app, kind, run_jobs):
    handler = kind()
    job_id = queue(app)
    with app.app_context():
        db.session.execute(
            update(Job).where(Job.id == job_id).values(state=JobState.RUNNING, lease_until=utcnow() + timedelta(60))
        )
        db.session.commit()

    run_jobs()

    assert handler.calls == [] and stored(app, job_id).state == JobState.RUNNING


def test_a_periodic_job_runs_once_per_slot_however_many_hosts_tick(app, make_app, kind):
    handler = kind(every=timedelta(hours=1))
    hosts = [make_app() for _ in range(4)]
    for host in hosts:
        jobs.register(host, [JobKind("test.work", "Test work", handler, every=timedelta(hours=1))])
    start = threading.Barrier(len(hosts))

    def tick_and_run(host):
        with host.app_context():
            start.wait()
            jobs.run_due()
            jobs.run_due()

    threads = [threading.Thread(target=tick_and_run, args=(host,)) for host in hosts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(handler.calls) == 1
    with app.app_context():
        [key] = db.session.scalars(select(Job.unique_key).where(Job.kind == "test.work")).all()
    assert key == f"test.work@{utcnow():%Y-%m-%dT%H}:00"


def test_done_jobs_are_forgotten_after_the_days_kept_and_failed_ones_stay(app, kind):
    kind()
    old_done, old_failed, recent = queue(app), queue(app), queue(app)
    long_ago = utcnow() - timedelta(days=app.config["JOB_KEEP_DAYS"] + 1)
    with app.app_context():
        for job_id, state, finished in (
            (old_done, JobState.DONE, long_ago),
            (old_failed, JobState.FAILED, long_ago),
            (recent, JobState.DONE, utcnow()),
        ):
            db.session.execute(update(Job).where(Job.id == job_id).values(state=state, finished_at=finished))
        jobs.cleanup()
        db.session.commit()
        left = set(db.session.scalars(select(Job.id)))

    assert left == {old_failed, recent}


def test_an_unsent_one_time_link_is_forgotten_when_it_expires(app_ctx):
    past, future = utcnow() - timedelta(minutes=1), utcnow() + timedelta(hours=1)
    expired = OutboxMessage(recipient="a@example.eu", subject="Reset", body="[one-time link]", secret_link="x")
    expired.link_expires_at = past
    fresh = OutboxMessage(recipient="b@example.eu", subject="Reset", body="[one-time link]", secret_link="y")
    fresh.link_expires_at = future
    db.session.add_all([expired, fresh])
    db.session.commit()

    expire_links()
    db.session.commit()

    assert (expired.secret_link, expired.last_error) == (None, LINK_EXPIRED)
    assert expired.failed_at is not None
    assert (fresh.secret_link, fresh.failed_at) == ("y", None)


def test_admins_see_failed_jobs_with_their_error_and_retry_them(app, create_user, kind, run_jobs):
    handler = kind(failures=1, error=GiveUp)
    job_id = queue(app)
    run_jobs()
    admin = sign_in_admin(app, create_user)

    listing = admin.get("/jobs?state=failed").get_data(as_text=True)
    retried = admin.submit(f"/jobs/{job_id}/retry", follow_redirects=True).get_data(as_text=True)
    queued = stored(app, job_id)
    run_jobs()

    assert "Test work" in listing and "the server said no" in listing and "Failed (1)" in listing
    assert "GiveUp" not in listing  # the reason as it was given, not the platform's own names
    assert f"Job {job_id} is queued again." in retried
    assert (queued.state, queued.attempts) == (JobState.QUEUED, 0)
    assert stored(app, job_id).state == JobState.DONE and len(handler.calls) == 2


def test_retrying_a_job_that_has_not_failed_changes_nothing(app, create_user, kind):
    kind()
    job_id = queue(app)
    admin = sign_in_admin(app, create_user)

    page = admin.submit(f"/jobs/{job_id}/retry", follow_redirects=True).get_data(as_text=True)

    assert "has not failed" in page
    assert stored(app, job_id).state == JobState.QUEUED


@pytest.mark.parametrize(("state", "status"), [("archived", 404), ("%27", 404), ("queued%00", 400)])
def test_an_unknown_state_in_the_address_is_refused(app, create_user, state, status):
    admin = sign_in_admin(app, create_user)

    assert admin.get(f"/jobs?state={state}").status_code == status


def test_a_retry_without_the_form_token_is_refused(app, create_user, kind, run_jobs):
    kind(failures=1, error=GiveUp)
    job_id = queue(app)
    run_jobs()
    admin = sign_in_admin(app, create_user)

    response = admin.post(f"/jobs/{job_id}/retry")

    assert response.status_code == 400 and stored(app, job_id).state == JobState.FAILED


def test_the_jobs_page_counts_each_state(app, create_user, kind, run_jobs):
    kind(failures=1, error=GiveUp)
    queue(app)
    run_jobs()
    queue(app)
    admin = sign_in_admin(app, create_user)

    page = admin.get("/jobs").get_data(as_text=True)

    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Job))
    assert f"All ({total})" in page and "Failed (1)" in page and "Queued (1)" in page


def test_a_worker_in_production_needs_the_public_address_for_the_links_it_mails(app, runner):
    app.config.update(ENV="production", BASE_URL="")

    result = runner.invoke(args=["worker"])

    assert isinstance(result.exception, ConfigError) and "LMS_BASE_URL must be set" in str(result.exception)


def test_a_mail_job_in_a_process_without_smtp_waits_for_one_that_has_it(app, run_jobs):
    app.config.update(MAIL_SERVER="127.0.0.1")
    with app.app_context():
        message_id = queue_mail("spela@example.eu", "accounts/mail/no_account.txt", "en").id
        db.session.commit()
    app.config.update(MAIL_SERVER="")  # a worker started without the mail settings

    run_jobs()

    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.kind == "mail.deliver"))
        assert (job.state, job.attempts) == (JobState.QUEUED, 1) and "no SMTP server" in job.error
        assert db.session.get(OutboxMessage, message_id).sent_at is None
