"""Compiled conditions agree with a plain reference evaluation of the same expression tree.

Random trees over ``and``/``or``/``not``, comparisons (chained too), level names, numbers, booleans
and the declared names are written out as plan text, compiled by ``compile_condition`` and
evaluated on random facts; the reference walks the tree with Python's meaning of each operator
(``and``/``or`` give an operand, as Python's do).
"""

from __future__ import annotations

import operator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.spec.conditions import compile_condition

LEVELS = {"III": 1, "II": 2, "I": 3}
BOOLS = ("armed", "hostages")
INTS = ("injured", "level")
NAMES = {**dict.fromkeys(BOOLS, "bool"), "injured": "number", "level": "level", "type": "text"}
COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
           ">=": operator.ge}

Tree = tuple


def number() -> st.SearchStrategy[Tree]:
    return st.one_of(st.sampled_from(INTS).map(lambda n: ("name", n)),
                     st.integers(-2, 4).map(lambda i: ("const", i)),
                     st.sampled_from(sorted(LEVELS)).map(lambda n: ("level", n)))


def comparison() -> st.SearchStrategy[Tree]:
    return st.builds(lambda first, rest: ("compare", first, tuple(rest)), number(),
                     st.lists(st.tuples(st.sampled_from(sorted(COMPARE)), number()), min_size=1, max_size=3))


def membership() -> st.SearchStrategy[Tree]:
    return st.builds(lambda negate, items: ("in", negate, tuple(items)), st.booleans(),
                     st.lists(st.sampled_from(["robbery", "fire", "flood"]), min_size=1, max_size=3))


LEAVES = st.one_of(st.sampled_from(BOOLS).map(lambda n: ("name", n)), st.booleans().map(lambda b: ("bool", b)),
                   comparison(), membership())

TREES = st.recursive(LEAVES, lambda sub: st.one_of(
    sub.map(lambda t: ("not", t)),
    st.tuples(st.sampled_from(["and", "or"]), st.lists(sub, min_size=2, max_size=3)).map(lambda p: (p[0], *p[1])),
), max_leaves=12)


def text(t: Tree) -> str:
    match t:
        case ("name", n) | ("level", n):
            return n
        case ("const", i):
            return str(i)
        case ("bool", b):
            return "true" if b else "false"
        case ("compare", first, rest):
            return " ".join([text(first), *(f"{op} {text(x)}" for op, x in rest)])
        case ("in", negate, items):
            return f"type {'not in' if negate else 'in'} {list(items)!r}"
        case ("not", inner):
            return f"not ({text(inner)})"
        case (op, *parts):
            return f" {op} ".join(f"({text(p)})" for p in parts)
    raise AssertionError(t)


def reference(t: Tree, v: dict[str, Any]) -> Any:
    match t:
        case ("name", n):
            return v[n]
        case ("level", n):
            return LEVELS[n]
        case ("const", i) | ("bool", i):
            return i
        case ("compare", first, rest):
            values = [reference(first, v), *(reference(x, v) for _, x in rest)]
            return all(COMPARE[op](values[k], values[k + 1]) for k, (op, _) in enumerate(rest))
        case ("in", negate, items):
            return (v["type"] in items) != negate
        case ("not", inner):
            return not reference(inner, v)
        case ("and", *parts):
            value = True
            for p in parts:
                value = reference(p, v)
                if not value:
                    return value
            return value
        case ("or", *parts):
            value = False
            for p in parts:
                value = reference(p, v)
                if value:
                    return value
            return value
    raise AssertionError(t)


FACTS = st.fixed_dictionaries({"armed": st.booleans(), "hostages": st.booleans(), "injured": st.integers(0, 3),
                               "level": st.integers(0, 3), "type": st.sampled_from(["robbery", "fire", "flood"])})


@settings(derandomize=True, max_examples=300, deadline=None, database=None)
@given(TREES, st.lists(FACTS, min_size=1, max_size=4))
def test_compiled_conditions_agree_with_the_reference(tree, cases):
    condition = compile_condition(text(tree), NAMES, LEVELS)
    for facts in cases:
        assert condition(facts) == reference(tree, facts), text(tree)
