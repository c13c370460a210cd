"""Real `lms worker` processes on the real queues (SQLite, and Redis): what the web process queues is done by
them, once; a refused message is retried and given up without holding up the next; a killed worker loses no job;
a reminder due tomorrow goes once when a worker's clock passes it."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.core.mail import queue_mail
from lms.core.models import Job, JobState, OutboxMessage
from lms.extensions import db
from lms.surveys.models import Survey
from lms.surveys.services import invite
from tests.core.test_mail import Inbox, free_port

pytestmark = pytest.mark.worker

LMS = Path(sys.executable).parent / "lms"
#: Starts `lms worker` with its clock moved to a given moment (seconds since the epoch), and running on from there.
TRAVELLER = (
    "import sys, time_machine; time_machine.travel(float(sys.argv.pop(1)), tick=True).start(); "
    "from lms import main; sys.argv[0] = 'lms'; main()"
)


def eventually(check, timeout: float = 60, what: str = "the workers"):
    """Wait until *check()* is true (returned), failing after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"{what} did not get there within {timeout} s")


@pytest.fixture(params=["sqlite", "redis"])
def queue_url(request) -> str:
    """The queue the web process and the workers share: SQLite in the instance folder, or Redis."""
    return "" if request.param == "sqlite" else request.getfixturevalue("redis_url")


@pytest.fixture
def start_worker(app, database_url, queue_url, tmp_path):
    """Start `lms worker` processes on the test database and queue, with *settings* as LMS_ variables; optionally
    with the clock at *clock* (seconds since the epoch). All are stopped after the test."""
    app.config["QUEUE_URL"] = queue_url
    processes, logs = [], []

    def start(clock: float | None = None, **settings) -> subprocess.Popen:
        env = {
            **os.environ,
            "LMS_ENV": "production",
            "LMS_SECRET_KEY": "test",
            "LMS_BASE_URL": "https://learn.example.eu",
            "LMS_DATABASE_URL": database_url,
            "LMS_INSTANCE_PATH": app.instance_path,
            "LMS_QUEUE_URL": queue_url,
            "LMS_JOB_LEASE_SECONDS": "2",
            **{f"LMS_{name}": str(value) for name, value in settings.items()},
        }
        command = [str(LMS), "worker", "--threads", "2"]
        if clock is not None:
            command = [sys.executable, "-c", TRAVELLER, str(clock), "worker", "--threads", "2"]
        logs.append((tmp_path / f"worker-{len(processes)}.log").open("w"))
        process = subprocess.Popen(command, env=env, stdout=logs[-1], stderr=subprocess.STDOUT)
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for log in logs:
        log.close()


class Server(Inbox):
    """An SMTP server that refuses busy@ for now (451) and keeps slow@ waiting the first time it is asked."""

    def __init__(self):
        super().__init__()
        self.slow_calls = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("busy@"):
            return "451 Mailbox busy, try again later"
        if address.startswith("slow@"):
            self.slow_calls += 1
            if self.slow_calls == 1:
                await asyncio.sleep(30)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.fixture
def smtp(app):
    """The SMTP server, and the settings that point the web process and the workers to it."""
    server = Server()
    controller = Controller(server, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port, "MAIL_SECURITY": "none"}
    app.config.update(settings)
    yield server, settings
    controller.stop()


def write_mail(app, *recipients) -> list[int]:
    """Queue a message to each of *recipients*, as a request would; return the messages' ids."""
    with app.app_context():
        ids = [queue_mail(recipient, "accounts/mail/no_account.txt", "en").id for recipient in recipients]
        db.session.commit()
        return ids


def message(app, message_id: int) -> OutboxMessage:
    with app.app_context():
        found = db.session.get(OutboxMessage, message_id)
        db.session.expunge(found)
        return found


def job_of(app, message_id: int) -> Job:
    with app.app_context():
        found = db.session.scalar(select(Job).where(Job.args["message_id"].as_integer() == message_id))
        db.session.expunge(found)
        return found


def test_a_refused_message_is_retried_then_given_up_and_the_next_leaves(app, smtp, start_worker):
    server, settings = smtp
    start_worker(JOB_RETRY_SECONDS=0.05, **settings)

    busy, next_one = write_mail(app, "busy@example.eu", "spela@example.eu")

    eventually(lambda: message(app, next_one).sent_at, what="the next message")
    eventually(lambda: job_of(app, busy).state == JobState.FAILED, what="the refused message's last attempt")
    refused = message(app, busy)
    assert [envelope.rcpt_tos for envelope in server.messages] == [["spela@example.eu"]]
    assert refused.attempts == 8 and "451" in refused.last_error
    job = job_of(app, busy)
    assert (job.state, job.attempts) == (JobState.FAILED, 8) and "Mailbox busy" in job.error


def test_a_killed_worker_loses_no_job(app, smtp, start_worker):
    server, settings = smtp
    first = start_worker(**settings)
    [slow] = write_mail(app, "slow@example.eu")
    eventually(lambda: server.slow_calls == 1, what="the first worker")  # it waits for the server's answer
    assert job_of(app, slow).state == JobState.RUNNING

    first.kill()  # SIGKILL in the middle of the SMTP conversation: no goodbye, no clean-up
    first.wait()
    time.sleep(2.5)  # the lease of its job lapses
    start_worker(**settings)

    eventually(lambda: job_of(app, slow).state == JobState.DONE, what="the second worker")
    assert message(app, slow).sent_at is not None
    assert [envelope.rcpt_tos for envelope in server.messages] == [["slow@example.eu"]]
    job = job_of(app, slow)
    assert (job.state, job.attempts) == (JobState.DONE, 2) and "worker stopped" in job.error


def test_periodic_jobs_run_once_however_many_workers_tick(app, start_worker):
    for _ in range(3):
        start_worker()

    def cleanups() -> int:
        with app.app_context():
            done = select(func.count()).where(Job.kind == "jobs.cleanup", Job.state == JobState.DONE)
            return db.session.scalar(done)

    eventually(cleanups, what="the first tick")
    time.sleep(3)  # every worker has ticked by now
    assert cleanups() == 1


def test_a_reminder_due_tomorrow_is_sent_once_when_the_clock_passes_it(app, evaluation, create_user, start_worker):
    learner = create_user("mojca@example.si", name="Mojca Kranjc")
    with app.app_context():
        survey = db.session.get(Survey, evaluation)
        survey.reminder_days = [1]
        invite(db.session.get(User, learner), survey)
        db.session.commit()
    today = time.time()

    def reminders() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count()).where(OutboxMessage.subject.startswith("Reminder: ")))

    def ticked(clock: float) -> None:
        """Run a worker with its clock at *clock* until its first periodic jobs are done, then stop it."""
        worker = start_worker(clock=clock)
        with app.app_context():
            before = db.session.scalar(select(func.count()).where(Job.kind == "surveys.reminders"))

        def reminder_job_done() -> bool:
            with app.app_context():
                done = select(func.count()).where(Job.kind == "surveys.reminders", Job.state == JobState.DONE)
                return db.session.scalar(done) > before

        eventually(reminder_job_done, what="the reminder job")
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=10)

    ticked(today)
    not_yet = reminders()
    ticked(today + 86400 + 3600)  # tomorrow, an hour after the reminder fell due
    sent = reminders()
    ticked(today + 86400 + 7200)  # an hour later: the job runs again
    again = reminders()

    assert (not_yet, sent, again) == (0, 1, 1)
