from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T03:04:41:518203"
VERSION = "1.38.0"
DESCRIPTION = "languages"


def _varchar(length: int) -> dict:
    return {
        "length": length,
        "default": "",
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="estatewalk", description=DESCRIPTION)

    # The language a person reads the app, e-mails and PDFs in ("" = never chosen), and the stamp of the choice.
    for column_name, length in (("language", 35), ("language_at", 100)):
        manager.add_column(
            table_class_name="AppUser",
            tablename="app_user",
            column_name=column_name,
            db_column_name=column_name,
            column_class_name="Varchar",
            column_class=Varchar,
            params=_varchar(length),
            schema=None,
        )

    # The language an issue's title and description were typed in, for lang attributes.
    manager.add_column(
        table_class_name="Issue",
        tablename="issue",
        column_name="written_in",
        db_column_name="written_in",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_varchar(35),
        schema=None,
    )

    return manager
