"""Requests per second and latency of the platform's main pages, against a bare Flask page, on SQLite and PostgreSQL.

Each page is served by gunicorn with the same fixed worker count as the bare page (the ceiling) and
loaded for a few seconds by concurrent clients on this machine; the figure that travels between
machines is the share of the ceiling. Afterwards the memory (RSS) of each worker is read.
Run with `make bench` (or `.venv/bin/python bench/pages.py`).
"""

from dataclasses import dataclass

from harness import (
    WORKERS,
    Figures,
    database_label,
    get,
    gunicorn,
    learner_lesson,
    load,
    on_sqlite_and_postgres,
    platform_environment,
    prepare_platform,
    rss_mib,
    scalar,
    sign_in,
    worker_pids,
)

from lms.core.demo import DEMO_PASSWORD

SECONDS = 5
TRAINER = "trainer@clarinet.example"
VALID_CERTIFICATE = (
    "SELECT code FROM certificates_certificates WHERE revoked_at IS NULL AND replaced_at IS NULL ORDER BY id"
)


@dataclass
class Run:
    """The figures of one database: the ceiling, each page, and the workers' memory (MiB) after the load."""

    database: str
    bare: Figures
    pages: list[tuple[str, Figures]]
    bare_rss: list[float]
    platform_rss: list[float]


def _page_paths(env: dict, port: int) -> list[tuple[str, str, str]]:
    """Return (name, path, cookie) of each page, checked to answer 200 with its real content."""
    (lesson, learner), trainer = learner_lesson(port), sign_in(port, TRAINER, DEMO_PASSWORD)
    pages = [
        ("catalogue", "/courses/", ""),
        ("lesson, signed-in learner", lesson, learner),
        ("survey form, public link", f"/surveys/s/{scalar(env, 'SELECT token FROM surveys_surveys')}", ""),
        ("dashboard, signed-in trainer", "/dashboards/", trainer),
        ("certificate verification", f"/certificates/verify/{scalar(env, VALID_CERTIFICATE)}", ""),
    ]
    for name, path, cookie in pages:
        status, _, body = get(port, path, cookie)
        if status != 200 or "/accounts/sign-in" in path or "verify" in path and 'class="result passed"' not in body:
            raise RuntimeError(f"{name} ({path}) answered {status}, not the page to measure")
    return pages


def measure(database_url: str) -> Run:
    """Load the bare page, then each platform page, on a fresh instance."""
    env = platform_environment(database_url)
    prepare_platform(env)
    with gunicorn("bare:app", env) as (port, master):
        bare = load(port, "/", seconds=SECONDS)
        bare_rss = [rss_mib(pid) for pid in worker_pids(master)]
    with gunicorn("lms:create_app()", env) as (port, master):
        pages = [
            (name, load(port, path, {"Cookie": cookie} if cookie else {}, seconds=SECONDS))
            for name, path, cookie in _page_paths(env, port)
        ]
        platform_rss = [rss_mib(pid) for pid in worker_pids(master)]
    return Run(database_label(database_url), bare, pages, bare_rss, platform_rss)


def _row(name: str, database: str, figures: Figures, bare: Figures) -> str:
    return (
        f"| {name} | {database} | {figures.per_second:.0f} | {figures.p50_ms:.1f} | {figures.p99_ms:.1f} "
        f"| {figures.errors} | {figures.per_second / bare.per_second:.1%} |"
    )


def _mib(values: list[float]) -> str:
    return " / ".join(f"{value:.0f}" for value in values)


def main() -> str:
    runs = on_sqlite_and_postgres(measure, "lms_bench_pages")
    share, name, database = min(
        (figures.per_second / run.bare.per_second, name, run.database) for run in runs for name, figures in run.pages
    )
    extra = max(rss for run in runs for rss in run.platform_rss) - min(rss for run in runs for rss in run.bare_rss)
    return "\n".join(
        [
            f"gunicorn with {WORKERS} sync workers; 8 concurrent clients (2 processes × 4 threads) "
            f"for {SECONDS} s a page, after a short warm-up. Demo data. Errors are answers of 400 or more.",
            "",
            "| page | database | requests/s | p50 ms | p99 ms | errors | of the bare page |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
            *(
                line
                for run in runs
                for line in [
                    _row("bare Flask page (ceiling)", run.database, run.bare, run.bare),
                    *(_row(name, run.database, figures, run.bare) for name, figures in run.pages),
                ]
            ),
            "",
            "The last column is the page's throughput as a share of the bare page's, same database, same run: "
            "at 10 % a worker does the work of ten bare pages (queries, access checks, translation, templates) "
            f"for each page it serves. The lowest share is the {name} on {database}: {share:.1%}.",
            "",
            "Memory of each gunicorn worker after the load (VmRSS, MiB):",
            "",
            "| database | platform workers | bare Flask workers |",
            "| --- | ---: | ---: |",
            *(f"| {run.database} | {_mib(run.platform_rss)} | {_mib(run.bare_rss)} |" for run in runs),
            "",
            f"A platform worker holds at most {extra:.0f} MiB more than a bare Flask worker: the platform's code, "
            "its libraries and translations, and what the pages above loaded.",
        ]
    )


if __name__ == "__main__":
    print(main())
