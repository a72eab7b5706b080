"""Read YAML keeping the line of every key and item, so errors can name the place in the file.

Aliases (``*name``) are allowed, but a file is measured before anything is expanded: if its
aliases would expand it to more than :data:`MAX_NODES` nodes ("billion laughs"), or an alias
refers to a node that contains it, loading stops with an error at the alias's line. A date that
does not exist (``2026-02-30``) is an error at its line, as are nesting deeper than
:data:`MAX_DEPTH` and a control character (its line and column).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

Path_ = tuple[str | int, ...]

MAX_NODES = 100_000
"""The most nodes (keys, values, items) a file may have once its aliases are expanded; the largest
built-in file has about 6,000."""
MAX_DEPTH = 100
"""The deepest nesting of mappings and lists a file may have."""


class _Loader(yaml.SafeLoader):
    """Safe loader; nothing but plain data is ever constructed.

    Booleans follow YAML 1.2: only true/false. YAML 1.1 would read the key ``on:`` (a trigger in
    plan files) and words such as yes/no/off as booleans. (A fact's value may still be written
    yes/no or 是/否: the plan or scenario reads it with ``spec.values.fact_value``.)

    Numbers follow YAML 1.2 too (its core schema): YAML 1.1 would read ``17:00`` as the base-60
    number 1020 and ``1:30`` as 90, ``010`` as octal 8, ``0b11`` and ``1_000`` as numbers; here the
    first four are text and ``010`` is 10. ``0o17`` is octal, ``0x1F`` hexadecimal.

    While composing, it keeps the size the document would have with every alias expanded, and
    stops at the first alias that takes it past :data:`MAX_NODES`.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self.expanded = 0  # nodes so far, with aliases expanded
        self.depth = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = self.anchors.get(event.anchor)
            if node is not None:
                if node.end_mark is None:  # still being composed: the alias is inside its anchor
                    raise yaml.composer.ComposerError(
                        None, None, f"the alias *{event.anchor} refers to a node that contains it (a loop)",
                        event.start_mark)
                self.expanded += _size(node, self._sizes)
                if self.expanded > MAX_NODES:
                    raise yaml.composer.ComposerError(
                        None, None, f"the alias *{event.anchor} expands the file past {MAX_NODES:,} nodes;"
                        " aliases may repeat a part of a file, not multiply it", event.start_mark)
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                              self.peek_event().start_mark)
        node = super().compose_node(parent, index)
        self.depth -= 1
        self.expanded += 1
        if self.expanded > MAX_NODES:
            raise yaml.composer.ComposerError(None, None, f"the file has more than {MAX_NODES:,} nodes",
                                              node.start_mark)
        return node

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as err:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a date that exists ({err})", node.start_mark) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        text = str(self.construct_scalar(node))
        digits, base = (text[2:], {"0o": 8, "0x": 16}[text[:2]]) if text[:2] in ("0o", "0x") else (text, 10)
        try:
            return int(digits, base)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, f"{text!r} is not a whole number", node.start_mark) from None

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        text = str(self.construct_scalar(node))
        try:
            return float(text.replace(".", "", 1) if text.lower().lstrip("+-") in (".inf", ".nan") else text)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, f"{text!r} is not a number", node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)


def _size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """Nodes in ``node`` with every alias in it expanded, counting each shared node once per use.

    Memoised on node identity, so a graph of nested aliases is measured in time linear in its
    composed size, never in its expanded size.
    """
    known = sizes.get(id(node))
    if known is not None:
        return known
    if isinstance(node, yaml.MappingNode):
        total = 1 + sum(_size(k, sizes) + _size(v, sizes) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        total = 1 + sum(_size(item, sizes) for item in node.value)
    else:
        total = 1
    sizes[id(node)] = total
    return total


_YAML_1_1 = {f"tag:yaml.org,2002:{kind}" for kind in ("bool", "int", "float")}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML_1_1]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), [_first]
    )
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"))


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
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as err:  # a character YAML does not allow, found before parsing
        line = text.count("\n", 0, err.position) + 1
        column = err.position - text.rfind("\n", 0, err.position)
        raise InputError(str(path), f"column {column}: the control character {chr(err.character)!r} "
                         f"(U+{err.character:04X}) may not be in a YAML file; delete it", line=line) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError(str(path), "the file is empty", line=1)
        positions: dict[Path_, int] = {}
        _positions(node, (), positions)
        data = loader.construct_document(node)
    except DuplicateKey as dup:
        raise InputError(str(path), f"the key {dup.name!r} appears twice in one mapping (first at line {dup.first});"
                         " the second would silently replace the first", line=dup.line) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        syntax = isinstance(err, yaml.scanner.ScannerError | yaml.parser.ParserError)
        message = f"YAML syntax error: {err.problem or err.context}" if syntax else str(err.problem or err.context)
        raise InputError(str(path), message, line=line) from None
    except yaml.YAMLError as err:
        raise InputError(str(path), f"YAML error: {err}") from None
    except RecursionError:
        raise InputError(str(path), "nested too deeply (through its aliases)") from None
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


def significant(data: Any, digits: int = 6) -> Any:
    """File data with every float to ``digits`` significant digits, as a file written for people holds it."""
    if isinstance(data, float):
        return float(f"{data:.{digits}g}")
    if isinstance(data, dict):
        return {k: significant(v, digits) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [significant(v, digits) for v in data]
    return data
