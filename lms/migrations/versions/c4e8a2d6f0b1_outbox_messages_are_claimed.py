"""outbox messages are claimed before they are sent: two workers never send one twice

Revision ID: c4e8a2d6f0b1
Revises: af3af5ede12e
Create Date: 2026-12-03 16:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c4e8a2d6f0b1"
down_revision = "af3af5ede12e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("core_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("core_outbox", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
