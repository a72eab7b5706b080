"""The drill history: every scored drill kept in an SQLite database, its trends and its open actions.

:func:`record_drill` keeps one scored drill (``drillsim score`` calls it); :class:`History` opens a
database; :mod:`.queries` reads drills, trends, actions and re-tests as pandas tables; :mod:`.actions`
updates, closes and re-tests the Improvement Plan's actions (docs/history.md).
"""

from __future__ import annotations

from .store import History, Recorded, default_path, drill_key, record_drill

__all__ = ["History", "Recorded", "default_path", "drill_key", "record_drill"]
