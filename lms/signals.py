"""The named signals through which the packages talk without importing each other.

Every receiver must accept ``**kwargs`` so that a signal can grow an argument. Receivers
only write rows (they flush, never commit); the view or CLI command that caused the signal
commits once.
"""

from blinker import Namespace

_signals = Namespace()

user_created = _signals.signal("user-created", doc="""
Sent when an account is created (by an admin, an invitation, self-registration or the CLI).
The *sender* is the new user; `via` names how ("admin", "invitation", "registration", "cli").
""")

demo_data_requested = _signals.signal("demo-data-requested", doc="""
Sent by `lms demo load` so that every enabled package adds its demo data, idempotently.
The *sender* is the app. A receiver returns a list of `DemoAccount` to print, or None.
""")

template_hook = _signals.signal("template-hook", doc="""
Sent by `{{ template_hook(name, **context) }}` in a template. Connect with
``template_hook.connect_via(name)``; each receiver returns `Markup` (or None) and the
results are joined in the page.
""")
