"""Shared pieces of the benchmarks: a platform instance, databases, gunicorn servers and a load generator.

Everything runs on 127.0.0.1, for a bounded number of seconds; temporary folders are removed at exit.
"""

import atexit
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from lms.core.config import database_uri
from lms.core.demo import DEMO_PASSWORD

BIN = Path(sys.executable).parent
WORKERS = 2
LEARNER = "maria.ivanova@burgas.example"  # a demo learner in the middle of the positive-stories course
#: The shared PostgreSQL server; each benchmark creates and drops its own database there.
POSTGRES_SERVER = os.environ.get("LMS_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def temporary_folder() -> str:
    """Return a new temporary folder, removed when the benchmark process ends."""
    folder = tempfile.mkdtemp(prefix="lms-bench-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@contextmanager
def postgres_database(name: str, server: str = POSTGRES_SERVER):
    """Create the database *name* afresh on *server*, yield its URL and drop it afterwards."""
    admin = create_engine(database_uri(f"{server}/postgres", ""), isolation_level="AUTOCOMMIT", poolclass=NullPool)

    def drop(and_create: bool) -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if and_create:
                connection.execute(text(f'CREATE DATABASE "{name}"'))

    try:
        drop(and_create=True)
    except OperationalError as error:
        raise RuntimeError(
            f"The benchmarks need PostgreSQL at {server} (set LMS_BENCH_POSTGRES): {error.orig}"
        ) from None
    try:
        yield f"{server}/{name}"
    finally:
        drop(and_create=False)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster run by the postgres user on a free port of 127.0.0.1, for fault injection."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.server = f"postgresql://postgres@127.0.0.1:{self.port}"

    def _run(self, program: str, *arguments) -> None:
        binary = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"))[-1]
        subprocess.run(
            ["runuser", "-u", "postgres", "--", binary, *arguments], check=True, capture_output=True, timeout=120
        )

    def pg_ctl(self, *arguments) -> None:
        self._run("pg_ctl", "--pgdata", self.folder / "data", "--log", self.folder / "server.log", "--wait", *arguments)

    def start(self) -> None:
        self._run("initdb", "--pgdata", self.folder / "data", "--auth", "trust", "--username", "postgres")
        with open(self.folder / "data" / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.folder}'\n"
            )
        self.pg_ctl("start")

    def restart(self) -> None:
        """Restart the server the way an operator would (fast: open connections are cut)."""
        self.pg_ctl("restart", "--mode", "fast")


@contextmanager
def private_postgres():
    """Yield a started PrivatePostgres; stop it and remove its folder afterwards, also on failure."""
    folder = Path(tempfile.mkdtemp(prefix="lms-bench-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    cluster = PrivatePostgres(folder)
    try:
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.pg_ctl("stop", "--mode", "immediate")
        except subprocess.SubprocessError:
            pass  # it never started
        shutil.rmtree(folder, ignore_errors=True)


def on_sqlite_and_postgres(measure, database: str) -> list:
    """Return measure(URL) on SQLite (an empty URL: the instance's default) and on a fresh PostgreSQL *database*."""
    results = [measure("")]
    with postgres_database(database) as url:
        results.append(measure(url))
    return results


def database_label(database_url: str) -> str:
    return "PostgreSQL" if database_url.startswith("postgres") else "SQLite"


def platform_environment(database_url: str = "") -> dict:
    """Return the environment of a production-like instance in a fresh temporary folder."""
    instance = temporary_folder()
    return {
        **os.environ,
        "LMS_ENV": "production",
        "SECRET_KEY": "bench-secret",
        "LMS_INSTANCE_PATH": instance,
        "LMS_TRUSTED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "LMS_RATELIMIT_ENABLED": "false",
    }


def prepare_platform(env: dict) -> None:
    """Migrate the database, import the courses and load the demo data."""
    for command in (["db", "upgrade"], ["content", "import"], ["demo", "load", "--allow-production"]):
        subprocess.run([BIN / "lms", *command], env=env, check=True, capture_output=True)


def scalar(env: dict, sql: str, **parameters):
    """Return the first value that *sql* selects from the instance's database."""
    engine = create_engine(database_uri(env["DATABASE_URL"], env["LMS_INSTANCE_PATH"]))
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), parameters).scalar()
    finally:
        engine.dispose()


@contextmanager
def gunicorn(app: str, env: dict, workers: int = WORKERS):
    """Serve *app* with gunicorn on a free port of 127.0.0.1; yield the port and the master process.

    The server's own messages go to gunicorn.log in the instance folder.
    """
    port = free_port()
    with open(Path(env["LMS_INSTANCE_PATH"]) / "gunicorn.log", "a") as log:
        process = subprocess.Popen(
            [BIN / "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app],
            env=env,
            cwd=Path(__file__).parent,
            stdout=log,
            stderr=log,
        )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def worker_pids(master: subprocess.Popen) -> list[int]:
    """Return the process ids of a gunicorn master's workers."""
    return [int(pid) for pid in Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()]


def rss_mib(pid: int) -> float:
    """Return the resident memory (VmRSS) of process *pid* in MiB."""
    line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the form and return the Cookie header of what it sets (the session, the known device)."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/accounts/sign-in")
    response = connection.getresponse()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode()).group(1)
    body = urlencode({"csrf_token": token, "email": email, "password": password})
    connection.request(
        "POST",
        "/accounts/sign-in",
        body,
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}/"},
    )
    response = connection.getresponse()
    response.read()
    return "; ".join(cookie.split(";")[0] for cookie in response.msg.get_all("Set-Cookie"))


def learner_lesson(port: int) -> tuple[str, str]:
    """Sign in the demo learner; return the path of her current lesson of positive-stories and her session cookie."""
    cookie = sign_in(port, LEARNER, DEMO_PASSWORD)
    return get(port, "/courses/positive-stories/continue", cookie)[1], cookie


def get(port: int, path: str, cookie: str = "") -> tuple[int, str | None, str]:
    """Request *path* once; return the status, the Location header and the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.getheader("Location"), response.read().decode()
    finally:
        connection.close()


def answer_form(html: str) -> dict:
    """Fill every question of a survey form: the first choice of each radio group and select, one box, some text."""
    data = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1), "country": "SI"}
    for name, value in re.findall(
        r'<input[^>]*name="(q[\w-]+)"[^>]*type="radio"[^>]*value="([^"]+)"', html
    ) + re.findall(r'<input[^>]*type="radio"[^>]*name="(q[\w-]+)"[^>]*value="([^"]+)"', html):
        data.setdefault(name, value)
    for name, value in re.findall(r'<input[^>]*name="(q\d+)"[^>]*type="checkbox"[^>]*value="([^"]+)"', html):
        data.setdefault(name, value)
    for name in re.findall(r'<select[^>]*name="(q\d+)"', html):
        data.setdefault(
            name, re.search(rf'<select[^>]*name="{name}".*?<option[^>]*value="([^"]+)"', html, re.S).group(1)
        )
    for name in re.findall(r'<(?:textarea|input)[^>]*name="(q\d+)"[^>]*(?:type="text"|rows)', html) + re.findall(
        r'<textarea[^>]*name="(q\d+)"', html
    ):
        data.setdefault(name, "Useful and practical.")
    return data


@dataclass
class Submission:
    status: int  # the answer to the sending, or to loading the form when that failed
    accepted: bool  # the thank-you page came back
    seconds: float  # how long the sending took


def submit_survey(port: int, token: str) -> Submission:
    """Answer a survey through its public link as a browser would: load the form, then send complete answers.

    A dropped connection raises OSError or http.client.HTTPException.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", f"/surveys/s/{token}")
        response = connection.getresponse()
        html = response.read().decode()
        if response.status != 200:
            return Submission(response.status, False, 0.0)
        cookie = response.getheader("Set-Cookie").split(";")[0]
        started = time.perf_counter()
        connection.request(
            "POST",
            f"/surveys/s/{token}",
            urlencode(answer_form(html), doseq=True),
            {
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{port}/",
            },
        )
        answer = connection.getresponse()
        accepted = answer.status == 200 and 'class="badge done"' in answer.read().decode()
        return Submission(answer.status, accepted, time.perf_counter() - started)
    finally:
        connection.close()


def _client(port: int, path: str, headers: dict, seconds: float, threads: int) -> tuple[list[float], int]:
    def run() -> tuple[list[float], int]:
        connection = http.client.HTTPConnection("127.0.0.1", port)
        latencies, errors, deadline = [], 0, time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            errors += response.status >= 400
        return latencies, errors

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(lambda _: run(), range(threads)))
    return [latency for latencies, _ in results for latency in latencies], sum(errors for _, errors in results)


def p50_p99_ms(latencies: list[float]) -> tuple[float, float]:
    """Return the median and the 99th percentile of *latencies* (seconds) in milliseconds."""
    ordered = sorted(latencies)
    return 1000 * statistics.median(ordered), 1000 * ordered[max(0, int(len(ordered) * 0.99) - 1)]


@dataclass
class Figures:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def load(
    port: int, path: str, headers: dict | None = None, seconds: float = 8, processes: int = 2, threads: int = 4
) -> Figures:
    """Request *path* from several client processes for *seconds*; return throughput and latency."""
    _client(port, path, headers or {}, 0.5, 2)  # warm up the workers
    with ProcessPoolExecutor(processes) as pool:
        results = list(
            pool.map(_client, *zip(*[(port, path, headers or {}, seconds, threads)] * processes, strict=True))
        )
    latencies = [latency for batch, _ in results for latency in batch]
    p50_ms, p99_ms = p50_p99_ms(latencies)
    return Figures(
        requests=len(latencies),
        seconds=seconds,
        errors=sum(errors for _, errors in results),
        p50_ms=p50_ms,
        p99_ms=p99_ms,
    )
