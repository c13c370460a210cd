"""The forms of sign-in, profile, invitations and administration."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, widgets
from wtforms.validators import Email, EqualTo, InputRequired, Length, NumberRange, Optional, ValidationError

from lms.accounts.models import OrganisationKind, Role
from lms.accounts.services import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_too_guessable
from lms.core.forms import BaseForm, IntegerField, choices, language_choices, strip, text_field
from lms.i18n import country_choices, timezone_choices

EMAIL_MAX = 254
#: The default labels of the field factories below (lazy: translated when a form is rendered).
EMAIL_LABEL = _l("E-mail address")
PASSWORD_LABEL = _l("Password")
NEW_PASSWORD_LABEL = _l("New password")


def email_field(label=EMAIL_LABEL, autocomplete="email"):
    return EmailField(
        label,
        [InputRequired(), Length(max=EMAIL_MAX), Email(message=_l("Enter an e-mail address like name@example.eu."))],
        filters=[strip],
        render_kw={"autocomplete": autocomplete},
    )


def name_field(autocomplete="name"):
    return text_field(
        _l("Full name"),
        120,
        InputRequired(),
        description=_l("As it should appear on your certificates."),
        render_kw={"autocomplete": autocomplete},
    )


def current_password_field(label=PASSWORD_LABEL):
    return PasswordField(label, [InputRequired(), Length(max=128)], render_kw={"autocomplete": "current-password"})


class NotGuessable:
    """Refuse a password that attackers would try early; the context is the form's name and e-mail fields, or the
    person whose password it is (the form's `person`)."""

    def __call__(self, form, field):
        if not MIN_PASSWORD_LENGTH <= len(field.data or "") <= MAX_PASSWORD_LENGTH:
            return  # Length has said what is wrong
        person = getattr(form, "person", None)
        context = [person.name, person.email] if person is not None else []
        context += [form[name].data or "" for name in ("name", "email") if name in form]
        if password_too_guessable(field.data, context):
            raise ValidationError(
                _l(
                    "This password is too easy to guess: it is a common password or a simple pattern, or it is "
                    "made of your name, your e-mail address or the platform's name. Try a few unrelated words."
                )
            )


def new_password_field(label=NEW_PASSWORD_LABEL):
    return PasswordField(
        label,
        [
            InputRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l(
                    "Use between %(min)d and %(max)d characters.", min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH
                ),
            ),
            NotGuessable(),
        ],
        description=_l(
            "At least %(count)d characters. A few unrelated words make a strong password that is easy to remember.",
            count=MIN_PASSWORD_LENGTH,
        ),
        render_kw={"autocomplete": "new-password"},
    )


def confirm_field():
    return PasswordField(
        _l("Repeat the password"),
        [InputRequired(), EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


def organisation_choices(organisations) -> list:
    """Return organisations as options, each with its country."""
    return choices((org.id, f"{org.name} ({org.country})") for org in organisations)


class CheckboxesField(SelectMultipleField):
    """Several choices shown as a list of check boxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def language_field():
    return SelectField(_l("Language"), choices=language_choices())


def timezone_field():
    return SelectField(_l("Time zone"), description=_l("Dates and times are shown in this zone."))


class SignInForm(BaseForm):
    email = email_field(autocomplete="username")
    password = current_password_field()


class SecondFactorForm(BaseForm):
    code = text_field(
        _l("Code"),
        20,
        InputRequired(),
        description=_l("The six-digit code from your authenticator app, or one of your recovery codes."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "characters"},
    )


class ResetRequestForm(BaseForm):
    email = email_field()


class NewPasswordForm(BaseForm):
    password = new_password_field()
    confirm = confirm_field()

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person


class JoinRequestForm(BaseForm):
    """Joining through a shared link: the password is chosen through the link mailed to the address."""

    name = name_field()
    email = email_field()
    language = language_field()


class JoinForm(BaseForm):
    name = name_field()
    email = email_field()
    password = new_password_field(_l("Password"))
    confirm = confirm_field()
    language = language_field()


class RegisterForm(JoinRequestForm):
    """Asking for an account: the password is chosen through the link mailed to the address."""

    organisation = SelectField(_l("Your local authority"), coerce=int)


class ProfileForm(BaseForm):
    name = name_field()
    language = language_field()
    timezone = timezone_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class ChangePasswordForm(NewPasswordForm):
    current = current_password_field(_l("Current password"))
    password = new_password_field()
    confirm = confirm_field()


class TwoFactorSetupForm(BaseForm):
    code = text_field(
        _l("Code from the app"),
        10,
        InputRequired(),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ConfirmPasswordForm(BaseForm):
    password = current_password_field(_l("Your password"))


class InvitationForm(BaseForm):
    organisation = SelectField(_l("Organisation"), coerce=int)
    role = SelectField(_l("Role"))
    email = EmailField(
        _l("E-mail address"),
        [Optional(), Length(max=EMAIL_MAX), Email(message=_l("Enter an e-mail address like name@example.eu."))],
        description=_l("Leave empty to make a link that you can share with several people."),
        filters=[strip],
    )
    max_uses = IntegerField(
        _l("How many people may join with the link"),
        [Optional(), NumberRange(min=1, max=10000)],
        description=_l("Leave empty for no limit until the link expires."),
    )


class UserForm(BaseForm):
    name = text_field(_l("Full name"), 120, InputRequired(), render_kw={"autocomplete": "off"})
    email = email_field(autocomplete="off")
    organisation = SelectField(_l("Organisation"), coerce=int)
    language = language_field()
    timezone = timezone_field()
    roles = CheckboxesField(_l("Roles"), choices=choices((str(role), role.label) for role in Role))
    countries = CheckboxesField(
        _l("Countries of a trainer"), description=_l("A trainer follows courses and feedback in these countries.")
    )
    active = BooleanField(_l("Active"), default=True, description=_l("An inactive account cannot sign in."))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()
        self.countries.choices = choices(country_choices())
        self.organisation.choices = choices([(0, _l("None"))]) + organisation_choices(organisations)

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))


class OrganisationForm(BaseForm):
    name = text_field(_l("Name"), 200, InputRequired())
    country = SelectField(_l("Country"))
    kind = SelectField(_l("Kind"), choices=choices((str(kind), kind.label) for kind in OrganisationKind))
    active = BooleanField(_l("Active"), default=True, description=_l("People cannot join an inactive organisation."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = choices(country_choices())


class EraseForm(BaseForm):
    confirm = BooleanField(
        _l("I understand: the person's account, progress, questions and survey participation are removed for good"),
        [InputRequired(message=_l("Tick the box to confirm."))],
    )
