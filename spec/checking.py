"""Checking file data against a schema, with every problem named by its line and place."""

from __future__ import annotations

import json
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InputError, InputErrors
from .yamlio import Path_, locate

M = TypeVar("M", bound=BaseModel)
Problems = list[tuple[Path_, str]]


def raise_problems(source: str, data: Any, positions: dict[Path_, int], problems: Problems) -> NoReturn:
    """Raise every problem at once, each as ``file:line: at place what``."""
    errors = []
    for loc, message in problems:
        place, line = locate(loc, data, positions)
        errors.append(InputError(source, message, place, line))
    raise InputErrors(errors)


_WRITTEN_AS = {"int_type": "a whole number: write it as one (2, not 2.0, \"2\" or true)",
               "float_type": "a number: write it as one (2 or 2.5, not \"2\" or true)"}
"""What a number key (``spec.schema.Whole``, ``Number``) says of a value written otherwise."""


def validation_problems(err: ValidationError) -> Problems:
    """Each error of ``err`` at its place; a list's "too short" is left out where one of its items
    failed (pydantic counts only the items that passed)."""
    errors = err.errors()
    failed = {tuple(e["loc"][:k]) for e in errors for k in range(1, len(e["loc"]))}
    out = []
    for e in errors:
        if e["type"] == "too_short" and tuple(e["loc"]) in failed:
            continue
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "missing":
            msg = f"missing required key {e['loc'][-1]!r}"
        elif e["type"] == "extra_forbidden":
            msg = f"unknown key {e['loc'][-1]!r}"
        elif e["type"] in _WRITTEN_AS:
            written = json.dumps(e["input"], ensure_ascii=False, default=str)  # as YAML would write it
            msg = f"{written} is not {_WRITTEN_AS[e['type']]}"
        out.append((tuple(e["loc"]), msg))
    return out


def check(model: type[M], data: Any, source: str, positions: dict[Path_, int], keys: str) -> M:
    """``data`` validated as ``model``; ``keys`` names the main keys, for a file that is not a mapping."""
    if not isinstance(data, dict):
        raise InputError(source, f"the file should be a mapping of keys ({keys}, …)", line=1)
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise_problems(source, data, positions, validation_problems(err))
