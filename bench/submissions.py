"""Survey submissions per second under concurrent clients, and proof that none is lost.

Each client answers the programme's evaluation through its public link as a browser would: it
loads the form (session cookie and CSRF token), then sends complete answers. Afterwards the
responses stored must equal the submissions the server accepted. Run with `make bench`.
"""

import http.client
import re
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from harness import WORKERS, gunicorn, platform_environment, prepare_platform

SECONDS, CLIENTS = 8, 8


def _answer_form(html: str) -> dict:
    """Fill every question of the form: the first choice of each radio group and select, one box, some text."""
    data = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1), "country": "SI"}
    for name, value in re.findall(r'<input[^>]*name="(q[\w-]+)"[^>]*type="radio"[^>]*value="([^"]+)"', html) + \
            re.findall(r'<input[^>]*type="radio"[^>]*name="(q[\w-]+)"[^>]*value="([^"]+)"', html):
        data.setdefault(name, value)
    for name, value in re.findall(r'<input[^>]*name="(q\d+)"[^>]*type="checkbox"[^>]*value="([^"]+)"', html):
        data.setdefault(name, value)
    for name in re.findall(r'<select[^>]*name="(q\d+)"', html):
        data.setdefault(name, re.search(rf'<select[^>]*name="{name}".*?<option[^>]*value="([^"]+)"', html, re.S).group(1))
    for name in re.findall(r'<(?:textarea|input)[^>]*name="(q\d+)"[^>]*(?:type="text"|rows)', html) + re.findall(r'<textarea[^>]*name="(q\d+)"', html):
        data.setdefault(name, "Useful and practical.")
    return data


def _client(port: int, token: str, deadline: float) -> tuple[int, int, list[float]]:
    accepted = failed = 0
    latencies = []
    while time.perf_counter() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", f"/surveys/s/{token}")
        response = connection.getresponse()
        cookie = response.getheader("Set-Cookie").split(";")[0]
        form = _answer_form(response.read().decode())
        started = time.perf_counter()
        connection.request("POST", f"/surveys/s/{token}", urlencode(form, doseq=True), {
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}/",
        })
        answer = connection.getresponse()
        body = answer.read().decode()
        latencies.append(time.perf_counter() - started)
        if answer.status == 200 and 'class="badge done"' in body:
            accepted += 1
        else:
            failed += 1
        connection.close()
    return accepted, failed, latencies


def main() -> str:
    env = platform_environment()
    prepare_platform(env)
    database = f"{env['LMS_INSTANCE_PATH']}/lms.sqlite"
    token = sqlite3.connect(database).execute("SELECT token FROM surveys_surveys").fetchone()[0]
    before = sqlite3.connect(database).execute("SELECT count(*) FROM surveys_responses").fetchone()[0]
    with gunicorn("lms:create_app()", env) as (port, _):
        deadline = time.perf_counter() + SECONDS
        with ThreadPoolExecutor(CLIENTS) as pool:
            results = list(pool.map(lambda _: _client(port, token, deadline), range(CLIENTS)))
    accepted, failed = sum(r[0] for r in results), sum(r[1] for r in results)
    latencies = sorted(latency for r in results for latency in r[2])
    stored = sqlite3.connect(database).execute("SELECT count(*) FROM surveys_responses").fetchone()[0] - before
    return "\n".join([
        f"{CLIENTS} concurrent clients answer the evaluation through its public link for {SECONDS} s (form loaded, then sent), "
        f"gunicorn with {WORKERS} sync workers, SQLite.",
        "",
        "| submissions/s | p50 ms | p99 ms | accepted | refused | stored | lost |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {accepted / SECONDS:.0f} | {1000 * latencies[len(latencies) // 2]:.0f} | {1000 * latencies[int(len(latencies) * 0.99) - 1]:.0f} "
        f"| {accepted} | {failed} | {stored} | {accepted - stored} |",
    ])


if __name__ == "__main__":
    print(main())
