import pytest

from drillsim.sim.conditions import compile_condition

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
