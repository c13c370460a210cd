"""Request latency without the work a worker does: password resets while the SMTP server is slow.

A reset request writes the message and its job; `lms worker` sends it. The same requests are timed with no mail
server, and with an SMTP server that takes 300 ms to accept each message, while a worker delivers them; the time
for the worker to deliver them all is measured too.
Run with `make bench` (or `.venv/bin/python bench/background.py`).
"""

import asyncio
import http.client
import re
import smtplib
import statistics
import subprocess
import time
from contextlib import contextmanager
from email.message import EmailMessage
from urllib.parse import urlencode

from aiosmtpd.controller import Controller
from harness import BIN, LEARNER, free_port, gunicorn, platform_environment, prepare_platform, scalar

REQUESTS = 40
SMTP_DELAY = 0.3


class SlowServer:
    """An SMTP server that takes SMTP_DELAY seconds to accept each message."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(SMTP_DELAY)
        return "250 Message accepted for delivery"


@contextmanager
def slow_smtp():
    controller = Controller(SlowServer(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def ask_reset(port: int) -> float:
    """Ask for a password reset through the form, as a browser does; return the seconds the POST took."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/accounts/password-reset")
        response = connection.getresponse()
        cookie = response.getheader("Set-Cookie").split(";")[0]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode()).group(1)
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        started = time.perf_counter()
        connection.request(
            "POST", "/accounts/password-reset", urlencode({"csrf_token": token, "email": LEARNER}), headers
        )
        response = connection.getresponse()
        response.read()
        if response.status != 302:
            raise RuntimeError(f"the reset request answered {response.status}")
        return time.perf_counter() - started
    finally:
        connection.close()


def one_smtp_send(port: int) -> float:
    """Return the seconds that one SMTP conversation with the slow server takes: what a request used to wait."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "lms@example.eu", LEARNER, "Reset"
    message.set_content("Hello.")
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(message)
    return time.perf_counter() - started


def timed_resets(env: dict) -> list[float]:
    with gunicorn("lms:create_app()", env) as (port, _master):
        ask_reset(port)  # warm up
        return [ask_reset(port) for _ in range(REQUESTS)]


def summary(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    return f"{1000 * statistics.median(ordered):.1f} | {1000 * ordered[int(0.95 * (len(ordered) - 1))]:.1f}"


def main() -> str:
    env = platform_environment()
    prepare_platform(env)
    without_mail = timed_resets(env)
    with slow_smtp() as smtp_port:
        mail = {"LMS_MAIL_SERVER": "127.0.0.1", "LMS_MAIL_PORT": str(smtp_port), "LMS_MAIL_SECURITY": "none"}
        inline = statistics.median(one_smtp_send(smtp_port) for _ in range(5))
        worker = subprocess.Popen(
            [BIN / "lms", "worker", "--threads", "4"],
            env={**env, **mail, "LMS_BASE_URL": "https://learn.example.eu"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            started = time.perf_counter()
            with_slow_mail = timed_resets({**env, **mail})
            sent_sql = f"SELECT count(*) FROM core_outbox WHERE sent_at IS NOT NULL AND recipient = '{LEARNER}'"
            while scalar(env, sent_sql) < REQUESTS + 1 and time.perf_counter() - started < 120:
                time.sleep(0.2)
            delivered, delivery_seconds = scalar(env, sent_sql), time.perf_counter() - started
        finally:
            worker.terminate()
            worker.wait(timeout=10)
    return "\n".join(
        [
            f"SQLite, gunicorn with 2 workers, {REQUESTS} password resets one after another (a known address, so a "
            f"message with a one-time link is written each time); the SMTP server takes {SMTP_DELAY * 1000:.0f} ms "
            "to accept a message, and one `lms worker` (4 threads) sends them.",
            "",
            "| reset request | p50 ms | p95 ms |",
            "| --- | ---: | ---: |",
            f"| no mail server (messages stay in the outbox) | {summary(without_mail)} |",
            f"| slow SMTP server, a worker sending | {summary(with_slow_mail)} |",
            "",
            f"One SMTP conversation with that server takes {inline * 1000:.0f} ms: what each request waited for "
            f"when it sent its own mail. The worker had delivered {delivered} of {REQUESTS + 1} messages "
            f"{delivery_seconds:.1f} s after the first request.",
        ]
    )


if __name__ == "__main__":
    print(main())
