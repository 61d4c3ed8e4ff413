"""The project database: one object owns the engine, transactions and every query.

No SQL lives outside this package. Methods return :mod:`qualcode.model` dataclasses. Every
write runs in a transaction; ``with store.atomic():`` groups several writes into one (nested
calls become savepoints), so a failed import or merge leaves the project exactly as it was.
"""

from __future__ import annotations

from qualcode.store.core import Store

__all__ = ["Store"]
