"""The one base form: CSRF-protected, bound to the request's form data only on submission."""

import wtforms
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import Length

from lms.i18n import LANGUAGES


class BaseForm(FlaskForm):
    """Every form of the platform derives from this one."""

    def add_error(self, message: str, field: str | None = None) -> None:
        """Show *message* beside *field*, or above the form when it names none of its fields."""
        if field in self._fields:
            self[field].errors = [*self[field].errors, message]  # a tuple until the form was validated
        else:
            self.form_errors.append(message)


class ActionForm(BaseForm):
    """A button that changes something (enrol, approve, retry): the CSRF token alone."""


class TrimmedStringField(StringField):
    """A text field that strips surrounding white space and rejects control characters."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = "".join(ch for ch in self.data.strip() if ch.isprintable())


class IntegerField(wtforms.IntegerField):
    """A whole number of at most 12 digits (WTForms' range check fails on longer ones)."""

    def process_formdata(self, valuelist):
        if valuelist and len(str(valuelist[0]).strip().lstrip("+-")) > 12:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)


def strip(value):
    """A field filter that removes surrounding white space, as browsers do in e-mail fields."""
    return value.strip() if isinstance(value, str) else value


def text_field(label, max_length: int, *validators, **kwargs) -> TrimmedStringField:
    """Return a trimmed text field limited to *max_length* characters."""
    return TrimmedStringField(label, [*validators, Length(max=max_length)], **kwargs)


def choices(pairs) -> list[SelectChoice]:
    """Return the options of a select field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def language_choices() -> list[SelectChoice]:
    """Return the eight languages, each named in itself and marked with its `lang`."""
    return [SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGES.items()]


class LanguageForm(BaseForm):
    """The language switch shown on every page."""

    language = SelectField(_l("Language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
