"""Courses: the catalogue, enrolment, the lesson player, progress, knowledge checks, completion."""

from lms.core.plugins import Plugin
from lms.courses.cli import cli
from lms.courses.views import bp

plugin = Plugin(name="courses", blueprint=bp, cli=cli)
