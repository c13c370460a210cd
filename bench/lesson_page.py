"""How many lesson pages per second the platform serves, against a bare Flask page.

Both are served by gunicorn with the same worker count on this machine; the figure that
travels between machines is the ratio. Run with `make bench` (or `.venv/bin/python bench/lesson_page.py`).
"""

import sys

from harness import WORKERS, gunicorn, load, location, platform_environment, prepare_platform, sign_in

LEARNER = "maria.ivanova@burgas.example"


def main() -> str:
    env = platform_environment(sys.argv[1] if len(sys.argv) > 1 else "")
    prepare_platform(env)
    with gunicorn("bare:app", env) as (port, _):
        bare = load(port, "/")
    with gunicorn("lms:create_app()", env) as (port, _):
        cookie = sign_in(port, LEARNER, "clarinet-demo")
        lesson_path = location(port, "/courses/positive-stories/continue", cookie)
        lesson = load(port, lesson_path, {"Cookie": cookie})
    rows = [("bare Flask page", bare), (f"lesson page ({lesson_path})", lesson)]
    table = [
        f"gunicorn with {WORKERS} sync workers, 8 concurrent clients for 8 s each, "
        f"{'PostgreSQL' if 'postgres' in env['DATABASE_URL'] else 'SQLite'}, a signed-in learner.",
        "",
        "| page | requests/s | p50 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(f"| {name} | {f.per_second:.0f} | {f.p50_ms:.1f} | {f.p99_ms:.1f} | {f.errors} |" for name, f in rows),
        "",
        f"The lesson page runs at **{lesson.per_second / bare.per_second:.0%}** of the bare page's throughput.",
    ]
    return "\n".join(table)


if __name__ == "__main__":
    print(main())
