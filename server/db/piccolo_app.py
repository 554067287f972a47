from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.db.tables import ALL_TABLES

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "estatewalk"

APP_CONFIG = AppConfig(
    app_name="estatewalk",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=ALL_TABLES,
    migration_dependencies=[],
    commands=[],
)
