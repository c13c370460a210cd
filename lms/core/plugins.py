"""The plugin registry: which capability packages are enabled, and what each contributes."""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, wraps
from importlib.metadata import entry_points

import click
from blinker import ANY, Signal
from flask import Blueprint, Flask, current_app

from lms.core.config import ConfigError
from lms.core.jobs import register as register_jobs

ENTRY_POINT_GROUP = "lms.plugins"
#: In LMS_PLUGINS, stands for every plugin that an installed package offers.
ALL_INSTALLED = "*"


def signed_in(user) -> bool:
    """A menu entry's visibility: anyone signed in."""
    return user.is_authenticated


def with_roles(*roles: str) -> Callable[[object], bool]:
    """A menu entry's visibility: people holding one of *roles*."""
    return lambda user: user.is_authenticated and user.has_role(*roles)


@dataclass(frozen=True)
class MenuEntry:
    """A link in the main menu, shown to the users for whom `visible(user)` is true."""

    label: object  # a lazy string
    endpoint: str
    visible: Callable[[object], bool] = lambda user: True
    order: int = 50


@dataclass(frozen=True)
class Plugin:
    """What a capability package exposes: its name and its contributions to the app."""

    name: str
    blueprint: Blueprint | None = None
    menu: tuple[MenuEntry, ...] = ()
    cli: click.Group | None = None
    init_app: Callable[[Flask], None] = lambda app: None
    #: Other plugins that must be enabled for this one to work.
    requires: tuple[str, ...] = field(default=())
    #: Its kinds of background job (lms.core.jobs.JobKind), periodic ones among them.
    jobs: tuple = ()
    #: Loads the plugin's demo data idempotently (after the plugins before it); returns accounts to print, or None.
    demo: Callable[[], list | None] | None = None


def _builtin(name: str) -> Plugin | None:
    try:
        module = importlib.import_module(f"lms.{name}")
    except ModuleNotFoundError as error:
        if error.name != f"lms.{name}":
            raise
        return None
    return getattr(module, "plugin", None)


def _from_entry_point(name: str) -> Plugin | None:
    for entry_point in entry_points(group=ENTRY_POINT_GROUP, name=name):
        return entry_point.load()
    return None


def find_plugin(name: str) -> Plugin:
    """Return the plugin called *name*: built in under `lms/`, or from an entry point."""
    plugin = _builtin(name) or _from_entry_point(name)
    if not isinstance(plugin, Plugin):
        raise ConfigError(f"LMS_PLUGINS names {name!r}, but no such plugin is installed.")
    return plugin


def installed_entry_point_names() -> list[str]:
    """Return the names of the plugins that installed packages offer through entry points."""
    return [entry_point.name for entry_point in entry_points(group=ENTRY_POINT_GROUP)]


def load_plugins(app: Flask) -> None:
    """Register every enabled plugin's blueprint, CLI and signal receivers on *app*."""
    names = []
    for name in ["accounts", *app.config["PLUGINS"]]:
        names.extend(installed_entry_point_names() if name == ALL_INSTALLED else [name])
    names = list(dict.fromkeys(names))
    plugins = [find_plugin(name) for name in names]
    for plugin in plugins:
        missing = [need for need in plugin.requires if need not in names]
        if missing:
            raise ConfigError(f"The plugin {plugin.name!r} needs {', '.join(missing)} enabled too.")
        if plugin.blueprint is not None:
            app.register_blueprint(plugin.blueprint)
        if plugin.cli is not None:
            app.cli.add_command(plugin.cli)
        register_jobs(app, plugin.jobs)
        plugin.init_app(app)
    app.extensions["lms.plugins"] = {plugin.name: plugin for plugin in plugins}


def enabled_plugins() -> dict[str, Plugin]:
    """Return the current app's enabled plugins by name."""
    return current_app.extensions["lms.plugins"]


def menu_for(user) -> list[MenuEntry]:
    """Return the menu entries of all enabled plugins that *user* may see, in order."""
    entries = [entry for plugin in enabled_plugins().values() for entry in plugin.menu]
    return sorted((entry for entry in entries if entry.visible(user)), key=lambda entry: entry.order)


@cache
def _only_when_enabled(plugin_name: str, receiver: Callable) -> Callable:
    @wraps(receiver)
    def guarded(*args, **kwargs):
        if plugin_name in current_app.extensions.get("lms.plugins", {}):
            return receiver(*args, **kwargs)
        return None

    return guarded


def connect(signal: Signal, receiver: Callable, *, plugin: str, sender=ANY) -> Callable:
    """Connect *receiver* to *signal* so that it runs only in apps where *plugin* is enabled."""
    return signal.connect(_only_when_enabled(plugin, receiver), sender=sender, weak=False)
