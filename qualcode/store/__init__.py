"""The project database: one object owns the engine, transactions and every query.

No SQL lives outside this package. Methods return :mod:`qualcode.model` dataclasses and
write ones (``NewCoding``, ``NewMemo``, ``NewSource``). Every write runs in a transaction;
``with store.atomic() as store:`` groups several writes into one (nested calls become
savepoints), so a failed import or merge leaves the project exactly as it was. Write methods
take no connection. What differs between database engines is in :mod:`qualcode.store.dialect`;
a project on a PostgreSQL server's roles and row-level security are in
:mod:`qualcode.store.server`, its team of coders in :mod:`qualcode.store.team`.
"""

from __future__ import annotations

from qualcode.store.core import Store

__all__ = ["Store"]
