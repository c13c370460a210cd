"""The forms of courses: enrolling, marking a lesson done, knowledge checks, trainers' enrolment."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from lms.accounts.forms import CheckboxesField, organisation_choices
from lms.core.forms import BaseForm, choices


def check_form(questions: list[dict], language: str, default: str, formdata=None) -> BaseForm:
    """Build the form of a knowledge check, one field per question, in *language*."""

    class CheckForm(BaseForm):
        pass

    for number, question in enumerate(questions):
        texts = question["texts"].get(language) or question["texts"][default]
        options = choices((option, texts["options"][option]) for option in question["options"])
        if question["kind"] == "single":
            field = RadioField(
                texts["text"], choices=options, validators=[InputRequired(message=_l("Choose an answer."))]
            )
        else:
            field = CheckboxesField(
                texts["text"],
                choices=options,
                description=_l("Tick every answer that applies."),
                validators=[InputRequired(message=_l("Tick at least one answer."))],
            )
        setattr(CheckForm, f"q{number}", field)
    return CheckForm(formdata=formdata) if formdata is not None else CheckForm()


def answers_of(form: BaseForm, questions: list[dict]) -> dict[str, list[str]]:
    """Return the chosen option ids per question id."""
    answers = {}
    for number, question in enumerate(questions):
        data = form[f"q{number}"].data
        answers[question["id"]] = data if isinstance(data, list) else [data]
    return answers


class EnrolPeopleForm(BaseForm):
    organisation = SelectField(_l("Everyone in an organisation"), coerce=int)
    emails = TextAreaField(
        _l("Or these people"),
        [Length(max=20000)],
        description=_l("E-mail addresses of people who already have an account, one per line or separated by commas."),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = choices([(0, _l("Nobody"))]) + organisation_choices(organisations)

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if not self.organisation.data and not self.email_list():
            self.organisation.errors.append(_l("Choose an organisation or enter at least one e-mail address."))
            return False
        return True

    def email_list(self) -> list[str]:
        return [part for part in (self.emails.data or "").replace(",", "\n").split() if part]
