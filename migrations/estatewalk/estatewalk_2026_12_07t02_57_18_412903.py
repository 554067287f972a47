"""Identity and possession: the server's secret for the ids it derives, and who uploaded which photo bytes.

The secret's one row is made right after the migrations, still under the migration lock every process takes
(``server.db.engine.ensure_server_secret``), so all the server processes of a deployment derive the same ids
(docs/security.md, "Identity, possession and uniform answers"). Piccolo runs a migration's raw steps before its
tables exist, so the row cannot be made here.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T02:57:18:412903"
VERSION = "1.38.0"
DESCRIPTION = "server_secret_and_photo_uploads"


def _params(**overrides):
    params = {
        "default": None,
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(overrides)
    return params


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="estatewalk", description=DESCRIPTION)

    manager.add_table(class_name="ServerSecret", tablename="server_secret", schema=None, columns=None)
    manager.add_column(table_class_name="ServerSecret", tablename="server_secret", column_name="id",
                       db_column_name="id", column_class_name="Integer", column_class=Integer,
                       params=_params(default=0, primary_key=True), schema=None)
    manager.add_column(table_class_name="ServerSecret", tablename="server_secret", column_name="secret",
                       db_column_name="secret", column_class_name="Varchar", column_class=Varchar,
                       params=_params(length=128, default=""), schema=None)
    manager.add_column(table_class_name="ServerSecret", tablename="server_secret", column_name="created_at",
                       db_column_name="created_at", column_class_name="Timestamptz", column_class=Timestamptz,
                       params=_params(default=TimestamptzNow()), schema=None)

    manager.add_table(class_name="PhotoUpload", tablename="photo_upload", schema=None, columns=None)
    manager.add_column(table_class_name="PhotoUpload", tablename="photo_upload", column_name="key",
                       db_column_name="key", column_class_name="Varchar", column_class=Varchar,
                       params=_params(length=110, default="", primary_key=True), schema=None)
    manager.add_column(table_class_name="PhotoUpload", tablename="photo_upload", column_name="sha256",
                       db_column_name="sha256", column_class_name="Varchar", column_class=Varchar,
                       params=_params(length=64, default="", index=True), schema=None)
    manager.add_column(table_class_name="PhotoUpload", tablename="photo_upload", column_name="user_id",
                       db_column_name="user_id", column_class_name="UUID", column_class=UUID,
                       params=_params(default=UUID4(), index=True), schema=None)
    manager.add_column(table_class_name="PhotoUpload", tablename="photo_upload", column_name="uploaded_at",
                       db_column_name="uploaded_at", column_class_name="Timestamptz", column_class=Timestamptz,
                       params=_params(default=TimestamptzNow()), schema=None)

    return manager
