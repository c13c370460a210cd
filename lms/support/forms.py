"""Forms of expert support."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from lms.accounts.forms import CheckboxesField
from lms.core.forms import BaseForm, choices, language_choices

BODY_HELP = _l("You can use Markdown: **bold**, *italics*, lists and links.")
FILES_HELP = _l("Optional: PDF, images or office documents, up to %(limit)s MB each.")


class AskForm(BaseForm):
    subject = StringField(_l("Your question in one line"), [InputRequired(), Length(max=200)], render_kw={"autocomplete": "off"})
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


class NoteForm(BaseForm):
    note = TextAreaField(_l("Internal note (the learner never sees it)"), [InputRequired(), Length(max=10000)])


class CloseForm(BaseForm):
    helpful = RadioField(_l("Did the answer help you?"), choices=choices([("yes", _l("Yes")), ("no", _l("No"))]),
                         validators=[InputRequired(message=_l("Please tell us whether the answer helped."))])


class HandOverForm(BaseForm):
    colleague = SelectField(_l("Colleague"), coerce=int)


class FaqForm(BaseForm):
    question = StringField(_l("Question"), [InputRequired(), Length(max=300)],
                           description=_l("Write it so that nothing identifies the person who asked."))
    answer = TextAreaField(_l("Answer"), [InputRequired(), Length(max=10000)], description=BODY_HELP)


class ExpertForm(BaseForm):
    topics = CheckboxesField(_l("Topics"))
    languages = CheckboxesField(_l("Languages"), description=_l("The expert receives the questions of these topics asked in these languages."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = language_choices()
