"""The eight languages, the countries, and how each request picks its language and zone."""

from functools import cache
from zoneinfo import available_timezones

from babel import Locale
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from lms.extensions import babel

#: Interface and content languages, each named in itself.
LANGUAGES = {
    "en": "English",
    "it": "Italiano",
    "de": "Deutsch",
    "sl": "Slovenščina",
    "el": "Ελληνικά",
    "ro": "Română",
    "bg": "Български",
    "hu": "Magyar",
}

#: The partner countries first, then the other EU member states (ISO 3166 codes).
PARTNER_COUNTRIES = ("IT", "AT", "SI", "GR", "CY", "RO", "BG", "HU")
EU_COUNTRIES = PARTNER_COUNTRIES + (
    "BE",
    "HR",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "IE",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "SK",
    "ES",
    "SE",
)

SESSION_KEY = "lang"


def select_locale() -> str:
    """Pick the request's language: ?lang=, the user's preference, the session, the browser."""
    if not has_request_context():
        return current_app.config["DEFAULT_LANGUAGE"]
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session[SESSION_KEY] = asked
        return asked
    if current_user.is_authenticated:
        return current_user.language
    remembered = session.get(SESSION_KEY)
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(LANGUAGES) or current_app.config["DEFAULT_LANGUAGE"]


def select_timezone() -> str | None:
    """Show times in the signed-in user's zone, else in the platform's default."""
    if has_request_context() and current_user.is_authenticated:
        return current_user.timezone
    return None


@cache
def _territories(language: str) -> dict[str, str]:
    return dict(Locale.parse(language).territories)


@cache
def _codes_by_name() -> dict[str, str]:
    names = {code.casefold(): code for code in EU_COUNTRIES}
    for language in ("en", *LANGUAGES):
        territories = _territories(language)
        names.update({territories[code].casefold(): code for code in EU_COUNTRIES if code in territories})
    return names


def country_code(text: str) -> str | None:
    """Return the EU country that *text* names: its code, or its name in any of the eight languages."""
    return _codes_by_name().get(" ".join(text.split()).casefold())


def country_name(code: str) -> str:
    """Return the name of the country *code* in the request's language."""
    return _territories(str(get_locale())).get(code, code)


@cache
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = _territories(language)
    others = sorted(EU_COUNTRIES[len(PARTNER_COUNTRIES) :], key=lambda code: names.get(code, code))
    return tuple((code, names.get(code, code)) for code in PARTNER_COUNTRIES + tuple(others))


def country_choices() -> list[tuple[str, str]]:
    """Return (code, name) pairs in the request's language: partner countries first, then the rest by name."""
    return list(_country_choices(str(get_locale())))


@cache
def timezone_choices() -> tuple[str, ...]:
    """Return the time zones offered in profiles: Europe's and UTC."""
    return ("UTC",) + tuple(sorted(zone for zone in available_timezones() if zone.startswith("Europe/")))


def init_app(app) -> None:
    """Bind Babel with the language and zone selectors and the one translation catalogue."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.config["TRANSLATIONS_DIR"]))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)


#: The language most people speak in each partner country, to greet invitees in it.
COUNTRY_LANGUAGES = {
    "IT": "it",
    "AT": "de",
    "DE": "de",
    "SI": "sl",
    "GR": "el",
    "CY": "el",
    "RO": "ro",
    "BG": "bg",
    "HU": "hu",
}


def language_for_country(code: str | None) -> str:
    """Return the interface language most likely read in the country *code*."""
    return COUNTRY_LANGUAGES.get(code or "", "en")
