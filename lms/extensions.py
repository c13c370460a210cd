"""The Flask extensions, created once and bound to each app by `create_app`."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase

#: Predictable constraint names, so migrations name them alike on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(get_remote_address)


def dialect_insert(model):
    """Return an INSERT into *model* in the session's database dialect (PostgreSQL or SQLite), which both offer
    ON CONFLICT: `.on_conflict_do_nothing(...)` and `.on_conflict_do_update(...)`."""
    return (postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite).insert(model)
