"""Read a scenario file: YAML with `parties`, `routes` and `statements` (each statement remembers its line).

A statement is written as `at`, `by`, `do`, optional `plan` and `seq`, and its payload fields inline:

    - at: 2023-09-11T10:15:00Z
      by: border
      do: plan.consent
      plan: two-roads
      version: current       # the runner fills in the plan's current version, as a client would
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import yaml

from ..engine.model import Party, Route

ENVELOPE_KEYS = ("at", "by", "do", "plan", "seq")


class ScenarioError(Exception):
    """A scenario that cannot be read or whose statement the engine refused, with the file line."""

    def __init__(self, message: str, line: int | None = None, code: str | None = None, statement: Any = None):
        super().__init__(message)
        self.message, self.line, self.code, self.statement = message, line, code, statement

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        code = f"[{self.code}] " if self.code else ""
        return f"{where}{code}{self.message}"


@dataclass
class ScenarioStatement:
    line: int
    at: str
    by: str
    do: str
    plan: str | None
    seq: int | None
    payload: dict[str, Any]


@dataclass
class Scenario:
    name: str
    parties: list[Party]
    routes: list[Route]
    statements: list[ScenarioStatement]
    as_of: str | None = None
    description: str = ""
    source: str = field(default="")


class _StringTimesLoader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as the strings written, since statements carry RFC 3339 text."""


_StringTimesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_scenario(path: str | Path) -> Scenario:
    text = Path(path).read_text(encoding="utf-8")
    data, lines = _parse_yaml(text)
    if not isinstance(data, dict) or "statements" not in data:
        raise ScenarioError("a scenario is a mapping with parties, routes and statements")
    return Scenario(
        name=str(data.get("name", Path(path).stem)),
        description=str(data.get("description", "")),
        parties=_records(data.get("parties", []), Party, "parties"),
        routes=_records(data.get("routes", []), Route, "routes"),
        statements=[_statement(item, line) for item, line in zip(data["statements"], lines, strict=True)],
        as_of=data.get("as_of"),
        source=str(path),
    )


def _parse_yaml(text: str) -> tuple[Any, list[int]]:
    loader = _StringTimesLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        raise ScenarioError(f"not valid YAML: {error}") from None
    finally:
        loader.dispose()
    return data, _statement_lines(node)


def _statement_lines(node: Any) -> list[int]:
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "statements" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _records(items: Any, kind: type, section: str) -> list:
    try:
        return msgspec.convert(items, type=list[kind], strict=True)
    except msgspec.ValidationError as error:
        raise ScenarioError(f"in {section}: {error}") from None


def _statement(item: Any, line: int) -> ScenarioStatement:
    if not isinstance(item, dict) or not {"at", "by", "do"} <= item.keys():
        raise ScenarioError("each statement needs at least `at`, `by` and `do`", line=line)
    payload = {key: value for key, value in item.items() if key not in ENVELOPE_KEYS}
    return ScenarioStatement(
        line=line,
        at=item["at"],
        by=item["by"],
        do=item["do"],
        plan=item.get("plan"),
        seq=item.get("seq"),
        payload=payload,
    )
