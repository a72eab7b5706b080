"""The words of the live pages, from the reports' message catalogue (``reports/locale/<lang>.po``,
docs/evaluation.md), so that one idea has one word on every page; plan names are the plan's own."""

from __future__ import annotations

from drillsim.reports.i18n import N_, Translator

MESSAGES: dict[str, str] = {
    "controller": N_("Controller"), "evaluator": N_("Evaluator"), "clock": N_("Drill clock"), "state": N_("State"),
    "ready": N_("ready"), "running": N_("running"), "paused": N_("paused"), "ended": N_("ended"),
    "start": N_("Start"), "pause": N_("Pause"), "resume": N_("Resume"), "end": N_("End the drill"),
    "end_confirm": N_("Yes, end it"), "msel": N_("MSEL"), "inject": N_("Inject"), "time": N_("Time"),
    "actions": N_("Expected actions"), "status": N_("Status"), "deliver": N_("Deliver"), "skip": N_("Skip"),
    "contingency": N_("contingency"), "scorecard": N_("Running scorecard"), "requirement": N_("Requirement"),
    "left": N_("left"), "due": N_("due"), "pending": N_("pending"), "delivered": N_("delivered"),
    "skipped": N_("skipped"), "met": N_("met"), "late": N_("late"), "overdue": N_("overdue"),
    "missed": N_("missed"), "violated": N_("violated"), "not-applicable": N_("not applicable"),
    "not-evaluated": N_("not evaluated"), "result": N_("Result"), "aar": N_("After-Action Report"),
    "sheet": N_("Live log (sheet)"), "score": N_("Score"), "rating": N_("Rating"), "online": N_("online"),
    "offline": N_("offline"), "queued": N_("waiting to send"), "stamps": N_("My stamps"), "undo": N_("Undo"),
    "correct": N_("Correct time"), "note": N_("Note"), "note_save": N_("Save note"), "undone": N_("undone"),
    "corrected": N_("corrected"), "acked": N_("sent"), "watching": N_("Watching"), "evaluators": N_("Evaluators"),
    "warnings": N_("Warnings"), "new_time": N_("New time (hh:mm:ss)"),
}
"""Each word the pages show, by the key the templates and the script use, as its English message."""


def words(lang: str) -> dict[str, str]:
    """The pages' words in ``lang`` (``en`` or ``zh``)."""
    tr = Translator(lang)
    return {key: tr(message) for key, message in MESSAGES.items()}
