"""Time is stored as naive UTC; Babel shows it in the viewer's zone."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime, as the database stores it."""
    return datetime.now(UTC).replace(tzinfo=None)
