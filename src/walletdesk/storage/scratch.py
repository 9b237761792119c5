"""Scratch PostgreSQL databases for benchmarks: created on the admin connection's server and
dropped afterwards (with FORCE, so a crashed run's connections cannot keep one alive)."""

from __future__ import annotations

import re

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from walletdesk.storage.database import normalise_url

_SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def database_url(admin_url: str, name: str) -> str:
    """The admin URL pointed at database `name` (same server, user and password)."""
    url = make_url(normalise_url(admin_url)).set(database=name)
    return url.render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """The URL as libpq tools (psql, pgbench) read it: no SQLAlchemy driver suffix."""
    return (
        make_url(normalise_url(url))
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def create_database(admin_url: str, name: str) -> str:
    if not _SAFE_NAME.match(name):
        raise ValueError(f"unsafe database name {name!r}")
    engine = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return database_url(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    if not _SAFE_NAME.match(name):
        raise ValueError(f"unsafe database name {name!r}")
    engine = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def host_of(url: str) -> str | None:
    """The server's host name, or None for a local socket."""
    return make_url(normalise_url(url)).host


def sized_engine(url: str, *, connections: int) -> Engine:
    """A PostgreSQL engine with room for `connections` at once (the default pool is sized for
    a web worker, and a load generator with many threads must never wait on its own pool).
    Like the server's engine (`storage.database`), no pre-ping: it would add a round trip to
    every unit of work that the deployment does not pay."""
    return create_engine(
        normalise_url(url), pool_recycle=3600, pool_size=connections, max_overflow=4
    )
