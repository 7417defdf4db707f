"""Schema migrations with Alembic, on either backend, from inside the package."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.pool import StaticPool

HEAD = "head"


def _config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", "giftflow.store:migrations")
    config.attributes["connection"] = connection
    return config


def upgrade_engine(engine: sa.Engine, revision: str = HEAD) -> None:
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def downgrade_engine(engine: sa.Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(_config(connection), revision)


def sqlite_engine(connect: Callable[[], Any]) -> sa.Engine:
    """An engine over one existing ``sqlite3`` connection (needed for ``:memory:``)."""
    return sa.create_engine("sqlite://", creator=connect, poolclass=StaticPool)


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        if not inspector.has_table("alembic_version"):
            return None
        row = connection.execute(sa.text("SELECT version_num FROM alembic_version")).first()
        return None if row is None else str(row[0])
