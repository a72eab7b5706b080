"""The evaluator's work on the Improvement Plan's actions: complete one, close one, record its re-test.

Each is one transaction; a refusal (an unknown action, a re-test in a drill that did not meet the
requirement …) raises :class:`InputError` naming the action and changes nothing.
"""

from __future__ import annotations

from datetime import date

from drillsim.spec.errors import InputError

from .schema import EVALUATOR_FIELDS
from .store import History, fetch_rows

MIN_PREFIX = 4
"""A drill may be named by the first digits of its key, at least this many, when no other key shares them."""


def _action(history: History, action_id: int) -> dict:
    found = fetch_rows(history.db, "SELECT a.*, d.plan, d.drill_date, d.first_recorded_at FROM actions a "
                       "JOIN drills d ON d.key = a.drill WHERE a.id = ?", (action_id,))
    if not found:
        raise InputError(f"action {action_id}", f"there is no such action in {history.path} "
                         "(`drillsim history` lists them)")
    return found[0]


def find_drill(history: History, key: str) -> dict:
    """The drill whose key is ``key``, or starts with it."""
    key = key.strip().lower()
    found = fetch_rows(history.db, "SELECT * FROM drills WHERE key = :key OR (length(:key) >= :least AND "
                       "substr(key, 1, length(:key)) = :key)", {"key": key, "least": MIN_PREFIX})
    if len(found) == 1:
        return found[0]
    if not found:
        raise InputError(f"drill {key}", f"there is no such drill in {history.path} (`drillsim history` lists them)")
    raise InputError(f"drill {key}", f"{len(found)} drills' keys start so: give more of it "
                     f"({', '.join(d['key'] for d in found)})")


def update_action(history: History, action_id: int, **fields: str | date | None) -> dict:
    """Complete an action: any of owner, due, start, corrective_action, capability_element, organisation."""
    unknown = sorted(set(fields) - set(EVALUATOR_FIELDS))
    if unknown:
        raise ValueError(f"an action has no field {', '.join(unknown)}; its fields: {', '.join(EVALUATOR_FIELDS)}")
    given = {f: v.isoformat() if isinstance(v, date) else v for f, v in fields.items() if v is not None}
    if not given:
        raise InputError(f"action {action_id}", "nothing to change: give at least one of "
                         + ", ".join("--" + f.replace("_", "-") for f in EVALUATOR_FIELDS))
    with history.write(f"update action {action_id}") as db:
        _action(history, action_id)
        db.execute(f"UPDATE actions SET {', '.join(f'{f} = :{f}' for f in given)} WHERE id = :id",
                   {**given, "id": action_id})
        return _action(history, action_id)


def close_action(history: History, action_id: int, note: str, today: date | None = None) -> dict:
    """Close an open action with a note saying what was done."""
    if not note.strip():
        raise InputError(f"action {action_id}", "closing an action needs a note saying what was done (--note)")
    with history.write(f"close action {action_id}") as db:
        action = _action(history, action_id)
        if action["status"] == "closed":
            raise InputError(f"action {action_id}", f"is closed already, on {action['closed_at']}: "
                             f"{action['closing_note']}")
        db.execute("UPDATE actions SET status = 'closed', closed_at = ?, closing_note = ? WHERE id = ?",
                   ((today or date.today()).isoformat(), note.strip(), action_id))
        return _action(history, action_id)


def record_retest(history: History, action_id: int, drill: str) -> dict:
    """Link an action to a later drill of the same plan that met its requirement.

    Refused when that drill is of another plan, was not held after the action's drill, or did not
    meet the requirement.
    """
    with history.write(f"record the re-test of action {action_id}") as db:
        action = _action(history, action_id)
        later = find_drill(history, drill)
        place = f"action {action_id}"
        if later["plan"] != action["plan"]:
            raise InputError(place, f"drill {later['key']} is of plan {later['plan']}, not of {action['plan']}, "
                             "the plan of the action's drill")
        if (later["drill_date"], later["first_recorded_at"], later["key"]) <= (
                action["drill_date"], action["first_recorded_at"], action["drill"]):
            raise InputError(place, f"drill {later['key']} ({later['drill_date']}) was not held after the action's "
                             f"drill {action['drill']} ({action['drill_date']}); a re-test is a later drill")
        result = fetch_rows(db, "SELECT outcome FROM results WHERE drill = ? AND requirement = ?",
                            (later["key"], action["requirement"]))
        outcome = result[0]["outcome"] if result else "not scored"
        if outcome != "met":
            raise InputError(place, f"drill {later['key']} did not meet {action['requirement']} ({outcome}), so it "
                             "is no re-test that the action worked")
        db.execute("UPDATE actions SET retest_drill = ? WHERE id = ?", (later["key"], action_id))
        return _action(history, action_id)
