"""An index on a change's key (``entity_id``, ``entity``, ``version``): a first pull sends each row once, its
latest change up to the snapshot's version, and finds that latest change per key with this index instead of
reading the whole log for every page (``server/sync_api/snapshot.py``). Plain SQL that SQLite and PostgreSQL both
speak."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T14:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "change_log_entity_key"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="estatewalk", description=DESCRIPTION)
    manager.add_raw(_create_index)
    return manager


async def _create_index():
    from server.db.tables import ChangeLog

    await ChangeLog.raw(
        "CREATE INDEX IF NOT EXISTS change_log_entity_key ON change_log (entity_id, entity, version)")
