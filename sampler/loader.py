"""Reading scenario files: YAML in, a validated :class:`Scenario` out, or errors naming
file, line and key.

PyYAML follows YAML 1.1, where an unquoted ``12:30`` is the base-60 integer 750. Every
scalar that YAML 1.1 would read as a base-60 number is kept here as the text that was
written, so a clock time is never silently turned into a number.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sampler.scenario import (
    Couriers,
    Lab,
    Pooling,
    ResultsTarget,
    Rules,
    Scenario,
    ScenarioProblem,
    Site,
    Team,
    cross_problems,
    format_loc,
)

_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with an input file."""

    file: str
    line: int | None
    loc: Loc
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = format_loc(self.loc) if self.loc else ""
        return f"{where}: {key}: {self.message}" if key else f"{where}: {self.message}"


class ScenarioError(Exception):
    """A scenario file that cannot be used; ``problems`` lists every issue found."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class LineMap:
    """Key path -> 1-based line number of the YAML node at that path."""

    def __init__(self) -> None:
        self.lines: dict[Loc, int] = {}

    def line_for(self, loc: Loc) -> int | None:
        # The deepest known ancestor: a missing key is reported at its parent mapping.
        for cut in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:cut]))
            if line is not None:
                return line
        return None


def _build(node: yaml.Node, loc: Loc, lines: LineMap, ctor: yaml.SafeLoader, file: str) -> Any:
    lines.lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _build(key_node, loc, LineMap(), ctor, file)
            if not isinstance(key, str | int) or isinstance(key, bool):
                key = str(key)
            if key in out:
                raise ScenarioError(
                    [InputProblem(file, key_node.start_mark.line + 1, (*loc, key), "duplicate key")]
                )
            child = (*loc, key)
            lines.lines[child] = key_node.start_mark.line + 1
            out[key] = _build(value_node, child, lines, ctor, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*loc, i), lines, ctor, file) for i, item in enumerate(node.value)]
    if (
        node.tag.endswith((":int", ":float"))
        and not node.style  # plain (None from PyYAML, "" from libyaml)
        and _SEXAGESIMAL.match(node.value)
    ):
        return node.value
    return ctor.construct_object(node, deep=True)


def _compose(text: str) -> yaml.Node | None:
    """The document's node tree by libyaml (several times faster on a city), or None when
    it is empty, not valid or libyaml is missing (the Python parser then says why, in
    its own words)."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is None:
        return None
    loader = fast(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def _compose_reporting(text: str, file: str) -> yaml.Node | None:
    """PyYAML's node tree, its errors (an unacceptable character, bad syntax) turned into
    one naming the file and line."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ScenarioError(
            [InputProblem(file, line, (), f"not valid YAML: {exc.problem or exc}")]
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        problem = f"not valid YAML: unacceptable character #x{exc.character:04x}"
        raise ScenarioError([InputProblem(file, line, (), problem)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([InputProblem(file, None, (), f"not valid YAML: {exc}")]) from None


def parse_yaml(text: str, file: str = "<scenario>") -> tuple[Any, LineMap]:
    """YAML text -> plain Python data and the line of every key path."""
    root = _compose(text)
    if root is None:
        root = _compose_reporting(text, file)
    lines = LineMap()
    if root is None:
        raise ScenarioError([InputProblem(file, 1, (), "the file is empty")])
    data = _build(root, (), lines, yaml.SafeLoader(""), file)
    return data, lines


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The schema model that owns the last key of ``loc`` (for 'allowed keys' hints)."""
    if not loc:
        return Scenario
    if loc[0] == "defaults" and len(loc) == 1:
        return Rules
    if loc[0] == "sites" and len(loc) == 2:
        return Site
    if loc[0] == "teams" and len(loc) == 2:
        return Team
    if loc[0] == "labs" and len(loc) == 2:
        return Lab
    if len(loc) == 1:
        sections: dict[str, type[BaseModel]] = {
            "pooling": Pooling, "couriers": Couriers, "results_target": ResultsTarget,
        }  # fmt: skip
        return sections.get(str(loc[0]))
    return None


def _message(error: ErrorDetails, owner_at: Callable[[Loc], Any] = _model_at) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    loc = tuple(error["loc"])
    if kind == "extra_forbidden":
        owner = owner_at(loc[:-1])
        if owner is not None:
            allowed = list(owner.model_fields)
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            return f"unknown key{hint} (allowed: {', '.join(allowed)})"
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    bounds = {
        "greater_than_equal": ("must be >= {}", "ge"),
        "greater_than": ("must be > {}", "gt"),
        "less_than_equal": ("must be <= {}", "le"),
        "less_than": ("must be < {}", "lt"),
    }
    if kind in bounds:
        template, key = bounds[kind]
        return template.format(ctx.get(key))
    if kind in ("int_parsing", "int_from_float"):
        # pydantic's "unable to parse string as an integer" for 1e9 or 2.5 does not say
        # what is wanted: counts are whole numbers written out in digits.
        return f"must be a whole number written in digits (like 4400), got {error['input']!r}"
    if kind == "string_pattern_mismatch":
        return "must use only letters, digits, '-' and '_'"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    return error["msg"][0].lower() + error["msg"][1:]


def problems_of(
    exc: ValidationError, file: str, lines: LineMap, owner_at: Callable[[Loc], Any]
) -> list[InputProblem]:
    """Another strict format's validation errors (the changes file's) as problems naming
    file, line and key; ``owner_at`` gives the model owning a key path, for the hints."""
    return _problems(exc, file, lines, owner_at)


def _problems(
    exc: ValidationError, file: str, lines: LineMap, owner_at: Callable[[Loc], Any] = _model_at
) -> list[InputProblem]:
    out: list[InputProblem] = []
    for error in exc.errors():
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, ScenarioProblem):
            for loc, message in cause.problems:
                out.append(InputProblem(file, lines.line_for(loc), loc, message))
            continue
        # Drop pydantic's union-branch labels such as 'function-before[...]'.
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
        out.append(InputProblem(file, lines.line_for(loc), loc, _message(error, owner_at)))
    return out


def validation_problems(
    exc: ValidationError, file: str, lines: LineMap | None = None
) -> list[InputProblem]:
    """A pydantic validation error as problems naming file, line and key, in the scenario
    loader's words (so that other input files, such as a campaign, read the same way)."""
    return _problems(exc, file, lines or LineMap())


def scenario_from_data(
    data: Any, file: str = "<scenario>", lines: LineMap | None = None
) -> Scenario:
    """Validate already-parsed data (e.g. a variant made by ``sampler compare``)."""
    lines = lines or LineMap()
    if not isinstance(data, dict):
        raise ScenarioError([InputProblem(file, 1, (), "expected a mapping of keys at the top")])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc, file, lines)
    # Field errors stop pydantic before the cross-field checks; run those here too, so
    # that one pass reports everything that is wrong.
    seen = {(p.loc, p.message) for p in problems}
    for loc, message in cross_problems(data):
        if (loc, message) not in seen:
            problems.append(InputProblem(file, lines.line_for(loc), loc, message))
    problems.sort(key=lambda p: (p.line or 0, format_loc(p.loc)))
    raise ScenarioError(problems)


def load_scenario_text(text: str, file: str = "<scenario>") -> Scenario:
    """Parse and validate scenario YAML given as text."""
    data, lines = parse_yaml(text, file)
    return scenario_from_data(data, file, lines)


def read_scenario_data(path: str | Path) -> tuple[Any, LineMap]:
    """Read a scenario file as plain data (not yet validated) with its line map."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ScenarioError([InputProblem(str(path), None, (), "no such file")]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [InputProblem(str(path), None, (), f"not UTF-8 text ({exc.reason})")]
        ) from None
    except OSError as exc:
        raise ScenarioError([InputProblem(str(path), None, (), exc.strerror or str(exc))]) from None
    return parse_yaml(text, str(path))


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raises :class:`ScenarioError` on bad input."""
    data, lines = read_scenario_data(path)
    return scenario_from_data(data, str(path), lines)
