"""support: the due times of the targets that experts and admins were warned of

Revision ID: b8e4d2f6a1c3
Revises: f2a7c4e9b3d1
Create Date: 2026-12-04 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b8e4d2f6a1c3"
down_revision = "f2a7c4e9b3d1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("support_tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_response_warned_for", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("resolution_warned_for", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("support_tickets", schema=None) as batch_op:
        batch_op.drop_column("resolution_warned_for")
        batch_op.drop_column("first_response_warned_for")
