"""background jobs, and when the one-time links in the outbox expire

Messages waiting in the outbox get the job that sends them; their one-time links expire within the longest
lifetime that a link has by default (an invitation's 14 days).

Revision ID: d7f3b9e1a5c2
Revises: c4e8a2d6f0b1
Create Date: 2026-12-03 16:45:00

"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "d7f3b9e1a5c2"
down_revision = "c4e8a2d6f0b1"
branch_labels = None
depends_on = None


def upgrade():
    jobs = op.create_table(
        "core_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("run_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("unique_key", sa.String(length=120), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("worker", sa.String(length=120), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_jobs")),
        sa.UniqueConstraint("unique_key", name=op.f("uq_core_jobs_unique_key")),
    )
    with op.batch_alter_table("core_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_core_jobs_state_run_at", ["state", "run_at"], unique=False)
    with op.batch_alter_table("core_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_expires_at", sa.DateTime(), nullable=True))

    connection = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    outbox = sa.table(
        "core_outbox",
        sa.column("id", sa.Integer),
        sa.column("created_at", sa.DateTime),
        sa.column("secret_link", sa.String),
        sa.column("sent_at", sa.DateTime),
        sa.column("failed_at", sa.DateTime),
    )
    waiting = connection.execute(
        sa.select(outbox.c.id, outbox.c.created_at, outbox.c.secret_link).where(
            outbox.c.sent_at.is_(None), outbox.c.failed_at.is_(None)
        )
    ).all()
    for message_id, created_at, secret_link in waiting:
        if secret_link is not None:
            connection.execute(
                sa.text("UPDATE core_outbox SET link_expires_at = :at WHERE id = :id"),
                {"at": created_at + timedelta(days=14), "id": message_id},
            )
    if waiting:
        op.bulk_insert(
            jobs,
            [
                {
                    "kind": "mail.deliver",
                    "args": {"message_id": message_id},
                    "state": "queued",
                    "run_at": now,
                    "attempts": 0,
                    "max_attempts": 8,
                    "created_at": now,
                }
                for message_id, _created_at, _link in waiting
            ],
        )


def downgrade():
    with op.batch_alter_table("core_outbox", schema=None) as batch_op:
        batch_op.drop_column("link_expires_at")
    with op.batch_alter_table("core_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_core_jobs_state_run_at")
    op.drop_table("core_jobs")
