"""How much of a long drill the reports show: a page or a terminal lists this much and says what it
left out, and the files beside them (events.csv, scorecard.json) hold everything."""

MAX_EVENT_ROWS = 400
"""Rows of the log the page lists at most; the built-in scenarios' drills have fewer."""
HEAD_ROWS, TAIL_ROWS = 200, 100
"""The first and the last rows the page lists of a longer log."""
MAX_WARNINGS = 50
"""Warnings from reading the log that the page and the terminal list at most (the first)."""
