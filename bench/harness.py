"""Shared pieces of the benchmarks: a platform instance, gunicorn servers and a load generator.

Everything runs on 127.0.0.1, for a bounded number of seconds.
"""

import http.client
import os
import re
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

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORKERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def platform_environment(database_url: str = "") -> dict:
    """Return the environment of a production-like instance in a fresh temporary folder."""
    instance = tempfile.mkdtemp(prefix="lms-bench-")
    return {
        **os.environ, "LMS_ENV": "production", "SECRET_KEY": "bench-secret", "LMS_INSTANCE_PATH": instance,
        "LMS_TRUSTED_HOSTS": "127.0.0.1", "DATABASE_URL": database_url, "LMS_RATELIMIT_ENABLED": "false",
    }


def prepare_platform(env: dict) -> None:
    """Migrate the database, import the courses and load the demo data."""
    for command in (["db", "upgrade"], ["content", "import"], ["demo", "load"]):
        subprocess.run([BIN / "lms", *command], env=env, check=True, capture_output=True)


@contextmanager
def gunicorn(app: str, env: dict, workers: int = WORKERS):
    """Serve *app* with gunicorn on a free port of 127.0.0.1 and yield the port."""
    port = free_port()
    process = subprocess.Popen(
        [BIN / "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app],
        env=env, cwd=Path(__file__).parent,
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


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the form and return the session cookie header."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/accounts/sign-in")
    response = connection.getresponse()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode()).group(1)
    body = urlencode({"csrf_token": token, "email": email, "password": password})
    connection.request("POST", "/accounts/sign-in", body, {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}/"})
    response = connection.getresponse()
    response.read()
    return response.getheader("Set-Cookie").split(";")[0]


def location(port: int, path: str, cookie: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    return response.getheader("Location")


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


def load(port: int, path: str, headers: dict | None = None, seconds: float = 8, processes: int = 2, threads: int = 4) -> Figures:
    """Request *path* from several client processes for *seconds*; return throughput and latency."""
    _client(port, path, headers or {}, 0.5, 2)  # warm up the workers
    with ProcessPoolExecutor(processes) as pool:
        results = list(pool.map(_client, *zip(*[(port, path, headers or {}, seconds, threads)] * processes)))
    latencies = sorted(latency for batch, _ in results for latency in batch)
    return Figures(
        requests=len(latencies), seconds=seconds, errors=sum(errors for _, errors in results),
        p50_ms=1000 * statistics.median(latencies), p99_ms=1000 * latencies[int(len(latencies) * 0.99) - 1],
    )
