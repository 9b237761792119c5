from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from walletdesk.runtime import Runtime
from walletdesk.storage.migrate import current_revision, head_revision
from walletdesk.storage.schema import metadata


def test_the_migrated_schema_matches_the_table_definitions(rt: Runtime) -> None:
    with rt.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_the_database_is_at_the_head_revision(rt: Runtime) -> None:
    url = rt.settings.resolved_database_url
    assert current_revision(url) == head_revision(url)


def test_sqlite_runs_in_wal_mode_with_full_sync(rt: Runtime) -> None:
    if rt.db.dialect != "sqlite":
        return
    with rt.db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
