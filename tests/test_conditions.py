import re

import pytest

from drillsim.spec.conditions import compile_condition

NAMES = {"type", "level", "armed", "injured", "explosive"}
LEVELS = {"III": 1, "II": 2, "I": 3}


def ev(text, **v):
    base = {"type": "armed_robbery", "level": 0, "armed": False, "injured": 0, "explosive": False}
    return compile_condition(text, NAMES, LEVELS)({**base, **v})


def test_expressions():
    assert ev("armed and injured > 0", armed=True, injured=2)
    assert not ev("armed and injured > 0", armed=True)
    assert ev("type in ['armed_robbery', 'bank_run']")
    assert ev("level >= II", level=3)
    assert not ev("level >= II", level=1)
    assert ev("not explosive")
    assert ev("0 < injured <= 2", injured=2)
    assert ev("injured * 2 - 1 == 3", injured=2)
    assert ev(None) and ev(True) and not ev(False)


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')", "armed.__class__", "open('x')", "[x for x in type]", "lambda: 1",
    "injured if armed else 0", "armed; 1", "",
])
def test_unsafe_or_invalid_rejected(text):
    with pytest.raises(ValueError):
        compile_condition(text, NAMES, LEVELS)


def test_unknown_name_is_named():
    with pytest.raises(ValueError, match="'hostage'"):
        compile_condition("hostage or armed", NAMES, LEVELS)


def test_and_or_short_circuit_and_chain_as_in_python():
    assert ev("armed and injured > 0 and explosive", armed=True, injured=1, explosive=True)
    assert not ev("armed and injured > 0 and explosive", armed=True, injured=1)
    assert ev("armed or injured > 0 or explosive", explosive=True)
    assert not ev("armed or injured > 0 or explosive")
    assert ev("(armed or explosive) and not injured", explosive=True)
    assert not ev("injured > 0 and 10 / injured > 2")  # the right side is never evaluated: no division by zero
    assert ev("injured == 0 or 10 / injured > 2")


def test_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match=r"^a condition is an expression in quotes, got '  '$"):
        compile_condition("  ", NAMES, LEVELS)
    with pytest.raises(ValueError, match=r"^a condition is an expression in quotes, got 3$"):
        compile_condition(3, NAMES, LEVELS)
    with pytest.raises(ValueError, match=r"^cannot parse condition 'armed and': invalid syntax$"):
        compile_condition("armed and", NAMES, LEVELS)
    with pytest.raises(ValueError, match=r"^condition 'hostage' names 'hostage', which is not defined "
                                         r"\(known: I, II, III, armed, explosive, injured, level, type\)$"):
        compile_condition("hostage", NAMES, LEVELS)
    message = "condition \"open('x')\": \"open('x')\" is not allowed (use names, literals, and/or/not, comparisons)"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        compile_condition("open('x')", NAMES, LEVELS)
    with pytest.raises(ValueError, match=r"^condition 'armed and \(hostage or 1\)' names 'hostage', which"):
        compile_condition("armed and (hostage or 1)", NAMES, LEVELS)
    with pytest.raises(ValueError, match=r"'injured % 2' is not allowed"):
        compile_condition("injured % 2", NAMES, LEVELS)


def test_arithmetic_literals_and_lists():
    assert ev("injured / 2 == 1.5", injured=3)
    assert ev("-injured == -2", injured=2)
    assert ev("injured - 1 + 1 == injured", injured=4) and ev("1 + injured == 5", injured=4)
    assert ev("injured in [0, level]", injured=2, level=2) and not ev("injured in [0, level]", injured=2, level=1)
    assert compile_condition(False, NAMES, LEVELS)({}) is False and compile_condition(None, NAMES, LEVELS)({}) is True
    assert ev("type in ('armed_robbery',)") and ev("type not in ['fire']") and not ev("type not in ['armed_robbery']")
    assert ev("True") and not ev("False") and ev("true") and not ev("false")
    assert ev("'a' != 'b'") and ev("injured != 1") and not ev("injured != 0")
    assert ev("1 < 2 < 3") and not ev("1 < 3 < 2") and not ev("3 < 1 < 4")
    assert ev("injured >= 1 and injured <= 1 and injured < 2 and injured > 0", injured=1)
    assert ev("level == I", level=3) and not ev("level == I", level=2)
    assert compile_condition("injured and armed", NAMES, LEVELS)({"injured": 2, "armed": "x"}) == "x"
    assert compile_condition("injured or armed", NAMES, LEVELS)({"injured": 2, "armed": "x"}) == 2


def test_thresholds_are_the_numbers_a_name_is_compared_with():
    from drillsim.spec.conditions import thresholds

    text = "(provinces >= 2 and hours >= 3) or 0.5 <= hours or hours == true or other > 7"
    assert thresholds(text, "hours") == {3, 0.5}
    assert thresholds(text, "provinces") == {2}
    assert thresholds("hours + 1 >= 3", "hours") == set()
    assert thresholds(None, "hours") == set() and thresholds("  ", "hours") == set() and thresholds(True, "x") == set()
