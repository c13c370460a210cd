"""support

Revision ID: c1e56c0ef182
Revises: 8b92e42e280a
Create Date: 2026-11-22 13:42:16.725114

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c1e56c0ef182"
down_revision = "8b92e42e280a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "support_topics",
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_support_topics")),
    )
    op.create_table(
        "support_experts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("last_assigned_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_users.id"],
            name=op.f("fk_support_experts_user_id_accounts_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_support_experts")),
    )
    op.create_table(
        "support_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("topic_slug", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("course_slug", sa.String(length=80), nullable=True),
        sa.Column("lesson_slug", sa.String(length=80), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("first_response_at", sa.DateTime(), nullable=True),
        sa.Column("waiting_since", sa.DateTime(), nullable=True),
        sa.Column("paused_seconds", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=True),
        sa.Column("requester_seen_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["accounts_users.id"],
            name=op.f("fk_support_tickets_assignee_id_accounts_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["accounts_users.id"],
            name=op.f("fk_support_tickets_requester_id_accounts_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["topic_slug"], ["support_topics.slug"], name=op.f("fk_support_tickets_topic_slug_support_topics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_tickets")),
    )
    with op.batch_alter_table("support_tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_tickets_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_tickets_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_tickets_requester_id"), ["requester_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_tickets_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_tickets_topic_slug"), ["topic_slug"], unique=False)

    op.create_table(
        "support_faq",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("topic_slug", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answer_html", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["accounts_users.id"],
            name=op.f("fk_support_faq_author_id_accounts_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["support_tickets.id"],
            name=op.f("fk_support_faq_ticket_id_support_tickets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["topic_slug"], ["support_topics.slug"], name=op.f("fk_support_faq_topic_slug_support_topics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_faq")),
    )
    with op.batch_alter_table("support_faq", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_faq_language"), ["language"], unique=False)

    op.create_table(
        "support_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["accounts_users.id"],
            name=op.f("fk_support_messages_author_id_accounts_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["support_tickets.id"],
            name=op.f("fk_support_messages_ticket_id_support_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_messages")),
    )
    with op.batch_alter_table("support_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_messages_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "support_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["support_messages.id"],
            name=op.f("fk_support_attachments_message_id_support_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_attachments")),
    )
    with op.batch_alter_table("support_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_attachments_message_id"), ["message_id"], unique=False)

    topics = sa.table(
        "support_topics", sa.column("slug", sa.String), sa.column("labels", sa.JSON), sa.column("active", sa.Boolean)
    )
    op.bulk_insert(
        topics,
        [
            {
                "slug": "migration-law",
                "active": True,
                "labels": {
                    "en": "Migration and asylum law",
                    "it": "Diritto dell'immigrazione e d'asilo",
                    "de": "Migrations- und Asylrecht",
                    "sl": "Migracijsko in azilno pravo",
                    "el": "Δίκαιο μετανάστευσης και ασύλου",
                    "ro": "Dreptul migrației și azilului",
                    "bg": "Миграционно право и право на убежище",
                    "hu": "Migrációs és menekültügyi jog",
                },
            },
            {
                "slug": "integration",
                "active": True,
                "labels": {
                    "en": "Integration services",
                    "it": "Servizi per l'integrazione",
                    "de": "Integrationsangebote",
                    "sl": "Storitve za integracijo",
                    "el": "Υπηρεσίες ένταξης",
                    "ro": "Servicii de integrare",
                    "bg": "Услуги за интеграция",
                    "hu": "Integrációs szolgáltatások",
                },
            },
            {
                "slug": "communication",
                "active": True,
                "labels": {
                    "en": "Public communication",
                    "it": "Comunicazione pubblica",
                    "de": "Öffentliche Kommunikation",
                    "sl": "Javno komuniciranje",
                    "el": "Δημόσια επικοινωνία",
                    "ro": "Comunicare publică",
                    "bg": "Публична комуникация",
                    "hu": "Nyilvános kommunikáció",
                },
            },
            {
                "slug": "data",
                "active": True,
                "labels": {
                    "en": "Data and evidence",
                    "it": "Dati ed evidenze",
                    "de": "Daten und Belege",
                    "sl": "Podatki in dokazi",
                    "el": "Δεδομένα και τεκμήρια",
                    "ro": "Date și dovezi",
                    "bg": "Данни и доказателства",
                    "hu": "Adatok és bizonyítékok",
                },
            },
        ],
    )


def downgrade():
    with op.batch_alter_table("support_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_attachments_message_id"))

    op.drop_table("support_attachments")
    with op.batch_alter_table("support_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_messages_ticket_id"))

    op.drop_table("support_messages")
    with op.batch_alter_table("support_faq", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_faq_language"))

    op.drop_table("support_faq")
    with op.batch_alter_table("support_tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_tickets_topic_slug"))
        batch_op.drop_index(batch_op.f("ix_support_tickets_status"))
        batch_op.drop_index(batch_op.f("ix_support_tickets_requester_id"))
        batch_op.drop_index(batch_op.f("ix_support_tickets_country"))
        batch_op.drop_index(batch_op.f("ix_support_tickets_assignee_id"))

    op.drop_table("support_tickets")
    op.drop_table("support_experts")
    op.drop_table("support_topics")
