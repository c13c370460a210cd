"""The plugin registry: built-in packages switched off, outside packages found by entry point."""

import textwrap
from importlib.util import find_spec

import pytest
from markupsafe import Markup

from lms import signals
from lms.core.config import OPTIONAL_PLUGINS
from lms.core.plugins import connect, find_plugin

INSTALLED_OPTIONAL = [name for name in OPTIONAL_PLUGINS if find_spec(f"lms.{name}")]


@pytest.fixture
def outside_plugin(tmp_path, monkeypatch):
    """Install a tiny package that offers the plugin "hello" through the lms.plugins group."""
    (tmp_path / "hello_lms.py").write_text(
        textwrap.dedent("""
        from flask import Blueprint
        from lms.core.plugins import MenuEntry, Plugin

        bp = Blueprint("hello", __name__)

        @bp.get("/hello")
        def hello():
            return "Hello from an outside plugin"

        plugin = Plugin(name="hello", blueprint=bp, menu=(MenuEntry("Hello", "hello.hello"),))
    """)
    )
    info = tmp_path / "hello_lms-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: hello-lms\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[lms.plugins]\nhello = hello_lms:plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))


def test_an_installed_plugin_is_found_through_its_entry_point(outside_plugin, make_app):
    client = make_app().test_client()

    assert client.get("/hello").get_data(as_text=True) == "Hello from an outside plugin"
    assert '<a href="/hello">Hello</a>' in client.get("/").get_data(as_text=True)


def test_an_installed_plugin_stays_off_when_the_list_leaves_it_out(outside_plugin, make_app):
    app = make_app(PLUGINS=["accounts"])

    assert app.test_client().get("/hello").status_code == 404


def _still_enabled(switched_off: list[str]) -> list[str]:
    """The optional plugins left on: those not switched off and not needing one that is."""
    return [
        name
        for name in INSTALLED_OPTIONAL
        if name not in switched_off and not set(find_plugin(name).requires) & set(switched_off)
    ]


@pytest.mark.parametrize("switched_off", [INSTALLED_OPTIONAL, *([name] for name in INSTALLED_OPTIONAL)])
def test_the_platform_serves_with_optional_plugins_switched_off(make_app, switched_off):
    plugins = _still_enabled(switched_off)
    app = make_app(PLUGINS=["accounts", *plugins])
    client = app.test_client()

    assert client.get("/").status_code == 200
    assert client.get("/accounts/sign-in").status_code == 200
    assert set(app.extensions["lms.plugins"]) == {"accounts", *plugins}


def _greeting(sender, user, **kwargs):
    return Markup("<p class='greeting'>Good to see you</p>")


@pytest.fixture
def home_hook():
    """Connect the greeting to the home page's hook for a plugin name, and disconnect it after."""
    connected = []
    yield lambda plugin: connected.append(connect(signals.template_hook, _greeting, plugin=plugin, sender="home"))
    for receiver in connected:
        signals.template_hook.disconnect(receiver, sender="home")


def test_template_hooks_show_what_enabled_plugins_contribute(client, home_hook):
    home_hook("accounts")

    assert "<p class='greeting'>Good to see you</p>" in client.get("/").get_data(as_text=True)


def test_receivers_of_a_switched_off_plugin_stay_silent(client, home_hook):
    home_hook("not-enabled")

    assert "Good to see you" not in client.get("/").get_data(as_text=True)
