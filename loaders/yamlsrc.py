"""YAML reading that remembers the line of every mapping, for errors that name file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from graph.exceptions import InvalidData, Problem

LINE = "__line__"


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; every mapping gets its 1-based line under `__line__`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise InvalidData([Problem(path.name, None, None, f"not UTF-8 text: {e.reason}")]) from e
    except OSError as e:
        raise InvalidData([Problem(str(path), None, None, f"cannot read: {e.strerror}")]) from e
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InvalidData([Problem(path.name, mark.line + 1 if mark else None, None,
                                   f"not valid YAML: {getattr(e, 'problem', e)}")]) from e


def line_of(item: Any) -> int | None:
    return item.get(LINE) if isinstance(item, dict) else None


def strip_lines(item: Any) -> Any:
    if isinstance(item, dict):
        return {k: strip_lines(v) for k, v in item.items() if k != LINE}
    if isinstance(item, list):
        return [strip_lines(v) for v in item]
    return item
