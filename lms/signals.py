"""The named signals through which the packages talk without importing each other.

Every receiver must accept ``**kwargs`` so that a signal can grow an argument. Receivers
only write rows (they flush, never commit); the view or CLI command that caused the signal
commits once.
"""

from dataclasses import dataclass

from blinker import Namespace

_signals = Namespace()

user_created = _signals.signal(
    "user-created",
    doc="""
Sent when an account is created (by an admin, an invitation, self-registration or the CLI).
The *sender* is the new user; `via` names how ("admin", "invitation", "registration", "cli").
""",
)

template_hook = _signals.signal(
    "template-hook",
    doc="""
Sent by `{{ template_hook(name, **context) }}` in a template. Connect with
``template_hook.connect_via(name)``; each receiver returns `Markup` (or None) and the
results are joined in the page.
""",
)

lesson_completed = _signals.signal(
    "lesson-completed",
    doc="""
Sent once when a learner completes a lesson (marked done, or its knowledge check passed).
The *sender* is the enrolment; `user` is the learner, `course_slug` and `lesson_slug` name it.
""",
)

course_completed = _signals.signal(
    "course-completed",
    doc="""
Sent once when a learner has done every required lesson of a course and passed its checks.
The *sender* is the enrolment; `user` is the learner and `course_slug` the course.
""",
)

completion_requirements = _signals.signal(
    "completion-requirements",
    doc="""
Asked by courses to list what else a learner must do for a course beyond its lessons and
checks (for example "evaluation submitted"). The *sender* is the enrolment; `user` and
`course_slug` are given. A receiver returns a list of `Requirement`, or None.
""",
)


@dataclass(frozen=True)
class Requirement:
    """One thing a learner must do to complete a course, and whether it is done."""

    label: str
    met: bool
    url: str | None = None


course_requirements_changed = _signals.signal(
    "course-requirements-changed",
    doc="""
Sent by a package when something it requires for completing a course has been done (for
example, the evaluation submitted), so that what waits for all requirements can look again.
The *sender* is the package's name; `user` and `course_slug` are given.
""",
)

certificate_issued = _signals.signal(
    "certificate-issued",
    doc="""
Sent when a certificate is issued (or re-issued). The *sender* is the certificate; `user` is
the learner and `course_slug` the course.
""",
)

survey_submitted = _signals.signal(
    "survey-submitted",
    doc="""
Sent for every response to a survey. The *sender* is the survey; `user` is the person (None
for a public link without an account), `response` the stored response and `course_slug` the
course the survey evaluates (or None). For anonymous surveys, receivers must not link the two.
""",
)

ticket_answered = _signals.signal(
    "ticket-answered",
    doc="""
Sent when an expert answers a question (not for internal notes). The *sender* is the ticket;
`expert` is who answered and `message` the answer.
""",
)

personal_data_requested = _signals.signal(
    "personal-data-requested",
    doc="""
Asked when a person downloads the data the platform holds about them. The *sender* is the
user. A receiver returns a dict {section title: JSON-serialisable data}, or None.
""",
)

user_erasing = _signals.signal(
    "user-erasing",
    doc="""
Sent when an admin erases a person, before their account is anonymised. The *sender* is the
user. Receivers delete or anonymise their package's personal data of the person, keeping
anonymous statistics and verification answers consistent; they flush, never commit.
""",
)
