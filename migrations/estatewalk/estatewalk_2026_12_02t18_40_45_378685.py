"""The stamp of a person's mail choice, and a change row for every follow recorded before phones pulled them.

Follows used to be kept on the server only. Phones now pull them (entity ``follow``, for the follower alone), so
the follows already there get a change row each, numbered after every existing change: a phone whose cursor is
anywhere in the log pulls them on its next round.
"""

import datetime as dt
import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T18:40:45:378685"
VERSION = "1.38.0"
DESCRIPTION = "follow_changes_and_mail_stamps"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="estatewalk", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="MailPreference",
        tablename="mail_preference",
        column_name="at",
        db_column_name="at",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 100,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_raw(_record_existing_follows)

    return manager


async def _record_existing_follows():
    # The app's tables, bound to the database being migrated; only columns that existed at this migration.
    from server.db.tables import ChangeCounter, ChangeLog, Issue, IssueFollower

    follows = await IssueFollower.select(IssueFollower.issue_id, IssueFollower.user_id, IssueFollower.since
                                         ).order_by(IssueFollower.since)
    estates = {row["id"]: row["estate_id"] for row in await Issue.select(Issue.id, Issue.estate_id)}
    follows = [row for row in follows if row["issue_id"] in estates]
    if not follows:
        return
    result = await ChangeCounter.raw(
        "UPDATE change_counter SET version = version + {} WHERE id = 1 RETURNING version", len(follows))
    first = result[0]["version"] - len(follows) + 1
    moment = dt.datetime.now(dt.timezone.utc)
    await ChangeLog.insert(*[
        ChangeLog(version=first + offset, estate_id=estates[row["issue_id"]], client_id=None, entity="follow",
                  entity_id=str(row["issue_id"]), deleted=False, changed_at=moment, issue_id=row["issue_id"],
                  assignee_id=None, user_id=row["user_id"],
                  data=json.dumps({"id": str(row["issue_id"]), "issue_id": str(row["issue_id"]),
                                   "estate_id": str(estates[row["issue_id"]]), "since": _iso(row["since"])}))
        for offset, row in enumerate(follows)
    ])


def _iso(moment):
    return moment.isoformat() if hasattr(moment, "isoformat") else str(moment)
