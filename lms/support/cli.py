"""`lms support …`: set up the experts' topics and languages."""

import click
from flask.cli import AppGroup

from lms.accounts.models import Role, UserRole
from lms.accounts.services import user_by_email
from lms.extensions import db
from lms.i18n import LANGUAGES
from lms.support.models import ExpertProfile, Topic

cli = AppGroup("support", help="Expert support.")


@cli.command("expert")
@click.argument("email")
@click.option(
    "--topic", "topics", multiple=True, required=True, help="A topic the expert answers (repeat for several)."
)
@click.option(
    "--language",
    "languages",
    multiple=True,
    required=True,
    type=click.Choice(list(LANGUAGES)),
    help="A language the expert answers in.",
)
def set_expert(email, topics, languages):
    """Make a person an expert of some topics and languages."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses {email}.")
    unknown = [topic for topic in topics if db.session.get(Topic, topic) is None]
    if unknown:
        raise click.ClickException(f"Unknown topic(s): {', '.join(unknown)}.")
    if not user.has_role(Role.EXPERT):
        user.role_rows.append(UserRole(role=str(Role.EXPERT)))
    profile = db.session.get(ExpertProfile, user.id) or ExpertProfile(user_id=user.id)
    profile.topics, profile.languages = list(topics), list(languages)
    db.session.add(profile)
    db.session.commit()
    click.echo(f"{user.email} answers {', '.join(topics)} in {', '.join(languages)}.")
