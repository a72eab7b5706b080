"""Conditions written in plan files, compiled by a safe evaluator.

A condition is a small expression over the incident's ``type``, its declared ``level`` and the
facts the plan declares, for example::

    type == "armed_robbery" and (injured > 0 or hostages)
    level >= II and not explosive
    type in ["bank_run", "system_failure"]

The text is parsed with :mod:`ast` and only a whitelist of node kinds is accepted (boolean
operators, comparisons, ``not``, arithmetic, literals, lists and the declared names). It is turned
into nested closures once, at load time; Python's ``eval`` is never called on file text. Level
names (``I``, ``II``, ``III``) stand for their severity rank, so ``level >= II`` reads naturally.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from functools import reduce
from typing import Any

Vars = Mapping[str, Any]
Condition = Callable[[Vars], Any]

_COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_CONSTANT_NAMES = {"true": True, "false": False, "True": True, "False": False}


def always(_: Vars) -> bool:
    return True


def compile_condition(text: str | bool | None, names: set[str], constants: Mapping[str, Any]) -> Condition:
    """Compile ``text``; ``names`` are the variables it may read, ``constants`` fixed names.

    Raises ValueError naming the offending part.
    """
    if text is None or text is True:
        return always
    if text is False:
        return lambda _: False
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"a condition is an expression in quotes, got {text!r}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise ValueError(f"cannot parse condition {text!r}: {err.msg}") from None
    return _compile(tree.body, text, names, {**_CONSTANT_NAMES, **constants})


def names_read(text: str | bool | None) -> frozenset[str]:
    """The names a condition reads (of a condition ``compile_condition`` accepts)."""
    if not isinstance(text, str):
        return frozenset()
    return frozenset(n.id for n in ast.walk(ast.parse(text.strip(), mode="eval")) if isinstance(n, ast.Name))


def _and(left: Condition, right: Condition) -> Condition:
    return lambda v: left(v) and right(v)


def _or(left: Condition, right: Condition) -> Condition:
    return lambda v: left(v) or right(v)


def _compile(node: ast.AST, text: str, names: set[str], constants: Mapping[str, Any]) -> Condition:
    def sub(n: ast.AST) -> Condition:
        return _compile(n, text, names, constants)

    match node:
        case ast.Constant(value=value) if isinstance(value, int | float | str | bool):
            return lambda _: value
        case ast.Name(id=name) if name in constants:
            value = constants[name]
            return lambda _: value
        case ast.Name(id=name) if name in names:
            return lambda v: v[name]
        case ast.Name(id=name):
            known = ", ".join(sorted(names | set(constants) - set(_CONSTANT_NAMES)))
            raise ValueError(f"condition {text!r} names {name!r}, which is not defined (known: {known})")
        case ast.List(elts=elts) | ast.Tuple(elts=elts):
            parts = [sub(e) for e in elts]
            return lambda v: [p(v) for p in parts]
        case ast.BoolOp(op=ast.And(), values=values):
            return reduce(_and, [sub(e) for e in values])  # short-circuits, and gives what Python's `and` gives
        case ast.BoolOp(op=ast.Or(), values=values):
            return reduce(_or, [sub(e) for e in values])
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            inner = sub(operand)
            return lambda v: not inner(v)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            inner = sub(operand)
            return lambda v: -inner(v)
        case ast.BinOp(left=left, op=op, right=right) if type(op) in _ARITH:
            fn, lf, rf = _ARITH[type(op)], sub(left), sub(right)
            return lambda v: fn(lf(v), rf(v))
        case ast.Compare(left=left, ops=ops, comparators=comparators) if all(type(o) in _COMPARE for o in ops):
            first = sub(left)
            steps = [(_COMPARE[type(o)], sub(c)) for o, c in zip(ops, comparators, strict=True)]

            def compare(v: Vars) -> bool:
                a = first(v)
                for fn, right_fn in steps:
                    b = right_fn(v)
                    if not fn(a, b):
                        return False
                    a = b
                return True

            return compare
    part = ast.get_source_segment(text.strip(), node) or type(node).__name__
    raise ValueError(f"condition {text!r}: {part!r} is not allowed (use names, literals, and/or/not, comparisons)")


def thresholds(text: str | bool | None, name: str) -> set[float]:
    """The numbers ``name`` is compared with in a condition (``hours >= 3`` gives {3})."""
    if not isinstance(text, str) or not text.strip():
        return set()
    found: set[float] = set()
    for node in ast.walk(ast.parse(text.strip(), mode="eval")):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(isinstance(o, ast.Name) and o.id == name for o in operands):
                found.update(o.value for o in operands if isinstance(o, ast.Constant)
                             and isinstance(o.value, int | float) and not isinstance(o.value, bool))
    return found
