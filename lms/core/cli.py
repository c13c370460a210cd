"""The `lms` command: the app's Flask CLI, with the platform's own groups."""

import logging

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask.logging import default_handler

from lms.core import jobs as background
from lms.core.demo import DEMO_PASSWORD
from lms.core.mail import deliver_pending
from lms.core.plugins import enabled_plugins
from lms.extensions import db

demo = AppGroup("demo", help="Demo data for trying the platform out.")
mail = AppGroup("mail", help="The e-mail outbox.")
jobs = AppGroup("jobs", help="Background jobs.")


@demo.command("load")
@click.option(
    "--allow-production",
    is_flag=True,
    help="Load the demo data although LMS_ENV is not development (a throwaway test server only).",
)
def load_demo(allow_production: bool):
    """Load the demo data of every enabled plugin, in their order (again: nothing is duplicated),
    and list the accounts. Outside development only with --allow-production: every demo account,
    an administrator among them, has the password published in the README."""
    if current_app.config["ENV"] != "development" and not allow_production:
        raise click.ClickException(
            f"Refusing to load the demo data: LMS_ENV is {current_app.config['ENV']!r}, and the demo accounts, "
            f"an administrator among them, all have the published password {DEMO_PASSWORD!r}. "
            "Load it with LMS_ENV=development, or add --allow-production on a test server that nobody else reaches."
        )
    logger = logging.getLogger("lms")
    level, _ = logger.level, logger.setLevel(logging.WARNING)
    accounts = []
    try:
        for plugin in enabled_plugins().values():
            accounts += (plugin.demo() or []) if plugin.demo else []
        db.session.commit()
    finally:
        logger.setLevel(level)
    width = max((len(account.email) for account in accounts), default=0)
    click.echo(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
    for account in accounts:
        place = f" ({account.place})" if account.place else ""
        click.echo(f"  {account.role:<8} {account.email:<{width}}  {account.name}{place}{account.note}")
    click.echo()


@mail.command("send")
def send_mail():
    """Send the outbox's unsent messages through the configured SMTP server."""
    if not current_app.config["MAIL_SERVER"]:
        raise click.ClickException("No SMTP server is configured (LMS_MAIL_SERVER); messages stay in the outbox.")
    click.echo(f"{deliver_pending()} message(s) sent.")


@click.command("worker")
@click.option("--threads", default=4, show_default=True, help="How many jobs this worker runs at a time.")
@with_appcontext
def worker(threads: int):
    """Run background jobs until stopped (Ctrl+C or SIGTERM): e-mail, reminders, warnings, PDFs, exports.

    Start one worker per host, or several; each periodic job runs once across all of them."""
    logging.getLogger("lms").removeHandler(default_handler)  # one line a record, through the root's handler
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("huey").setLevel(logging.WARNING)  # each job is logged once, by lms.core.jobs
    logging.getLogger("huey.consumer").setLevel(logging.INFO)
    logging.getLogger("huey.consumer.Scheduler").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # subsetting a certificate's font, line by line
    background.run_worker(current_app._get_current_object(), threads)


@jobs.command("run")
def run_jobs():
    """Run the jobs that are due now, in this process, without a worker."""
    click.echo(f"{background.run_due()} job(s) run.")
