"""The production server as the README starts it: gunicorn with gunicorn.conf.py, attacked with slow clients, and
refused when its workers would count rate limits apart."""

import http.client
import os
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SLOW_CLIENTS = 50

pytestmark = pytest.mark.server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(tmp_path: Path, **settings) -> dict:
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "LMS_ENV": "production",
        "SECRET_KEY": "server-test",
        "LMS_INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'lms.sqlite'}",
        "LMS_TRUSTED_HOSTS": "127.0.0.1",
        **settings,
    }


def gunicorn(env: dict, port: int, workers: int = 2) -> subprocess.Popen:
    """Start gunicorn from the project folder, as the README does, with its configuration file; it logs to
    gunicorn.log in the instance folder."""
    command = [BIN / "gunicorn", "-c", "gunicorn.conf.py", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    with open(Path(env["LMS_INSTANCE_PATH"]) / "gunicorn.log", "a") as log:
        return subprocess.Popen([*command, "lms:create_app()"], env=env, cwd=ROOT, stdout=log, stderr=log)


def get(port: int, path: str = "/", timeout: float = 5) -> tuple[int, float]:
    """Return the status of a normal request and how long it took to answer."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        status = connection.getresponse().status
    finally:
        connection.close()
    return status, time.monotonic() - started


@contextmanager
def serving(env: dict, workers: int = 2):
    """Serve the platform on a free port; yield the port once it answers."""
    port, tmp = free_port(), Path(env["LMS_INSTANCE_PATH"])
    server = gunicorn(env, port, workers)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if get(port, timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (tmp / "gunicorn.log").read_text()
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=25)


def slow_client(stack: ExitStack, port: int) -> socket.socket:
    """A connection that starts a request and then sends its headers a few bytes at a time (slowloris)."""
    sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=2))
    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    return sock


def test_normal_requests_answer_within_a_second_while_50_slow_clients_hold_connections(tmp_path, redis_url):
    env = production_env(tmp_path, LMS_RATELIMIT_STORAGE_URI=redis_url)
    subprocess.run([BIN / "lms", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)

    with serving(env) as port, ExitStack() as stack:
        slow = [slow_client(stack, port) for _ in range(SLOW_CLIENTS)]
        answers = []
        for n in range(4):
            time.sleep(0.5)
            for sock in slow:
                sock.sendall(f"X-Trickle-{n}: a\r\n".encode())
            answers.append(get(port))

    assert [status for status, _ in answers] == [200] * 4
    assert max(seconds for _, seconds in answers) < 1, answers


def test_several_workers_counting_rate_limits_in_memory_refuse_to_start(tmp_path):
    env = production_env(tmp_path, LMS_RATELIMIT_STORAGE_URI="memory://")

    server = gunicorn(env, free_port())
    try:
        returncode = server.wait(timeout=20)
    finally:
        server.kill()

    assert returncode != 0
    assert "LMS_RATELIMIT_STORAGE_URI is memory://" in (tmp_path / "gunicorn.log").read_text()


def test_one_worker_may_count_rate_limits_in_memory(tmp_path):
    env = production_env(tmp_path, LMS_RATELIMIT_STORAGE_URI="memory://")
    subprocess.run([BIN / "lms", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)

    with serving(env, workers=1) as port:
        assert get(port)[0] == 200
