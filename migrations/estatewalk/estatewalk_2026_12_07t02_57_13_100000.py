"""Unique indexes of the photo chunks and upload parts (Piccolo runs raw steps before creating tables, so these
follow the tables' own migration). Plain SQL that SQLite and PostgreSQL both speak; and on PostgreSQL, photo
bytes stored without compression (JPEG does not compress: trying costs CPU on every write, for nothing)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T02:57:13:100000"
VERSION = "1.38.0"
DESCRIPTION = "photo_chunk_indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="estatewalk", description=DESCRIPTION)
    manager.add_raw(_create_indexes)
    return manager


async def _create_indexes():
    from server.db.tables import PhotoChunk

    await PhotoChunk.raw("CREATE UNIQUE INDEX IF NOT EXISTS photo_chunk_blob_seq ON photo_chunk (blob_key, seq)")
    await PhotoChunk.raw(
        "CREATE UNIQUE INDEX IF NOT EXISTS tus_upload_part_upload_start ON tus_upload_part (upload_id, start)")
    await PhotoChunk.raw("CREATE INDEX IF NOT EXISTS tus_upload_touched ON tus_upload (touched_at)")
    from piccolo.engine.postgres import PostgresEngine

    if isinstance(PhotoChunk._meta.db, PostgresEngine):
        await PhotoChunk.raw("ALTER TABLE photo_chunk ALTER COLUMN data SET STORAGE EXTERNAL")
        await PhotoChunk.raw("ALTER TABLE tus_upload_part ALTER COLUMN data SET STORAGE EXTERNAL")
