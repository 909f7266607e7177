"""The store: every change to the fact base, its rules, and the promises the disk keeps.

``changes`` is what each change does (add, edit, cite, retract, restore, review, import, note) through
:class:`FactStore`, re-exported here; ``writes`` runs one write at a time (history, then the fact
file, then memory); ``history`` is the append-only log; ``loading`` opens, validates or refuses, and
creates a database from the shipped base; ``transfer`` reads fact files and holds the rules ``check``
and ``import`` share. ``disk/`` beneath it keeps the promises about bytes on disk.

May import: :mod:`knowledge.model`, :mod:`knowledge.errors` and ``disk/``. Never search, the desk or
Discord: what needs search (near-duplicate warnings) is passed in by the caller.
"""

from knowledge.store.changes import BOT, CORRECTIONS, SHIPPED_BASE, FactStore, ImportReport

__all__ = ["BOT", "CORRECTIONS", "SHIPPED_BASE", "FactStore", "ImportReport"]
