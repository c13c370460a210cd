"""options keep their codes: retired options and rows

Until now the builder gave codes by place: the first line was o1, the second o2, and so on, so
that reordering or deleting options moved answers to other labels. From now on a code stays with
its option. The codes stored so far are exactly the options' current codes, so no answer and no
label changes here; only the lists of retired options and rows start, empty.

Revision ID: 7c2a9e4f1b30
Revises: 394f6d70c734
Create Date: 2026-12-03 14:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7c2a9e4f1b30"
down_revision = "394f6d70c734"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("surveys_questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_options", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("retired_rows", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade():
    with op.batch_alter_table("surveys_questions", schema=None) as batch_op:
        batch_op.drop_column("retired_rows")
        batch_op.drop_column("retired_options")
