from typing import Literal

from litestar import get
from msgspec import Struct

from server.db.tables import ChangeCounter


class Health(Struct):
    status: Literal["ok"]
    database: Literal["sqlite", "postgresql"]


@get("/api/health", tags=["operations"])
async def health() -> Health:
    """Answers when the server runs and its database answers."""
    from server.db.engine import current_engine

    await ChangeCounter.select(ChangeCounter.version).first()
    kind = "postgresql" if current_engine().engine_type == "postgres" else "sqlite"
    return Health(status="ok", database=kind)
