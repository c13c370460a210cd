"""`lms accounts …`: create people and try out two-factor sign-in from the terminal."""

import click
from flask.cli import AppGroup

from lms.accounts import services
from lms.accounts.models import Role
from lms.extensions import db

cli = AppGroup("accounts", help="People and their accounts.")


@cli.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Full name, as on certificates.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([str(role) for role in Role]),
    default=["learner"],
    show_default=True,
)
@click.option("--language", default="en", show_default=True)
@click.password_option(help="The password (asked for when left out).")
def create_user(email, name, roles, language, password):
    """Create an account; an administrator must then turn on two-factor sign-in at first sign-in."""
    if len(password) < services.MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"use at least {services.MIN_PASSWORD_LENGTH} characters", param_hint="password")
    if services.password_too_guessable(password, [email, name]):
        raise click.BadParameter("too easy to guess: try a few unrelated words", param_hint="password")
    try:
        user = services.create_user(
            email, name, via="cli", roles=[Role(role) for role in roles], language=language, password=password
        )
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(roles))}).")


@cli.command("code")
@click.argument("email")
def show_code(email):
    """Print the current two-factor code of a demo account."""
    user = services.user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses {email}.")
    try:
        click.echo(services.current_totp_code(user))
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None
