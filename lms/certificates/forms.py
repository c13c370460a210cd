"""Forms of certificates: revoking with a reason, re-issuing."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from lms.core.forms import BaseForm


class RevokeForm(BaseForm):
    reason = TextAreaField(
        _l("Reason"),
        [InputRequired(), Length(max=500)],
        description=_l("Recorded with the revocation; the public verification page shows only the date."),
    )
