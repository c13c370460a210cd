"""What every template can use: the menu, the language switch, template hooks, formatting."""

from datetime import date
from functools import lru_cache

from babel.numbers import format_decimal
from flask import request, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from markupsafe import Markup

from lms import signals
from lms.core.forms import LanguageForm
from lms.core.plugins import menu_for
from lms.i18n import LANGUAGES, country_name


def template_hook(name: str, **context) -> Markup:
    """Join what the receivers of the template hook *name* contribute to a page."""
    results = signals.template_hook.send(name, **context)
    return Markup("").join(value for _receiver, value in results if value)


def language_form() -> LanguageForm:
    """Return the language switch, set to the current language."""
    return LanguageForm(formdata=None, language=str(get_locale()))


def page_url(number: int) -> str:
    """Return the current address with its query, showing page *number*."""
    return url_for(request.endpoint, **{**(request.view_args or {}), **request.args.to_dict(), "page": number})


@lru_cache(maxsize=8192)
def _number(value, language: str) -> str:
    return format_decimal(value, locale=language)


def format_number(value) -> str:
    """*value* in the reader's notation (1.234,5 or 1 234,5).

    A dashboard repeats its numbers, so each is formatted once.
    """
    return _number(value, str(get_locale()))


def _globals() -> dict:
    return {
        "menu_entries": menu_for(current_user) if request else [],
        "current_language": str(get_locale()),
        "language_form": language_form,
        "template_hook": template_hook,
        "country_name": country_name,
        "page_url": page_url,
    }


def init_app(app) -> None:
    """Expose the helpers and Babel's formatting filters to every template."""
    app.context_processor(_globals)
    app.jinja_env.filters.update(
        datetime=format_datetime,
        date=format_date,
        number=format_number,
        language_name=LANGUAGES.get,
        isodate=lambda text: format_date(date.fromisoformat(text), "long"),
        country_name=country_name,
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


#: The largest id the database's integer columns hold.
MAX_ID = 2**31 - 1


def identifier(text: str) -> int:
    """Parse an id from a query string; out-of-range values are refused like any malformed one (ValueError)."""
    value = int(text)
    if not 1 <= value <= MAX_ID:
        raise ValueError(text)
    return value


def page_number() -> int:
    """Return the requested page of a list, kept within sensible bounds (a huge number is not an error)."""
    return min(max(request.args.get("page", 1, type=int), 1), 100_000)
