import re

import pytest

from drillsim.spec.conditions import compile_condition

NAMES = {"type": "text", "level": "level", "armed": "bool", "injured": "number", "explosive": "bool"}
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


@pytest.mark.parametrize(("text", "wrong"), [
    ("armed < 'x'", "'armed' is true or false and cannot be compared with \"'x'\", which is a text"),
    ("injured == 'two'", "'injured' is a number and cannot be compared with \"'two'\", which is a text"),
    ("type > 3", "'type' is a text and cannot be compared with '3', which is a number"),
    ("level == type", "'level' is a level and cannot be compared with 'type', which is a text"),
    ("injured in ['a', 'b']", "'injured' is a number and cannot be looked for in \"['a', 'b']\", which is a list of "
                              "texts"),
    ("injured in type", "'type' is a text: `in` looks in a list"),
    ("type + 1 > 0", "'type' is a text: `+` is for numbers"),
    ("-type == 0", "'type' is a text: `-` is for numbers"),
    ("(armed or type) == 1", "'armed or type' is a value of mixed kind"),
    ("type in ['a', 1]", "the items of \"['a', 1]\" are of different kinds"),
    ("level >= 'IV'", "'IV' is compared with a level but is not a level of this plan (III, II, I); write a level "
                      "by its name, as in level >= III"),
    ("level in ['II', 'x']", "'x' is compared with a level but is not a level of this plan"),
])
def test_kinds_that_do_not_go_together_are_refused_when_compiled(text, wrong):
    with pytest.raises(ValueError, match=f"^condition {re.escape(repr(text))}: ") as err:
        compile_condition(text, NAMES, LEVELS)
    assert wrong in str(err.value)


def test_numbers_true_false_and_levels_compare_and_add_together():
    assert ev("armed + injured == 3", armed=True, injured=2) and ev("level > 0", level=1)
    assert ev("armed == 1", armed=True)
    assert ev("(injured or 1) > 0") and ev("(type or 'x') == 'armed_robbery'")


def test_a_level_in_quotes_stands_for_its_rank():
    assert ev("level >= 'II'", level=2) and not ev("level >= 'II'", level=1)
    assert ev("'II' <= level", level=3) and ev("level in ['II', 'I']", level=3) and not ev("level in ('I',)", level=2)
    assert ev("type == 'II'", type="II")  # a text compared with a text stays a text


@pytest.mark.parametrize("text", ["10 / injured > 1", "armed or 10 / injured > 1", "injured / (1 - 1) > 0",
                                  "injured / 0 > 1", "injured / -0.0 > 1", "injured / true > 1", "injured / II > 1"])
def test_division_only_by_a_number_written_out_that_is_not_0(text):
    with pytest.raises(ValueError, match=r"divides by '.+': divide only by a number written out, not 0"):
        compile_condition(text, NAMES, LEVELS)


def test_a_whole_number_written_out_is_at_most_the_largest_whole_fact():
    assert ev("injured < 9007199254740992", injured=1)
    with pytest.raises(ValueError, match=r"'9007199254740993' is too large: a whole number written out is at most"):
        compile_condition("injured < 9007199254740993", NAMES, LEVELS)


def test_a_product_is_taken_in_floating_point_and_cannot_overflow_a_division():
    # whole numbers multiplied exactly would pass 2**1024, and dividing that by 3 raises OverflowError
    big = " * ".join(["injured"] * 24)
    assert ev(f"{big} / 3 > 1", injured=2**53)
    assert ev("injured * 3 == 6", injured=2) and ev("injured * 0.5 == 1", injured=2)


def test_division_by_a_number_written_out():
    assert ev("injured / 2 == 1.5", injured=3) and ev("injured / -0.5 == -4", injured=2)


@pytest.mark.parametrize("text", ["type == 'robery'", "'robery' != type", "type in ['robbery', 'fir']"])
def test_an_incident_type_compared_with_type_is_one_of_the_plan_s(text):
    types = {"type": ("robbery", "fire")}
    with pytest.raises(ValueError, match=r"is not a type of this plan \(robbery, fire\), so the comparison could"):
        compile_condition(text, NAMES, LEVELS, types)
    assert compile_condition("type in ['robbery', 'fire'] and type != 'fire'", NAMES, LEVELS, types)(
        {"type": "robbery"}) is True
