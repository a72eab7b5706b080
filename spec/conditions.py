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
Each part's kind is checked then too (docs/plan-files.md, "Conditions"), so that a compiled
condition cannot fail when it is evaluated.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Collection, Mapping
from functools import reduce
from typing import Any

from .values import LARGEST_WHOLE

Vars = Mapping[str, Any]
Condition = Callable[[Vars], Any]
Typed = tuple[Condition, str]
"""A compiled part of a condition and the kind of value it gives."""

_COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: lambda a, b: float(a) * float(b),
          ast.Div: operator.truediv}
"""A product is taken in floating point, which grows to infinity rather than to a whole number too large
to divide (facts and numbers written out are at most ``spec.values.LARGEST_WHOLE`` either way)."""
_CONSTANT_NAMES = {"true": True, "false": False, "True": True, "False": False}


def always(_: Vars) -> bool:
    return True


def compile_condition(text: str | bool | None, names: Mapping[str, str], constants: Mapping[str, Any],
                      choices: Mapping[str, Collection[str]] | None = None) -> Condition:
    """Compile ``text``; ``names`` are the variables it may read, each with its kind (``bool``, ``number``,
    ``text`` or ``level``), ``constants`` the level names with their rank, ``choices`` the values a text
    name can have (``type``: the plan's incident types), so that a text compared with it is one of them.

    Raises ValueError naming the offending part, the first time it is compiled: a comparison or
    arithmetic of kinds that do not go together, or a division by anything but a number written
    out, is refused here, so a compiled condition cannot fail when it is evaluated.
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
    return _Compiler(text, names, constants, choices or {}).compile(tree.body)[0]


def names_read(text: str | bool | None) -> frozenset[str]:
    """The names a condition reads (of a condition ``compile_condition`` accepts)."""
    if not isinstance(text, str):
        return frozenset()
    return frozenset(n.id for n in ast.walk(ast.parse(text.strip(), mode="eval")) if isinstance(n, ast.Name))


def _and(left: Condition, right: Condition) -> Condition:
    return lambda v: left(v) and right(v)


def _or(left: Condition, right: Condition) -> Condition:
    return lambda v: left(v) or right(v)


NUMERIC = ("bool", "number", "level")
"""Kinds whose values are numbers when evaluated (a level is its rank); they compare and add together."""
_SAYS = {"bool": "true or false", "number": "a number", "level": "a level", "text": "a text", "mixed": "a value of "
         "mixed kind (an and/or of different kinds)"}


def _says(kind: str) -> str:
    return f"a list of {_SAYS[kind[5:]].removeprefix('a ')}s" if kind.startswith("list:") else _SAYS[kind]


def _family(kind: str) -> str:
    return "number" if kind in NUMERIC else kind


class _Compiler:
    """Turns a condition's tree into closures, with the kind of value each part gives."""

    def __init__(self, text: str, names: Mapping[str, str], constants: Mapping[str, Any],
                 choices: Mapping[str, Collection[str]]):
        self.text, self.names, self.constants, self.choices = text, names, constants, choices

    def part(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text.strip(), node) or type(node).__name__

    def wrong(self, message: str) -> ValueError:
        return ValueError(f"condition {self.text!r}: {message}")

    def compile(self, node: ast.AST) -> Typed:
        """The closure of ``node`` and the kind of what it gives (``bool``, ``number``, ``level``,
        ``text``, ``mixed`` or ``list:<kind>``)."""
        match node:
            case ast.Constant(value=value) if isinstance(value, int | float | str | bool):
                if isinstance(value, int) and not isinstance(value, bool) and abs(value) > LARGEST_WHOLE:
                    raise self.wrong(f"{self.part(node)!r} is too large: a whole number written out is at most "
                                     f"{LARGEST_WHOLE:,}")
                kind = "bool" if isinstance(value, bool) else "text" if isinstance(value, str) else "number"
                return (lambda _: value), kind
            case ast.Name(id=name) if name in _CONSTANT_NAMES:
                value = _CONSTANT_NAMES[name]
                return (lambda _: value), "bool"
            case ast.Name(id=name) if name in self.constants:
                value = self.constants[name]
                return (lambda _: value), "level"
            case ast.Name(id=name) if name in self.names:
                return (lambda v: v[name]), self.names[name]
            case ast.Name(id=name):
                known = ", ".join(sorted({*self.names, *self.constants}))
                raise ValueError(f"condition {self.text!r} names {name!r}, which is not defined (known: {known})")
            case ast.List(elts=elts) | ast.Tuple(elts=elts):
                compiled = [self.compile(e) for e in elts]
                parts = [fn for fn, _ in compiled]
                kinds = {_family(k) for _, k in compiled}
                if len(kinds) > 1 or kinds & {"mixed"} or any(k.startswith("list:") for k in kinds):
                    raise self.wrong(f"the items of {self.part(node)!r} are of different kinds: a list holds "
                                     "numbers only or texts only")
                return (lambda v: [p(v) for p in parts]), f"list:{kinds.pop() if kinds else 'number'}"
            case ast.BoolOp(op=op, values=values) if isinstance(op, ast.And | ast.Or):
                compiled = [self.compile(e) for e in values]
                kinds = {k for _, k in compiled}
                # gives one of its operands, as Python's `and`/`or` do; it short-circuits
                fn = reduce(_and if isinstance(op, ast.And) else _or, [f for f, _ in compiled])
                return fn, kinds.pop() if len(kinds) == 1 else "number" if kinds <= set(NUMERIC) else "mixed"
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                inner = self.compile(operand)[0]
                return (lambda v: not inner(v)), "bool"
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                inner = self.number(operand, "-")
                return (lambda v: -inner(v)), "number"
            case ast.BinOp(left=left, op=op, right=right) if type(op) in _ARITH:
                sign = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}[type(op)]
                fn, lf, rf = _ARITH[type(op)], self.number(left, sign), self.number(right, sign)
                if isinstance(op, ast.Div):
                    self.divisor(right)
                return (lambda v: fn(lf(v), rf(v))), "number"
            case ast.Compare(left=left, ops=ops, comparators=comparators) if all(type(o) in _COMPARE for o in ops):
                nodes = [left, *comparators]
                operands = [self.compile(n) for n in nodes]
                for k, o in enumerate(ops):
                    operands[k], operands[k + 1] = self.comparable(o, nodes[k], operands[k], nodes[k + 1],
                                                                   operands[k + 1])
                first = operands[0][0]
                steps = [(_COMPARE[type(o)], fn) for o, (fn, _) in zip(ops, operands[1:], strict=True)]

                def compare(v: Vars) -> bool:
                    a = first(v)
                    for fn, right_fn in steps:
                        b = right_fn(v)
                        if not fn(a, b):
                            return False
                        a = b
                    return True

                return compare, "bool"
        raise self.wrong(f"{self.part(node)!r} is not allowed (use names, literals, and/or/not, comparisons)")

    def number(self, node: ast.AST, sign: str) -> Condition:
        """The closure of an operand of arithmetic, which must give a number."""
        fn, kind = self.compile(node)
        if kind not in NUMERIC:
            raise self.wrong(f"{self.part(node)!r} is {_says(kind)}: `{sign}` is for numbers")
        return fn

    def divisor(self, node: ast.AST) -> None:
        """A divisor is a number written out, and not 0: a name may be 0 when the condition is read."""
        number = node.operand if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) else node
        value = number.value if isinstance(number, ast.Constant) else None
        if not isinstance(value, int | float) or isinstance(value, bool) or value == 0:
            raise self.wrong(f"divides by {self.part(node)!r}: divide only by a number written out, not 0, as a "
                             "name may be 0 (multiply instead: `10 / injured > 2` is "
                             "`injured > 0 and injured * 2 < 10`)")

    def comparable(self, op: ast.cmpop, left: ast.AST, lk: Typed, right: ast.AST, rk: Typed) -> tuple[Typed, Typed]:
        """The two operands of one comparison, a level's name in quotes next to a level made its rank;
        refused if they cannot be compared."""
        self.known(left, right)
        self.known(right, left)
        if isinstance(op, ast.In | ast.NotIn):
            if not rk[1].startswith("list:"):
                raise self.wrong(f"{self.part(right)!r} is {_says(rk[1])}: `in` looks in a list "
                                 "(type in ['fire', 'flood'])")
            if lk[1] == "level" and _texts(right):
                return lk, (self.levels(right), "list:level")
            if isinstance(right, ast.List | ast.Tuple) and not right.elts:
                return lk, rk
            self.same(left, lk[1], right, rk[1][5:], f"looked for in {self.part(right)!r}, which is {_says(rk[1])}")
            return lk, rk
        if lk[1] == "level" and _texts(right):
            return lk, (self.levels(right), "level")
        if rk[1] == "level" and _texts(left):
            return (self.levels(left), "level"), rk
        self.same(left, lk[1], right, rk[1], f"compared with {self.part(right)!r}, which is {_says(rk[1])}")
        return lk, rk

    def known(self, name: ast.AST, other: ast.AST) -> None:
        """A text compared with a name of known values is one of them: a misspelt one would never match."""
        if isinstance(name, ast.Name) and name.id in self.choices:
            for text in _texts(other) or ():
                if text not in self.choices[name.id]:
                    raise self.wrong(f"{text!r} is not a {name.id} of this plan "
                                     f"({', '.join(self.choices[name.id])}), so the comparison could never hold")

    def same(self, left: ast.AST, lk: str, right: ast.AST, rk: str, how: str) -> None:
        """Refuses a comparison of ``left`` with ``right`` (or with the items of a list) of kinds apart."""
        if "mixed" in (lk, rk) or lk.startswith("list:") or rk.startswith("list:") or _family(lk) != _family(rk):
            raise self.wrong(f"{self.part(left)!r} is {_says(lk)} and cannot be {how}")

    def levels(self, node: ast.AST) -> Condition:
        """A level's name in quotes (``'II'``), or a list of them, as the rank the level stands for."""
        names = _texts(node) or []
        for name in names:
            if name not in self.constants:
                raise self.wrong(f"{name!r} is compared with a level but is not a level of this plan "
                                 f"({', '.join(self.constants)}); write a level by its name, as in "
                                 f"level >= {next(iter(self.constants), 'II')}")
        ranks = [self.constants[name] for name in names]
        if isinstance(node, ast.List | ast.Tuple):
            return lambda _: ranks
        rank = ranks[0]
        return lambda _: rank


def _texts(node: ast.AST) -> list[str] | None:
    """The texts of a text written out, or of a list of them; ``None`` if it is not that."""
    items = node.elts if isinstance(node, ast.List | ast.Tuple) else [node]
    texts = [e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return texts if texts and len(texts) == len(items) else None


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
