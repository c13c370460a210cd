"""certificate PDFs are rendered once, by a job, and kept in the file storage

The certificates issued before are rendered the first time they are downloaded; their learners had them all
along, so none of them is told by e-mail that they are ready.

Revision ID: f2a6c8d0e4b7
Revises: b8e4d2f6a1c3
Create Date: 2026-12-03 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f2a6c8d0e4b7"
down_revision = "b8e4d2f6a1c3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certificates_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("rendered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates_certificates.id"],
            name=op.f("fk_certificates_files_certificate_id_certificates_certificates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates_files")),
        sa.UniqueConstraint("certificate_id", "language", name=op.f("uq_certificates_files_certificate_id_language")),
    )
    with op.batch_alter_table("certificates_certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ready_mailed_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE certificates_certificates SET ready_mailed_at = issued_at")


def downgrade():
    with op.batch_alter_table("certificates_certificates", schema=None) as batch_op:
        batch_op.drop_column("ready_mailed_at")
    op.drop_table("certificates_files")
