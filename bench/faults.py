"""Mixed load with faults on PostgreSQL: readers and submitters for a fixed time, steady, with a gunicorn
worker killed mid-load and with the database restarted mid-load.

The database is a private throwaway PostgreSQL cluster (never the shared server), since it is
restarted. Clients behave like people with a browser: after an error page or a dropped connection
they wait a moment, reload the form and send again. Afterwards every accepted submission (the
thank-you page came back) must be stored. Run with `make bench` (or `.venv/bin/python bench/faults.py`).
"""

import os
import re
import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.client import HTTPException
from itertools import cycle
from pathlib import Path

from harness import (
    WORKERS,
    get,
    gunicorn,
    learner_lesson,
    platform_environment,
    postgres_database,
    prepare_platform,
    private_postgres,
    scalar,
    submit_survey,
    worker_pids,
)

SECONDS, FAULT_AT = 10, 4
READERS, SUBMITTERS = 4, 4
RELOAD_PAUSE = 0.5  # how long a person waits before reloading after an error page or a dropped connection
STORED = "SELECT count(*) FROM surveys_responses"


@dataclass
class Platform:
    """The running platform under load: its instance, port, the pages readers read and the survey's token."""

    env: dict
    port: int
    pages: list[tuple[str, str]]
    token: str


@dataclass
class Tally:
    """What one client met: successful reads, accepted submissions (when each came back), other answers and drops."""

    reads: int = 0
    accepted: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    dropped: int = 0

    def add(self, other: "Tally") -> None:
        self.reads += other.reads
        self.accepted += other.accepted
        self.statuses += other.statuses
        self.dropped += other.dropped


def _reader(port: int, pages: list[tuple[str, str]], deadline: float) -> Tally:
    tally = Tally()
    for path, cookie in cycle(pages):
        if time.perf_counter() >= deadline:
            return tally
        try:
            status = get(port, path, cookie)[0]
        except (OSError, HTTPException):
            tally.dropped += 1
            time.sleep(RELOAD_PAUSE)
            continue
        if status == 200:
            tally.reads += 1
        else:
            tally.statuses[status] += 1
            time.sleep(RELOAD_PAUSE)


def _submitter(port: int, token: str, deadline: float) -> Tally:
    tally = Tally()
    while time.perf_counter() < deadline:
        try:
            submission = submit_survey(port, token)
        except (OSError, HTTPException):
            tally.dropped += 1
            time.sleep(RELOAD_PAUSE)
            continue
        if submission.accepted:
            tally.accepted.append(time.perf_counter())
        else:
            tally.statuses[submission.status] += 1
            time.sleep(RELOAD_PAUSE)
    return tally


def kill_a_worker(master) -> None:
    """SIGKILL one gunicorn worker and wait (10 s at most) until the master has started a new one."""
    victim = worker_pids(master)[0]
    os.kill(victim, signal.SIGKILL)
    give_up = time.perf_counter() + 10
    while (victim in worker_pids(master) or len(worker_pids(master)) < WORKERS) and time.perf_counter() < give_up:
        time.sleep(0.01)


def scenario(name: str, fault, platform: Platform) -> str:
    """Run the mixed load for SECONDS, call *fault* after FAULT_AT seconds, and return the table row."""
    before = scalar(platform.env, STORED)
    started = time.perf_counter()
    deadline = started + SECONDS
    with ThreadPoolExecutor(READERS + SUBMITTERS) as pool:
        futures = [pool.submit(_reader, platform.port, platform.pages, deadline) for _ in range(READERS)]
        futures += [pool.submit(_submitter, platform.port, platform.token, deadline) for _ in range(SUBMITTERS)]
        time.sleep(FAULT_AT)
        fault_started = time.perf_counter()
        fault()
        fault_ended = time.perf_counter()
        tally = Tally()
        for future in futures:
            tally.add(future.result())
    stored = scalar(platform.env, STORED) - before
    accepted = len(tally.accepted)
    lost, unacknowledged = max(0, accepted - stored), max(0, stored - accepted)
    before_rate = sum(t < fault_started for t in tally.accepted) / (fault_started - started)
    after_rate = sum(t > fault_ended for t in tally.accepted) / (deadline - fault_ended)
    recovery = min((t for t in tally.accepted if t > fault_ended), default=None)
    other_5xx = sum(count for status, count in tally.statuses.items() if status >= 500 and status != 503)
    other_4xx = sum(count for status, count in tally.statuses.items() if status < 500)
    return (
        f"| {name} | {tally.reads} | {accepted} | {stored} | {lost} | {unacknowledged} | {tally.statuses[503]} "
        f"| {other_5xx} | {other_4xx} | {tally.dropped} | {before_rate:.0f} → {after_rate:.0f} "
        f"| {fault_ended - fault_started:.1f} "
        f"| {'—' if recovery is None else f'{recovery - fault_ended:.2f}'} |"
    )


def escaped_errors(log: str) -> list[str]:
    """Describe each request that failed with a traceback in the server log.

    Each as its request, the last frame of our code or Flask's, and the exception.
    """
    failures = []
    for entry in re.split(r"\n(?=\[\d{4}-)", log):
        request = re.search(r"Error handling request (.+)|ERROR in errors: (Unhandled error)", entry)
        if request:
            frames = re.findall(r'File ".*?((?:lms|flask|flask_sqlalchemy)/[\w/]+\.py)", line (\d+), in (\w+)', entry)
            exceptions = [line for line in entry.splitlines() if re.match(r"[a-z][\w.]*\.\w*(Error|Exception)\b", line)]
            where = f" in {frames[-1][2]} ({frames[-1][0]}:{frames[-1][1]})" if frames else ""
            failures.append(f"{request.group(1) or request.group(2)}{where}: {exceptions[-1] if exceptions else '?'}")
    return failures


def main() -> str:
    with private_postgres() as cluster, postgres_database("lms_bench_faults", cluster.server) as url:
        env = platform_environment(url)
        prepare_platform(env)
        with gunicorn("lms:create_app()", env) as (port, master):
            platform = Platform(
                env, port, [("/courses/", ""), learner_lesson(port)], scalar(env, "SELECT token FROM surveys_surveys")
            )
            rows = [
                scenario("steady", lambda: None, platform),
                scenario("a gunicorn worker SIGKILLed", lambda: kill_a_worker(master), platform),
                scenario("PostgreSQL restarted (fast)", cluster.restart, platform),
            ]
        failures = escaped_errors(Path(env["LMS_INSTANCE_PATH"], "gunicorn.log").read_text())
    return "\n".join(
        [
            f"{READERS} readers (catalogue and a signed-in learner's lesson) and {SUBMITTERS} submitters "
            f"(the evaluation through its public link) for {SECONDS} s, gunicorn with {WORKERS} sync workers, "
            f"a private PostgreSQL cluster; the fault strikes after {FAULT_AT} s. After an error page or a dropped "
            f"connection a client waits {RELOAD_PAUSE} s, reloads the form and sends again.",
            "",
            "| scenario | pages read | submissions accepted | stored | lost | stored, not acknowledged | 503 "
            "| other 5xx | 4xx | dropped connections | submissions/s before → after the fault | fault s "
            "| first accepted after it, s |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            *rows,
            "",
            "Lost counts accepted submissions (the thank-you page came back) missing from the database and must be 0. "
            '"Stored, not acknowledged" counts responses stored whose thank-you page never reached the client '
            "(an error or a dropped connection after the commit); the person sees a failure and may send again. "
            "A 503 (the platform's answer while the database is away, with Retry-After) or a dropped connection "
            'is a refused submission, which the client sends again. "Fault s" is how long the fault took: '
            "until the master had started a new worker, or until PostgreSQL accepted connections again; "
            "the last column is the time from then to the first accepted submission.",
            "",
            "Requests that failed outside the platform's error pages (a traceback in the server log): "
            f"{len(failures)}.",
            *(f"- {failure}" for failure in failures),
        ]
    )


if __name__ == "__main__":
    print(main())
