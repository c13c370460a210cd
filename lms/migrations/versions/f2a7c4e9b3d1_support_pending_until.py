"""support: the day until which the learner is waited for

Revision ID: f2a7c4e9b3d1
Revises: d7f3b9e1a5c2
Create Date: 2026-12-04 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f2a7c4e9b3d1"
down_revision = "d7f3b9e1a5c2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("support_tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_until", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("support_tickets", schema=None) as batch_op:
        batch_op.drop_column("pending_until")
