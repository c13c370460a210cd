"""Clarinet LMS: on-the-job training for the civil servants of Europe's local authorities."""

from flask.cli import FlaskGroup

from lms.core.app import create_app

__all__ = ["create_app", "main"]


def main() -> None:
    """Run the `lms` command: Flask's CLI for this app (run, routes, db, …) and the platform's own."""
    FlaskGroup(create_app=create_app, help="Clarinet LMS: serve, migrate and manage the platform.").main(
        prog_name="lms"
    )
