"""`lms surveys …`: housekeeping of surveys."""

import click
from flask.cli import AppGroup

from lms.surveys import imports

cli = AppGroup("surveys", help="Surveys.")


@cli.command("expire-uploads")
def expire_uploads():
    """Remove uploaded Google Forms files whose column mapping was not confirmed within a day, now (the workers
    do it every ten minutes)."""
    click.echo(f"{imports.expire_uploads()} expired upload(s) removed.")
