"""Survey forms: the answering form built from the questions, and the builder's forms."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from lms.accounts.forms import CheckboxesField
from lms.core.forms import BaseForm, IntegerField, choices, language_choices, text_field
from lms.i18n import country_choices
from lms.surveys.models import OTHER, Kind, Question, Survey
from lms.surveys.services import (
    LAST_REMINDER_DAY,
    MOST_CODES,
    MOST_REMINDERS,
    ChoiceChanges,
    SurveyError,
    Value,
    check_reminder_days,
)

AGREE_LABELS = {
    1: _l("Strongly disagree"),
    2: _l("Disagree"),
    3: _l("Neither agree nor disagree"),
    4: _l("Agree"),
    5: _l("Strongly agree"),
}
TEXT_LIMITS = {Kind.SHORT_TEXT: 300, Kind.LONG_TEXT: 5000}
ANSWER_REQUIRED = _l("Please answer this question.")
OTHER_LABEL = _l("Other (please say which)")


def _required(question: Question, message=ANSWER_REQUIRED):
    return [InputRequired(message=message)] if question.required else [Optional()]


def _scale(question: Question, language: str):
    kind = question.kind_
    if kind is Kind.AGREE:
        return choices(AGREE_LABELS.items()), None
    low, high = (0, 10) if kind is Kind.NPS else (question.scale_min, question.scale_max)
    if kind is Kind.NPS:
        help_text = _l("0 = not at all likely, 10 = extremely likely")
    else:
        help_text = f"{low} = {question.text('low', language)}, {high} = {question.text('high', language)}"
    return choices((number, str(number)) for number in range(low, high + 1)), help_text


def fields_for(question: Question, language: str) -> dict:
    """Return the form fields of one question, by field name."""
    kind, name = question.kind_, f"q{question.id}"
    label, help_text = question.text("text", language), question.text("help", language) or None
    options = choices((code, question.label("options", code, language)) for code in question.options)
    if kind.numeric:
        scale, scale_help = _scale(question, language)
        return {
            name: RadioField(
                label,
                choices=scale,
                coerce=int,
                description=" · ".join(filter(None, [help_text, scale_help and str(scale_help)])) or None,
                validators=_required(question),
            )
        }
    if question.allow_other and kind is not Kind.GRID:
        options += choices([(OTHER, _l("Other"))]) if kind is not Kind.MULTIPLE else []
        other = {f"{name}_other": text_field(OTHER_LABEL, 300, _other_said(kind, name))}
    else:
        other = {}
    if kind is Kind.SINGLE:
        return {name: RadioField(label, choices=options, description=help_text, validators=_required(question))} | other
    if kind is Kind.DROPDOWN:
        blank = choices([("", _l("Choose…"))])
        field = SelectField(label, choices=blank + options, description=help_text, validators=_required(question))
        return {name: field} | other
    if kind is Kind.MULTIPLE:
        field = CheckboxesField(
            label,
            choices=options,
            description=help_text,
            validators=_required(question, _l("Tick at least one answer.")),
        )
        return {name: field} | other
    if kind is Kind.GRID:
        return {
            f"{name}_{row}": RadioField(
                f"{label} — {question.label('rows', row, language)}",
                choices=options,
                description=help_text if index == 0 else None,
                validators=_required(question, _l("Please choose an answer in this row.")),
            )
            for index, row in enumerate(question.rows)
        }
    field_class = TextAreaField if kind is Kind.LONG_TEXT else StringField
    required = [DataRequired(message=ANSWER_REQUIRED)] if question.required else [Optional()]  # spaces are no answer
    return {name: field_class(label, [*required, Length(max=TEXT_LIMITS[kind])], description=help_text)}


def _other_said(kind: Kind, name: str):
    """Validate the “Other” text box: a single choice of “Other” needs it said which."""

    def check(form, field):
        if kind is not Kind.MULTIPLE and form[name].data == OTHER and not field.data:
            raise ValidationError(_l("Please say which."))

    return check


def answer_form(survey: Survey, language: str, *, ask_country: bool, formdata=None) -> BaseForm:
    """Build the answering form of *survey* in *language*."""

    class AnswerForm(BaseForm):
        pass

    for question in survey.questions:
        for name, field in fields_for(question, language).items():
            setattr(AnswerForm, name, field)
    if ask_country:
        AnswerForm.country = SelectField(
            _l("Your country"),
            choices=choices([("", _l("Choose…"))] + country_choices()),
            validators=[InputRequired(message=_l("Please choose your country."))],
            description=_l("Answers are counted per country, and shown only in groups of several people."),
        )
    return AnswerForm(formdata=formdata)


def values_of(form: BaseForm, survey: Survey) -> list[Value]:
    """Turn a validated answering form into typed answer values."""
    values = []
    for question in survey.questions:
        kind, name = question.kind_, f"q{question.id}"
        if kind is Kind.GRID:
            values += [
                Value(question, option=form[f"{name}_{row}"].data, row=row)
                for row in question.rows
                if form[f"{name}_{row}"].data
            ]
        elif kind.numeric:
            if form[name].data is not None:
                values.append(Value(question, number=form[name].data))
        elif kind.textual:
            if text := (form[name].data or "").strip():
                values.append(Value(question, text=text))
        else:
            chosen = form[name].data if kind is Kind.MULTIPLE else [form[name].data]
            other = form[f"{name}_other"].data if question.allow_other else ""
            if kind is not Kind.MULTIPLE and other and not form[name].data:
                chosen = [OTHER]  # the box said which: that is choosing “Other”
            values += [Value(question, option=code) for code in chosen or [] if code and code != OTHER]
            if other and (kind is Kind.MULTIPLE or OTHER in chosen):
                values.append(Value(question, option=OTHER, text=other))
    return values


class NewSurveyForm(BaseForm):
    title = StringField(_l("Title"), [InputRequired(), Length(max=200)])


class TemplateForm(BaseForm):
    course = SelectField(_l("Evaluates the course"), description=_l("Learners who complete it are invited to answer."))


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class DaysField(StringField):
    """Whole numbers of days on one line, separated by commas or spaces: "3, 7"."""

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else ", ".join(str(day) for day in self.data or [])

    def process_formdata(self, valuelist):
        self.data = []
        text = valuelist[0] if valuelist else ""
        words = [word for word in re.split(r"[\s,;]+", text) if word]
        if len(text) > 100 or not all(re.fullmatch(r"[0-9]+", word) for word in words):
            raise ValueError(_l("Write whole numbers of days separated by commas, for example 3, 7."))
        self.data = [int(word) for word in words]


def _reminder_days(form, field) -> None:
    try:
        field.data = check_reminder_days(field.data)
    except SurveyError as error:
        raise ValidationError(str(error)) from None


class SettingsForm(BaseForm):
    title = StringField(_l("Title"), [InputRequired(), Length(max=200)])
    description = TextAreaField(_l("Introduction"), [Length(max=2000)], description=_l("Shown above the questions."))
    thank_you = TextAreaField(
        _l("Thank-you message"), [Length(max=1000)], description=_l("Shown after someone answers.")
    )
    anonymous = BooleanField(
        _l("Anonymous"),
        description=_l("Answers are stored without names. Once someone has answered, this cannot be switched off."),
    )
    opens_at = DateField(_l("Opens on"), [Optional()])
    closes_at = DateField(
        _l("Closes on"), [Optional()], description=_l("The survey closes at the start of this day (UTC).")
    )
    response_limit = IntegerField(
        _l("Most answers accepted"),
        [Optional(), NumberRange(min=1, max=1_000_000)],
        description=_l("Leave empty for no limit."),
    )
    course = SelectField(_l("Evaluates the course"), description=_l("Learners who complete it are invited to answer."))
    required_for_certificate = BooleanField(_l("Answering is required for the course's certificate"))
    reminder_days = DaysField(
        _l("Reminders, in days after the invitation"),
        [_reminder_days],
        description=_l(
            "People invited by e-mail who have not answered get a reminder on each of these days while the survey "
            "is open, for example 3, 7. At most %(most)s, each from 1 to %(last)s. Leave empty for none.",
            most=MOST_REMINDERS,
            last=LAST_REMINDER_DAY,
        ),
    )
    access_codes = BooleanField(
        _l("Closed group"),
        description=_l(
            "Each person answers with a single-use access code. Create the codes on the “Link and QR code” page "
            "and give one to each person; a code never tells whose answer it was."
        ),
    )
    languages = CheckboxesField(
        _l("Languages offered"), description=_l("Publishing needs every text in each of these languages.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = language_choices()


class CodesForm(BaseForm):
    count = IntegerField(
        _l("How many codes"),
        [InputRequired(), NumberRange(min=1, max=MOST_CODES)],
        description=_l("From 1 to %(most)s.", most=MOST_CODES),
    )


class ExportForm(BaseForm):
    """Ask for an export to be made in the background: its layout and file format (hidden fields of a button)."""

    layout = SelectField(choices=choices([("google", "google"), ("analysis", "analysis")]), validators=[DataRequired()])
    file_format = SelectField(choices=choices([("csv", "csv"), ("xlsx", "xlsx")]), validators=[DataRequired()])


class SectionForm(BaseForm):
    title = StringField(_l("Section title"), [Length(max=200)])
    description = TextAreaField(_l("Section introduction"), [Length(max=2000)])


KIND_LABELS = {
    Kind.AGREE: _l("Agreement scale (five points)"),
    Kind.SCALE: _l("Linear scale with end labels"),
    Kind.NPS: _l("Net promoter score (0–10)"),
    Kind.SINGLE: _l("Single choice"),
    Kind.MULTIPLE: _l("Multiple choice"),
    Kind.DROPDOWN: _l("Dropdown"),
    Kind.SHORT_TEXT: _l("Short text"),
    Kind.LONG_TEXT: _l("Long text"),
    Kind.GRID: _l("Multiple-choice grid"),
}


class AddQuestionForm(BaseForm):
    kind = SelectField(
        _l("Type of question"), choices=choices((str(kind), label) for kind, label in KIND_LABELS.items())
    )


class ChoiceForm(Form):
    """One option (or grid row) already offered: its text, its place and whether to take it away."""

    code = HiddenField()
    text = text_field(_l("Text"), 300)
    place = IntegerField(_l("Place"), [Optional(), NumberRange(min=1, max=999)])
    remove = BooleanField(_l("Remove"))


class QuestionForm(BaseForm):
    text = TextAreaField(_l("Question"), [InputRequired(), Length(max=1000)])
    help = StringField(_l("Help text"), [Length(max=500)], description=_l("Optional: a hint shown under the question."))
    required = BooleanField(_l("An answer is required"))
    code = StringField(
        _l("Short name"),
        [
            InputRequired(),
            Length(max=40),
            Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Use lower-case letters, digits and hyphens.")),
        ],
        description=_l("Names the question's column in exports, e.g. relevance."),
    )
    current_options = FieldList(FormField(ChoiceForm))
    options = TextAreaField(_l("Answers to choose from"), [Length(max=5000)], description=_l("One per line."))
    restore_options = CheckboxesField(
        _l("Retired answers: offer again"), description=_l("The answers already given keep them in the results.")
    )
    current_rows = FieldList(FormField(ChoiceForm))
    rows = TextAreaField(_l("Statements (rows of the grid)"), [Length(max=5000)], description=_l("One per line."))
    restore_rows = CheckboxesField(
        _l("Retired statements: offer again"), description=_l("The answers already given keep them in the results.")
    )
    allow_other = BooleanField(_l("Offer an “Other” answer with a text box"))
    scale_min = IntegerField(_l("Scale from"), [Optional(), NumberRange(min=0, max=1)])
    scale_max = IntegerField(_l("Scale to"), [Optional(), NumberRange(min=2, max=10)])
    low = StringField(_l("Label of the lowest value"), [Length(max=100)])
    high = StringField(_l("Label of the highest value"), [Length(max=100)])

    def __init__(self, *args, question: Question, **kwargs):
        """Show the question's current options and rows (one line each) and its retired ones to offer again."""
        base = question.survey.base_language
        kwargs["data"] = {
            **(kwargs.get("data") or {}),
            "current_options": [
                {"code": code, "text": question.label("options", code, base)} for code in question.options
            ],
            "current_rows": [{"code": code, "text": question.label("rows", code, base)} for code in question.rows],
        }
        super().__init__(*args, **kwargs)
        self.restore_options.choices = [
            (code, question.label("options", code, base)) for code in question.retired_options
        ]
        self.restore_rows.choices = [(code, question.label("rows", code, base)) for code in question.retired_rows]
        if question.options:
            self.options.label.text = _l("More answers to choose from")
        if question.rows:
            self.rows.label.text = _l("More statements")

    def changes(self, group: str) -> ChoiceChanges:
        """Return what the builder asked for the options or rows: the current ones by their new place."""
        entries = list(enumerate(getattr(self, f"current_{group}").entries))
        entries.sort(key=lambda item: (item[1].form.place.data or item[0] + 1, item[0]))
        return ChoiceChanges(
            current=[(entry.form.code.data, entry.form.text.data, entry.form.remove.data) for _index, entry in entries],
            added=_lines(getattr(self, group).data),
            restored=getattr(self, f"restore_{group}").data or [],
        )


class UploadForm(BaseForm):
    file = FileField(
        _l("Responses file (CSV) from Google Forms"),
        [FileRequired(message=_l("Choose the file to import."))],
        description=_l("In Google Forms: Responses → ⋮ → Download responses (.csv)."),
    )


class ImportForm(BaseForm):
    key = HiddenField()
    country = SelectField(
        _l("Country of these answers"),
        validators=[Optional()],
        description=_l("Not needed when a column of the file gives each answer's country."),
    )

    def __init__(self, *args, countries: frozenset[str] | None = None, **kwargs):
        """Offer the countries of the importer's scope (None: every country)."""
        super().__init__(*args, **kwargs)
        offered = [(code, name) for code, name in country_choices() if countries is None or code in countries]
        self.country.choices = choices([("", _l("Choose…"))] + offered)
