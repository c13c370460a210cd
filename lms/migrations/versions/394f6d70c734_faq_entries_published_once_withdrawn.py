"""faq entries: published once, withdrawn

Revision ID: 394f6d70c734
Revises: 0b6f1d2e7c44
Create Date: 2026-12-03 09:37:39.809557

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "394f6d70c734"
down_revision = "0b6f1d2e7c44"
branch_labels = None
depends_on = None


def upgrade():
    # A question published twice before the rule: the first entry keeps the link to it, later ones stay unlinked.
    op.execute(
        "UPDATE support_faq SET ticket_id = NULL WHERE ticket_id IS NOT NULL AND id > "
        "(SELECT MIN(earlier.id) FROM support_faq AS earlier WHERE earlier.ticket_id = support_faq.ticket_id)"
    )
    with op.batch_alter_table("support_faq", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_support_faq_ticket_id"), ["ticket_id"])


def downgrade():
    with op.batch_alter_table("support_faq", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_support_faq_ticket_id"), type_="unique")
        batch_op.drop_column("withdrawn_at")
