"""Forms of expert support."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from lms.accounts.forms import CheckboxesField
from lms.core.forms import BaseForm, choices, language_choices
from lms.i18n import LANGUAGES

BODY_HELP = _l("You can use Markdown: **bold**, *italics*, lists and links.")
FILES_HELP = _l("Optional: PDF, images or office documents, up to %(limit)s MB each.")


class AskForm(BaseForm):
    subject = StringField(
        _l("Your question in one line"), [InputRequired(), Length(max=200)], render_kw={"autocomplete": "off"}
    )
    topic = SelectField(_l("Topic"))
    language = SelectField(_l("Language of the answer"))
    body = TextAreaField(_l("Details"), [InputRequired(), Length(max=10000)], description=BODY_HELP)
    files = MultipleFileField(_l("Attachments"))
    course = HiddenField()
    lesson = HiddenField()

    def __init__(self, *args, topics=(), reader_language="en", limit=10, **kwargs):
        super().__init__(*args, **kwargs)
        self.topic.choices = choices((topic.slug, topic.label(reader_language)) for topic in topics)
        self.language.choices = language_choices()
        self.files.description = _l("Optional: PDF, images or office documents, up to %(limit)s MB each.", limit=limit)


class ReplyForm(BaseForm):
    body = TextAreaField(_l("Your message"), [InputRequired(), Length(max=10000)], description=BODY_HELP)
    files = MultipleFileField(_l("Attachments"))
    #: For experts only: the day until which the learner is waited for.
    pending_until = DateField(
        _l("Waiting for the learner until"),
        [Optional()],
        description=_l(
            "Optional: if the learner has not replied by this day, the question opens again and you are reminded."
        ),
    )

    def __init__(self, *args, pending_days=None, **kwargs):
        """*pending_days*: the first and the last day that may be chosen, offered by the browser's calendar."""
        super().__init__(*args, **kwargs)
        if pending_days:
            first, last = pending_days
            self.pending_until.render_kw = {"min": first.isoformat(), "max": last.isoformat()}


class NoteForm(BaseForm):
    note = TextAreaField(_l("Internal note (the learner never sees it)"), [InputRequired(), Length(max=10000)])


class CloseForm(BaseForm):
    helpful = RadioField(
        _l("Did the answer help you?"),
        choices=choices([("yes", _l("Yes")), ("no", _l("No"))]),
        validators=[InputRequired(message=_l("Please tell us whether the answer helped."))],
    )


class HandOverForm(BaseForm):
    colleague = SelectField(_l("Colleague"), coerce=int)


class FaqForm(BaseForm):
    question = StringField(
        _l("Question"),
        [InputRequired(), Length(max=300)],
        description=_l("Write it so that nothing identifies the person who asked."),
    )
    answer = TextAreaField(_l("Answer"), [InputRequired(), Length(max=10000)], description=BODY_HELP)
    #: Offered only when a part of a name was found that may be an ordinary word ("nagy" is "big" in Hungarian).
    ordinary_words = BooleanField(_l("These words are ordinary words here, not a person's name"))

    def offer_ordinary_words(self, words: list[str]) -> None:
        """Show the confirmation for *words*, the parts of names found in the text."""
        self.ordinary_words.label.text = _(
            "%(words)s: these are ordinary words here, not a person's name",
            words=", ".join(f"“{word}”" for word in words),
        )
        self.ordinary_words.offered = True


class FaqEditForm(FaqForm):
    topic = SelectField(_l("Topic"))

    def __init__(self, *args, topics=(), reader_language="en", **kwargs):
        super().__init__(*args, **kwargs)
        self.topic.choices = choices((topic.slug, topic.label(reader_language)) for topic in topics)


class ExpertForm(BaseForm):
    topics = CheckboxesField(_l("Topics"))
    languages = CheckboxesField(
        _l("Languages"), description=_l("The expert receives the questions of these topics asked in these languages.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = language_choices()


def _label(code: str):
    """A topic's name in one language, labelled with the language's own name; English is required."""
    validators = [Length(max=100), InputRequired() if code == "en" else Optional()]
    return StringField(LANGUAGES[code], validators, render_kw={"lang": code})


class TopicForm(BaseForm):
    slug = StringField(
        _l("Short name"),
        [
            InputRequired(),
            Length(max=40),
            Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Use lower-case letters, digits and hyphens.")),
        ],
    )
    active = BooleanField(_l("Active"), default=True, description=_l("Learners can choose only active topics."))
    label_en, label_it, label_de, label_sl = _label("en"), _label("it"), _label("de"), _label("sl")
    label_el, label_ro, label_bg, label_hu = _label("el"), _label("ro"), _label("bg"), _label("hu")

    def labels(self) -> dict[str, str]:
        names = {code: (self[f"label_{code}"].data or "").strip() for code in LANGUAGES}
        return {code: name for code, name in names.items() if name}
