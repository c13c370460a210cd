"""accounts and the outbox

Revision ID: e81c5aa796c2
Revises:
Create Date: 2026-11-22 12:35:12.021374

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e81c5aa796c2"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "accounts_organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_organisations")),
        sa.UniqueConstraint("name", "country", name=op.f("uq_accounts_organisations_name_country")),
    )
    with op.batch_alter_table("accounts_organisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_organisations_country"), ["country"], unique=False)

    op.create_table(
        "core_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_outbox")),
    )
    with op.batch_alter_table("core_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_outbox_created_at"), ["created_at"], unique=False)

    op.create_table(
        "accounts_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=50), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["accounts_organisations.id"],
            name=op.f("fk_accounts_users_organisation_id_accounts_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_users")),
        sa.UniqueConstraint("email", name=op.f("uq_accounts_users_email")),
    )
    with op.batch_alter_table("accounts_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_users_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "accounts_invitations",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("use_count", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["accounts_users.id"],
            name=op.f("fk_accounts_invitations_created_by_id_accounts_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["accounts_organisations.id"],
            name=op.f("fk_accounts_invitations_organisation_id_accounts_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_accounts_invitations_token_hash")),
    )
    with op.batch_alter_table("accounts_invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_invitations_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "accounts_password_resets",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_users.id"],
            name=op.f("fk_accounts_password_resets_user_id_accounts_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_password_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_accounts_password_resets_token_hash")),
    )
    with op.batch_alter_table("accounts_password_resets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_password_resets_user_id"), ["user_id"], unique=False)

    op.create_table(
        "accounts_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_users.id"],
            name=op.f("fk_accounts_recovery_codes_user_id_accounts_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_recovery_codes")),
    )
    with op.batch_alter_table("accounts_recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_recovery_codes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "accounts_trainer_countries",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_users.id"],
            name=op.f("fk_accounts_trainer_countries_user_id_accounts_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "country", name=op.f("pk_accounts_trainer_countries")),
    )
    op.create_table(
        "accounts_user_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_users.id"],
            name=op.f("fk_accounts_user_roles_user_id_accounts_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_accounts_user_roles")),
    )


def downgrade():
    op.drop_table("accounts_user_roles")
    op.drop_table("accounts_trainer_countries")
    with op.batch_alter_table("accounts_recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_recovery_codes_user_id"))

    op.drop_table("accounts_recovery_codes")
    with op.batch_alter_table("accounts_password_resets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_password_resets_user_id"))

    op.drop_table("accounts_password_resets")
    with op.batch_alter_table("accounts_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_invitations_organisation_id"))

    op.drop_table("accounts_invitations")
    with op.batch_alter_table("accounts_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_users_organisation_id"))

    op.drop_table("accounts_users")
    with op.batch_alter_table("core_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_outbox_created_at"))

    op.drop_table("core_outbox")
    with op.batch_alter_table("accounts_organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_organisations_country"))

    op.drop_table("accounts_organisations")
