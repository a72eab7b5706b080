"""Checking file data against a schema, with every problem named by its line and place."""

from __future__ import annotations

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


def validation_problems(err: ValidationError) -> Problems:
    """pydantic's errors as problems; a list too short because its items were refused is not one."""
    out = []
    errors = err.errors()
    inside = {e["loc"][:n] for e in errors for n in range(len(e["loc"]))}
    for e in errors:
        if e["type"] == "too_short" and e["loc"] in inside:
            continue
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "missing":
            msg = f"missing required key {e['loc'][-1]!r}"
        elif e["type"] == "extra_forbidden":
            msg = f"unknown key {e['loc'][-1]!r}"
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
