"""The project database schema (SQLAlchemy Core) and its ordered migrations.

The schema is plain Core so the same code runs on SQLite (one ``.qcdb`` file per project) and on
PostgreSQL. ``start``/``end`` are code-point offsets into ``sources.text``; SQLAlchemy quotes
``end`` where the dialect reserves it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
)

from qualcode.store.dialect import NEVER_REUSE_IDS, dialect_of

SCHEMA_VERSION = 7

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

coders = Table(
    "coders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("guid", String(40)),  # v2: REFI-QDA User guid
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(500), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("language", String(20), nullable=False),
    Column("guid", String(40)),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("origin", Text, nullable=False, default=""),
    Column("imported_at", String(40), nullable=False),
)

attributes = Table(
    "attributes",
    metadata,
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("value", Text, nullable=False),
)

turns = Table(
    "turns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("idx", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("speaker", String(200)),
    Column("timestamp", Float),
    Index("ix_turns_source", "source_id", "idx"),
)

codes = Table(
    "codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parent_id", Integer, ForeignKey("codes.id")),
    Column("name", String(300), nullable=False),
    Column("definition", Text, nullable=False, default=""),
    Column("inclusion", Text, nullable=False, default=""),
    Column("exclusion", Text, nullable=False, default=""),
    Column("keywords", Text, nullable=False, default="[]"),  # JSON list
    Column("examples", Text, nullable=False, default="[]"),  # JSON list
    Column("color", String(20)),
    Column("hotkey", String(4)),
    Column("guid", String(40)),
    Column("position", Integer, nullable=False, default=0),
)

codings = Table(
    "codings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("code_id", Integer, ForeignKey("codes.id"), nullable=False),
    Column("coder_id", Integer, ForeignKey("coders.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("memo", Text, nullable=False, default=""),
    Column("guid", String(40)),  # v2: REFI-QDA Coding guid
    # One coder applying the same code twice to the same span is a no-op.
    UniqueConstraint("source_id", "code_id", "coder_id", "start", "end", name="uq_coding"),
    Index("ix_codings_code", "code_id"),
    Index("ix_codings_source", "source_id", "start"),
    # v3: an id is never handed out twice, so undo, redo and memos that hold a coding's id
    # can never reach another coder's coding made after it was deleted.
    **NEVER_REUSE_IDS,
)

memos = Table(
    "memos",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("target", String(20), nullable=False),  # project | source | code | coding
    Column("target_id", Integer),
    Column("coder_id", Integer, ForeignKey("coders.id")),
    Column("text", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("guid", String(40)),  # v2: REFI-QDA Note guid
)

# Undo history of coding operations: payload is JSON of the coding rows the operation
# added or removed, so undo and redo can restore them with their ids.
history = Table(
    "history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("op", String(20), nullable=False),  # apply | remove
    Column("coder_id", Integer, ForeignKey("coders.id")),
    Column("payload", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("undone", Boolean, nullable=False, default=False),
)


# v2: what the suggesters were shown and what the coder did with it, used as labels for
# learning and to report each suggester's precision.
suggestion_feedback = Table(
    "suggestion_feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("code_id", Integer, ForeignKey("codes.id", ondelete="CASCADE")),
    Column("label", String(300), nullable=False),
    Column("suggester", String(100), nullable=False),
    Column("score", Float, nullable=False),
    Column("accepted", Boolean, nullable=False),
    Column("coder_id", Integer, ForeignKey("coders.id")),
    Column("created_at", String(40), nullable=False),
    Index("ix_feedback_code", "code_id"),
)

# v4: the review queue, suggestions for the uncoded rest of a project waiting for a coder's
# decision (``qualcode suggest --all``); a decided one leaves the queue for the feedback table.
# Each coder has a queue of their own (``coder_id``): on a server two coders queue and decide
# at once, each fenced to their own rows like their codings.
pending_suggestions = Table(
    "pending_suggestions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("code_id", Integer, ForeignKey("codes.id", ondelete="CASCADE"), nullable=False),
    Column("label", String(300), nullable=False),
    Column("suggester", String(100), nullable=False),
    Column("score", Float, nullable=False),
    # The precision expected of the queue at the threshold it was made with.
    Column("precision", Float, nullable=False),
    Column("evidence", Text, nullable=False, default="[]"),  # JSON list
    Column("created_at", String(40), nullable=False),
    Column("coder_id", Integer, ForeignKey("coders.id"), nullable=False),
    Index("ix_pending_code", "coder_id", "code_id"),
)

# v5: what an offline copy and its server last agreed on (qualcode.project.sync), one row of
# compressed JSON. It grows with the project and only push and pull read it, so it is not a
# setting: ``meta`` is read whole on every ``settings()``. (Until v4 it was meta's
# ``sync.base``, base64 text.) On a server the table stays empty.
sync_base = Table(
    "sync_base",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)
SYNC_BASE_ROW = 1

# v6: every reconcile decision (qualcode.project.reconciling), so that none is lost or taken
# back silently: what was chosen for which span, into which coder, by whom and when, and
# whether an undo took it back (``undone``) or a later decision replaced it (``replaced_by``).
# ``agreements`` rows (the units the coders coded alike) have no span and count their units.
# On a server each row is fenced to ``decided_by``, the role that made it.
decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),  # pick | accept | agreements
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE")),
    Column("code_id", Integer, ForeignKey("codes.id", ondelete="CASCADE")),
    Column("start", Integer),
    Column("end", Integer),
    Column("choice", String(200), nullable=False),
    Column("into_id", Integer, ForeignKey("coders.id"), nullable=False),
    Column("coders", Text, nullable=False),  # the coders compared, comma-separated
    Column("unit", String(20), nullable=False),
    Column("decided_by", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("count", Integer, nullable=False, default=1),
    Column("undone", Boolean, nullable=False, default=False),
    Column("replaced_by", Integer),
    Index("ix_decisions_place", "into_id", "source_id", "code_id"),
    **NEVER_REUSE_IDS,
)
OLD_SYNC_BASE_KEY = "sync.base"


def _v1_to_v2(conn: Connection) -> None:
    for table in ("coders", "codings", "memos"):
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN guid VARCHAR(40)")
    suggestion_feedback.create(conn)


def _v2_to_v3(conn: Connection) -> None:
    """Make ``codings`` hand out no id twice, keeping every row and id.

    The counter starts above every id the undo history still holds: an undone coding's id
    stays its own, for its redo.
    """
    held = [0]
    for (payload,) in conn.execute(select(history.c.payload)):
        held.extend(int(row["id"]) for row in json.loads(payload))
    dialect_of(conn).keep_ids_unique(conn, codings, max(held))


def _v3_to_v4(conn: Connection) -> None:
    pending_suggestions.create(conn)


def _v4_to_v5(conn: Connection) -> None:
    """Move a clone's sync base out of ``meta`` into ``sync_base``, as it was (a damaged one
    stays damaged, for push and pull to say so)."""
    sync_base.create(conn, checkfirst=True)
    key = meta.c.key == OLD_SYNC_BASE_KEY
    old = conn.execute(select(meta.c.value).where(key)).scalar()
    if old is None:
        return
    try:
        data = base64.b64decode(old, validate=True)
    except (binascii.Error, ValueError):
        data = old.encode("utf-8")
    conn.execute(sync_base.insert().values(id=SYNC_BASE_ROW, data=data))
    conn.execute(meta.delete().where(key))


def _v5_to_v6(conn: Connection) -> None:
    decisions.create(conn, checkfirst=True)


def _v6_to_v7(conn: Connection) -> None:
    """Nothing changes in a table: on a server, the upgrade's ``server.secure()`` makes the
    fences of :mod:`qualcode.store.fences` (a coder writes through functions only), which
    the qualcode that reads v7 relies on."""


# Upgrades: MIGRATIONS[n] takes a project at schema version n to n + 1. A new project is
# created from ``metadata`` at SCHEMA_VERSION directly; an older one is walked up step by step.
# A schema change bumps SCHEMA_VERSION, edits the tables above and adds its step here.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
    5: _v5_to_v6,
    6: _v6_to_v7,
}
