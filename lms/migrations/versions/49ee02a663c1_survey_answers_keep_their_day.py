"""survey answers keep their day

Revision ID: 49ee02a663c1
Revises: a7fa8ebb9a4b
Create Date: 2026-11-22 13:22:17.836244

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "49ee02a663c1"
down_revision = "a7fa8ebb9a4b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("surveys_answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submitted_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("surveys_answers", schema=None) as batch_op:
        batch_op.drop_column("submitted_on")
