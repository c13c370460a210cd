"""Receivers: issue a certificate as soon as a learner meets all of a course's requirements."""

from lms.certificates import services


def issue_when_due(sender, user, course_slug, **kwargs) -> None:
    """Issue the course's certificate if every requirement is met now (idempotent)."""
    services.issue_if_due(user, course_slug)
