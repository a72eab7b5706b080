"""Read YAML keeping the line of every key and item, so errors can name the place in the file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

Path_ = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """Safe loader; nothing but plain data is ever constructed.

    Booleans follow YAML 1.2: only true/false. YAML 1.1 would read the key ``on:`` (a trigger in
    plan files) and words such as yes/no/off as booleans.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), [_first]
    )


class DuplicateKey(Exception):
    def __init__(self, name: str, line: int, first: int):
        self.name, self.line, self.first = name, line, first


def _positions(node: yaml.Node, path: Path_, out: dict[Path_, int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key)
            if name in seen:
                raise DuplicateKey(name, key.start_mark.line + 1, seen[name])
            seen[name] = key.start_mark.line + 1
            _positions(value, (*path, name), out)
            out[(*path, name)] = key.start_mark.line + 1  # the key's line, not the value's
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _positions(item, (*path, i), out)


def load_yaml(path: str | Path) -> tuple[Any, dict[Path_, int]]:
    """Return the document and a map from its paths (keys and indexes) to line numbers."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except UnicodeDecodeError as err:
        raise InputError(str(path), f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise InputError(str(path), f"cannot be read: {err.strerror}") from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError(str(path), "the file is empty")
        positions: dict[Path_, int] = {}
        _positions(node, (), positions)
        data = loader.construct_document(node)
    except DuplicateKey as dup:
        raise InputError(str(path), f"the key {dup.name!r} appears twice in one mapping (first at line {dup.first});"
                         " the second would silently replace the first", line=dup.line) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        raise InputError(str(path), f"YAML syntax error: {err.problem or err.context}", line=line) from None
    except yaml.YAMLError as err:
        raise InputError(str(path), f"YAML error: {err}") from None
    finally:
        loader.dispose()
    return data, positions


def locate(loc: Path_, data: Any, positions: dict[Path_, int]) -> tuple[str, int | None]:
    """Turn a validation location into a readable place and a line.

    Steps of ``loc`` that are not keys in the document (pydantic adds union tags) are skipped.
    """
    walked: list[str | int] = []
    node = data
    for step in loc:
        in_mapping = isinstance(node, dict) and step in node
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if in_mapping or in_list:
            node = node[step]
            walked.append(step)
    place = ""
    for step in walked:
        place += f"[{step}]" if isinstance(step, int) else (f".{step}" if place else str(step))
    line = None
    for n in range(len(walked), -1, -1):
        if tuple(walked[:n]) in positions:
            line = positions[tuple(walked[:n])]
            break
    return place, line
