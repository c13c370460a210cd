"""`lms content …`: check and import course_content/."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.courses import services
from lms.courses.content import load_content
from lms.extensions import db

cli = AppGroup("content", help="The courses written in course_content/.")
path_option = click.option(
    "--path",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="The content folder (default: LMS_CONTENT_DIR, or course_content/ of the project).",
)


def _load(path: Path | None):
    content = load_content(path or Path(current_app.config["CONTENT_DIR"]))
    for problem in content.problems:
        click.echo(str(problem), err=True)
    if content.problems:
        raise click.ClickException(f"{len(content.problems)} problem(s) found; nothing was changed.")
    return content


@cli.command("check")
@path_option
def check(path):
    """Check every course file and report each problem with its file and line."""
    content = _load(path)
    lessons = sum(len(course.lessons) for course in content.courses)
    click.echo(f"{len(content.courses)} course(s) and {lessons} lesson(s) are correct.")


@cli.command("import")
@path_option
def import_content(path):
    """Check the course files and, when all are correct, import them (progress is kept)."""
    report = services.import_content(_load(path))
    db.session.commit()
    click.echo(report.summary())
