"""outbox: messages that failed for good

Revision ID: 6c1f0e9d2a47
Revises: a3c5e7f9b1d2
Create Date: 2026-12-10 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6c1f0e9d2a47"
down_revision = "a3c5e7f9b1d2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("core_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("core_outbox", schema=None) as batch_op:
        batch_op.drop_column("failed_at")
