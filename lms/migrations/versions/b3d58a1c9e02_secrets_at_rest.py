"""secrets at rest: authenticator keys encrypted, one-time links kept apart from the outbox's bodies

Revision ID: b3d58a1c9e02
Revises: 6c1f0e9d2a47
Create Date: 2026-12-10 11:00:00.000000

"""

import re

import sqlalchemy as sa
from alembic import op

from lms.core.encryption import decrypt, encrypt

# revision identifiers, used by Alembic.
revision = "b3d58a1c9e02"
down_revision = "6c1f0e9d2a47"
branch_labels = None
depends_on = None

#: The mark of a one-time link in a stored body (lms.core.mail.SECRET_LINK when this was written).
SECRET_LINK = "[one-time link]"
#: The one-time links that mails held before: password resets (and welcome messages) and invitations.
LINK = re.compile(r"https?://\S+?/accounts/(?:password-reset|join)/[A-Za-z0-9_-]+")


def _rewrite_secrets(change) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, totp_secret FROM accounts_users WHERE totp_secret IS NOT NULL"))
    for user_id, secret in rows.all():
        connection.execute(
            sa.text("UPDATE accounts_users SET totp_secret = :secret WHERE id = :id"),
            {"secret": change(secret), "id": user_id},
        )


def upgrade():
    with op.batch_alter_table("core_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret_link", sa.String(length=500), nullable=True))
    with op.batch_alter_table("accounts_users", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret", existing_type=sa.String(length=64), type_=sa.String(length=200), existing_nullable=True
        )
    _rewrite_secrets(encrypt)
    # A message that has left, or failed for good, forgets its link; one still waiting keeps it apart from the body.
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT id, body, sent_at IS NULL AND failed_at IS NULL FROM core_outbox WHERE body LIKE '%/accounts/%'"
        )
    )
    for message_id, body, waiting in rows.all():
        found = LINK.search(body)
        if found:
            connection.execute(
                sa.text("UPDATE core_outbox SET body = :body, secret_link = :link WHERE id = :id"),
                {"body": LINK.sub(SECRET_LINK, body), "link": found.group(0) if waiting else None, "id": message_id},
            )


def downgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, body, secret_link FROM core_outbox WHERE secret_link IS NOT NULL"))
    for message_id, body, link in rows.all():
        connection.execute(
            sa.text("UPDATE core_outbox SET body = :body WHERE id = :id"),
            {"body": body.replace(SECRET_LINK, link), "id": message_id},
        )
    _rewrite_secrets(decrypt)
    with op.batch_alter_table("accounts_users", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret", existing_type=sa.String(length=200), type_=sa.String(length=64), existing_nullable=True
        )
    with op.batch_alter_table("core_outbox", schema=None) as batch_op:
        batch_op.drop_column("secret_link")
