"""Piccolo's configuration module (``PICCOLO_CONF=server.db.piccolo_conf``).

``DB`` is replaced by ``server.db.engine.use_database`` when the server starts, so one process can switch
databases (the tests run the same suite on SQLite and PostgreSQL).
"""

from piccolo.conf.apps import AppRegistry

from server.db.engine import engine_for
from server.settings import settings_from_env

DB = engine_for(settings_from_env())
APP_REGISTRY = AppRegistry(apps=["server.db.piccolo_app"])
