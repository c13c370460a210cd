"""Survey submissions per second under concurrent clients, and proof that none is lost, on SQLite and PostgreSQL.

Each client answers the programme's evaluation through its public link as a browser would: it
loads the form (session cookie and CSRF token), then sends complete answers. Afterwards the
responses stored must equal the submissions the server accepted. Run with `make bench`.
"""

import time
from concurrent.futures import ThreadPoolExecutor

from harness import (
    WORKERS,
    database_label,
    gunicorn,
    on_sqlite_and_postgres,
    p50_p99_ms,
    platform_environment,
    prepare_platform,
    scalar,
    submit_survey,
)

SECONDS, CLIENTS = 6, 8
STORED = "SELECT count(*) FROM surveys_responses"


def _client(port: int, token: str, deadline: float) -> list:
    submissions = []
    while time.perf_counter() < deadline:
        submissions.append(submit_survey(port, token))
    return submissions


def measure(database_url: str) -> str:
    """Submit for SECONDS on a fresh instance; return the table row."""
    env = platform_environment(database_url)
    prepare_platform(env)
    token = scalar(env, "SELECT token FROM surveys_surveys")
    before = scalar(env, STORED)
    with gunicorn("lms:create_app()", env) as (port, _):
        deadline = time.perf_counter() + SECONDS
        with ThreadPoolExecutor(CLIENTS) as pool:
            submissions = [
                s for batch in pool.map(lambda _: _client(port, token, deadline), range(CLIENTS)) for s in batch
            ]
    accepted = sum(s.accepted for s in submissions)
    stored = scalar(env, STORED) - before
    p50, p99 = p50_p99_ms([s.seconds for s in submissions])
    return (
        f"| {database_label(database_url)} | {accepted / SECONDS:.0f} | {p50:.0f} | {p99:.0f} | {accepted} "
        f"| {len(submissions) - accepted} | {stored} | {accepted - stored} |"
    )


def main() -> str:
    rows = on_sqlite_and_postgres(measure, "lms_bench_submissions")
    return "\n".join(
        [
            f"{CLIENTS} concurrent clients answer the evaluation through its public link for {SECONDS} s "
            f"(form loaded, then sent), gunicorn with {WORKERS} sync workers. Latency is the sending alone.",
            "",
            "| database | submissions/s | p50 ms | p99 ms | accepted | refused | stored | lost |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            *rows,
            "",
            "Lost is accepted minus stored: every thank-you page must stand for a stored response. "
            "A submission is two requests, loading the form and sending it; the form alone is in the pages table, "
            "and rendering it is most of a submission's cost.",
        ]
    )


if __name__ == "__main__":
    print(main())
