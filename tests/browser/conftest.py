"""The platform served as in production (gunicorn, migrated database, courses and demo data) and a
headless Chromium that drives it, with an axe-core audit of every page the journeys reach.

Chromium is Debian's (`/usr/bin/chromium`, or LMS_TEST_CHROMIUM); without it the journeys are
skipped with that reason, except in CI, where they fail.
"""

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest
import redis
from axe_playwright_python.sync_playwright import Axe
from babel.support import Translations
from playwright.sync_api import Locator, Page, expect, sync_playwright
from sqlalchemy import create_engine, make_url, select, text

from lms import create_app
from lms.core.models import OutboxMessage
from lms.extensions import db

TEST_DATABASE_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")
CHROMIUM = Path(os.environ.get("LMS_TEST_CHROMIUM", "/usr/bin/chromium"))
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "clarinet-demo"
#: The flags Chromium needs as root on a machine without a network beyond loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@dataclass
class Platform:
    """A running platform: its address, and an app on its database to read what the pages did."""

    url: str
    app: object

    def mail_link(self, recipient: str) -> str:
        """Return the one-time link of the newest e-mail to *recipient* (kept apart from the body until it leaves)."""
        with self.app.app_context():
            link = db.session.scalars(
                select(OutboxMessage.secret_link)
                .where(OutboxMessage.recipient == recipient)
                .order_by(OutboxMessage.id.desc())
            ).first()
        assert link, f"no e-mail to {recipient}"
        return link


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database(instance: Path) -> str:
    """A database of its own: a file beside the instance, or a fresh PostgreSQL database in CI's run."""
    if not TEST_DATABASE_URL:
        return f"sqlite:///{instance / 'lms.sqlite'}"
    name = make_url(TEST_DATABASE_URL).database + "_browser"  # beside the test database: runs side by side
    url = TEST_DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    engine = create_engine(
        TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url


def _rate_limit_storage(env: dict) -> int:
    """Count rate limits in Redis shared by two workers, as in production; one worker where no Redis listens."""
    url = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"no Redis server at {url}, which CI needs")
        return 1
    env["LMS_RATELIMIT_STORAGE_URI"] = url
    return 2


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    """Serve the platform with gunicorn as in production (gunicorn.conf.py, two workers) on a free port, loaded with
    the demo data."""
    instance = tmp_path_factory.mktemp("platform")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "LMS_ENV": "production",
        "SECRET_KEY": "browser-journeys",
        "LMS_INSTANCE_PATH": str(instance),
        "DATABASE_URL": _database(instance),
        "LMS_TRUSTED_HOSTS": "127.0.0.1",
        "LMS_BASE_URL": url,
        # The journeys sign in a dozen times from one address; the limits themselves are tested elsewhere.
        "LMS_SIGN_IN_RATE_LIMIT": "100 per minute",
    }
    workers = _rate_limit_storage(env)
    for command in (["db", "upgrade"], ["content", "import"], ["demo", "load", "--allow-production"]):
        subprocess.run([BIN / "lms", *command], env=env, cwd=ROOT, check=True, capture_output=True)
    log = instance / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [
                BIN / "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "lms:create_app()",
            ],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=output,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            with mock.patch.dict(os.environ, {"LMS_INSTANCE_PATH": str(instance)}):  # what a job run here stores,
                settings = {"TESTING": True, "SECRET_KEY": "browser-journeys", "DATABASE_URL": env["DATABASE_URL"]}
                app = create_app(settings)  # the server serves: the same instance folder and file store
            yield Platform(url, app)
            with app.app_context():
                db.engine.dispose()
        finally:
            server.terminate()
            server.wait(timeout=10)
    assert "Traceback" not in log.read_text(), f"the server failed during the journeys:\n{log.read_text()}"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM}: install Debian's chromium package (or set LMS_TEST_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Person:
    """Someone at a browser: their page, the language they read, and the axe audit of what they see."""

    page: Page
    language: str
    audited: set = field(default_factory=set)

    def t(self, message: str, **values) -> str:
        """*message* as this person reads it, from the platform's own catalogue."""
        return (
            _translations(self.language).gettext(message) % values
            if values
            else _translations(self.language).gettext(message)
        )

    def follow(self, target: Locator) -> None:
        """Click a link or a form's button, wait for the page it leads to, and audit that page."""
        with self.page.expect_navigation():
            target.click()
        self.audit()

    def go(self, menu_entry: str) -> None:
        """Open *menu_entry* (translated) from the main menu."""
        menu = self.page.get_by_role("navigation", name=self.t("Main menu"))
        self.follow(menu.get_by_role("link", name=self.t(menu_entry), exact=True))

    def sees(self, heading: str, **values) -> None:
        """Check that the page's main heading is *heading* (translated), then audit the page."""
        expect(self.page.locator("main h1")).to_have_text(self.t(heading, **values))
        self.audit()

    def audit(self) -> None:
        """Run axe-core (WCAG 2.0 and 2.1, A and AA) once per page and language; fail on any violation."""
        key = (
            self.page.evaluate("document.documentElement.lang"),
            re.sub(r"/\d+|/[\w-]{20,}", "/…", self.page.url.split("?")[0]),
        )
        if key in self.audited:
            return
        self.audited.add(key)
        violations = Axe().run(self.page, options=WCAG).response["violations"]
        assert not violations, f"{self.page.url} ({key[0]}):\n" + "\n".join(
            f"- {v['id']}: {v['help']} — {[node['target'] for node in v['nodes']][:5]}" for v in violations
        )


_catalogues: dict[str, Translations] = {}


def _translations(language: str) -> Translations:
    if language not in _catalogues:
        _catalogues[language] = Translations.load(ROOT / "translations", [language])
    return _catalogues[language]


@pytest.fixture
def person(browser, platform):
    """Return a factory of people, each in a browser context of their own (cookies, language)."""
    contexts = []

    def make(language: str = "en") -> Person:
        context = browser.new_context(base_url=platform.url, locale=language)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return Person(context.new_page(), language)

    yield make
    for context in contexts:
        context.close()


def sign_in(person: Person, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form."""
    page = person.page
    page.goto("/accounts/sign-in")
    person.sees("Sign in")
    page.get_by_label(person.t("E-mail address")).fill(email)
    page.get_by_label(person.t("Password")).fill(password)
    person.follow(page.get_by_role("button", name=person.t("Sign in")))
    if person.page.evaluate("document.documentElement.lang") != person.language:
        switch_language(person)


def switch_language(person: Person) -> None:
    """Choose the person's language with the switch at the top of every page (it updates their profile)."""
    switch = person.page.locator("form.language-switch")
    switch.get_by_role("combobox").select_option(person.language)
    person.follow(switch.get_by_role("button"))
    expect(person.page.locator("html")).to_have_attribute("lang", person.language)


def tab_to(person: Person, target: Locator, presses: int = 80) -> None:
    """Press Tab until *target* has the focus, as a keyboard user would, and check that the focus is visible."""
    page, element = person.page, target.element_handle()
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("element => document.activeElement === element", element):
            style = page.evaluate("e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).boxShadow]", element)
            assert style != ["none", "none"], f"{target} has the focus but shows no focus indicator"
            return
    raise AssertionError(f"{target} cannot be reached with the Tab key on {page.url}")


def type_into(person: Person, target: Locator, text: str) -> None:
    """Reach a field with Tab and type into it."""
    tab_to(person, target)
    person.page.keyboard.type(text)


def press(person: Person, target: Locator, key: str = "Enter") -> None:
    """Reach a link or button with Tab and activate it with *key*, waiting for the page it opens."""
    tab_to(person, target)
    with person.page.expect_navigation():
        person.page.keyboard.press(key)
