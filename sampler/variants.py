"""Variants of a scenario: the ``--set PATH=V1,V2,...`` grammar and variants files.

A *path* names one value of the scenario data, with list items addressed by their id:

==================================  ===============================================
``teams.yunzhou.people``            key ``people`` of the team whose id is yunzhou
``sites.dachi.sealed``              key ``sealed`` of the site whose id is dachi
``defaults.max_suit_minutes``       one of the ``defaults`` rules
``slot_minutes``, ``end``, ...      a top-level key
==================================  ===============================================

Values are YAML scalars, read the way the scenario loader reads them: ``50`` is a number,
``false`` a boolean, and a clock time or window (``07:00``, ``12:30-21:30``) stays text,
never the base-60 number YAML 1.1 would make of it. Values are separated by commas; quote
a value that holds a comma (``'a, b'``). ``null`` removes the key, so that its default
applies.

Several ``--set`` arguments combine as a cartesian product (the last one varies fastest),
or pairwise with ``zip_sets=True`` (``--zip``). A variants file names each variant::

    early:                                  # a name: letters, digits, . _ = + -
      teams.yunzhou.available: 07:00-21:30
    third-team:
      teams.lingqiu.people: 52
    as-planned: {}                          # the scenario unchanged

Every variant is validated as a whole scenario before anything is planned; a problem
names the ``--set`` argument (or the variants file, line and key) that caused it.
"""

from __future__ import annotations

import copy
import difflib
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sampler.loader import (
    InputProblem,
    LineMap,
    Loc,
    ScenarioError,
    parse_yaml,
    scenario_from_data,
)
from sampler.scenario import Rules, Scenario, Site, Team

MAX_VARIANTS = 1000
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._=+-]{0,99}$")
_ITEMS: dict[str, tuple[str, type]] = {"sites": ("site", Site), "teams": ("team", Team)}
_UNSAFE = re.compile(r"[^A-Za-z0-9._=+-]+")


class VariantError(ScenarioError):
    """A ``--set`` argument, variants file or variant that cannot be used."""


@dataclass(frozen=True)
class Change:
    """One value set in a variant."""

    path: str  # as written: teams.yunzhou.people
    loc: Loc  # in the scenario data: ("teams", 1, "people")
    value: Any  # as YAML read it (None: the key is removed)
    text: str  # the value as shown in names, tables and compare.csv
    source: str  # what asked for it: the --set argument, or the variants file
    line: int | None = None  # in the variants file

    @property
    def label(self) -> str:
        """``yunzhou.people=50``: the change in a variant's name."""
        parts = self.path.split(".")
        short = ".".join(parts[1:]) if parts[0] in _ITEMS else self.path
        return f"{short}={self.text}"


@dataclass(frozen=True, eq=False)
class Variant:
    """A named variant: its changes and the scenario data with them applied."""

    name: str  # filesystem-safe; the plan folder's name under OUT/
    changes: tuple[Change, ...]
    data: dict[str, Any]

    def values(self) -> dict[str, str]:
        """Path -> the value set, as text."""
        return {c.path: c.text for c in self.changes}

    def scenario(self) -> Scenario:
        """The variant as a validated scenario."""
        return scenario_from_data(self.data, self.name)


# -- paths and values ------------------------------------------------------------------


def resolve_path(data: Mapping[str, Any], path: str) -> Loc:
    """The location in the scenario data that ``path`` names; ValueError says why not."""
    parts = path.split(".")
    if not path or any(not p.strip() for p in parts):
        raise ValueError(f"{path!r} is not a path; write e.g. teams.ID.people or slot_minutes")
    head = parts[0]
    if head in _ITEMS:
        kind, model = _ITEMS[head]
        if len(parts) != 3:
            raise ValueError(
                f"a {kind} path is {head}.ID.KEY "
                f"(e.g. {head}.{_first_id(data, head)}.{_example(head)})"
            )
        items = data.get(head) or []
        ids = [str(item.get("id")) for item in items if isinstance(item, dict)]
        if parts[1] not in ids:
            raise ValueError(
                f"unknown {kind} {parts[1]!r}{close_match(parts[1], ids)} ({head}: {_some(ids)})"
            )
        return (head, ids.index(parts[1]), _key(parts[2], model, kind))
    if head == "defaults":
        if len(parts) != 2:
            raise ValueError("a defaults path is defaults.KEY (e.g. defaults.max_suit_minutes)")
        return ("defaults", _key(parts[1], Rules, "defaults rule"))
    scalars = [k for k in Scenario.model_fields if k not in (*_ITEMS, "defaults")]
    if head in scalars and len(parts) == 1:
        return (head,)
    allowed = [*scalars, "defaults.KEY", "sites.ID.KEY", "teams.ID.KEY"]
    raise ValueError(
        f"unknown key {head!r}{close_match(head, [*scalars, 'defaults', *_ITEMS])} "
        f"(paths: {', '.join(allowed)})"
    )


def _key(key: str, model: type, kind: str) -> str:
    if key == "id":
        raise ValueError(f"the id addresses the {kind}; it cannot be varied")
    allowed = [k for k in model.model_fields if k != "id"]  # type: ignore[attr-defined]
    if key not in allowed:
        raise ValueError(
            f"unknown {kind} key {key!r}{close_match(key, allowed)} (allowed: {', '.join(allowed)})"
        )
    return key


def close_match(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _some(ids: Sequence[str], most: int = 10) -> str:
    if not ids:
        return "none"
    more = f", ... ({len(ids) - most} more)" if len(ids) > most else ""
    return ", ".join(ids[:most]) + more


def _first_id(data: Mapping[str, Any], head: str) -> str:
    items = data.get(head) or []
    return str(items[0].get("id", "ID")) if items and isinstance(items[0], dict) else "ID"


def _example(head: str) -> str:
    return "people" if head == "teams" else "residents"


def split_values(text: str) -> list[str]:
    """``a,'b, c',d`` -> ``["a", "'b, c'", "d"]``: commas outside quotes separate values;
    the quotes stay, so that YAML reads a quoted value as text."""
    pieces: list[str] = []
    current: list[str] = []
    quote = ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == ",":
            pieces.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    if quote:
        raise ValueError(f"unbalanced {quote} in {text!r}")
    pieces.append("".join(current).strip())
    return pieces


def parse_value(text: str) -> Any:
    """One value as the scenario loader would read it (clock times stay text)."""
    if not text.strip():
        raise ValueError("empty value (write null to remove the key and use its default)")
    try:
        value, _ = parse_yaml(text, "value")
    except ScenarioError as exc:
        if "empty" in str(exc):
            raise ValueError(f"empty value {text!r}") from None
        raise ValueError(
            f"{text!r} is not a value: {exc.problems[0].message} "
            "(values are separated by commas; quote a value that holds one)"
        ) from None
    if isinstance(value, dict | list):
        raise ValueError(
            f"{text!r}: expected one value (a number, true/false, text or a clock time)"
        )
    return value


def show(value: Any) -> str:
    """A value as text: ``true``, ``50``, ``12:30-21:30``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def slug(text: str) -> str:
    """Filesystem-safe: ``12:30-21:30`` -> ``1230-2130``; other odd characters -> ``_``."""
    return _UNSAFE.sub("_", text.replace(":", "")).strip("_") or "_"


# -- making variants -------------------------------------------------------------------


@dataclass(frozen=True)
class SetArgument:
    """One ``--set PATH=V1,V2,...`` argument, parsed."""

    source: str  # "--set teams.yunzhou.people=0,50,100"
    path: str
    loc: Loc
    values: tuple[Any, ...]

    def change(self, value: Any) -> Change:
        return Change(self.path, self.loc, value, show(value), self.source)


def parse_set(argument: str, data: Mapping[str, Any]) -> SetArgument:
    """``PATH=V1,V2,...`` against the scenario data; VariantError names the argument."""
    source = f"--set {argument}"
    try:
        path, sep, values_text = argument.partition("=")
        if not sep:
            raise ValueError("expected PATH=V1,V2,... (e.g. teams.yunzhou.people=0,50,100)")
        path = path.strip()
        loc = resolve_path(data, path)
        values = tuple(parse_value(v) for v in split_values(values_text))
    except ValueError as exc:
        raise VariantError([InputProblem(source, None, (), str(exc))]) from None
    return SetArgument(source, path, loc, values)


def variants_from_sets(
    data: Mapping[str, Any],
    sets: Sequence[str],
    zip_sets: bool = False,
    file: str = "<scenario>",
    lines: LineMap | None = None,
) -> list[Variant]:
    """Variants from ``--set`` arguments: cartesian product, or paired with ``zip_sets``.

    Names are ``NN-label+label``: a 1-based index (so that folders sort in order) and the
    changes, e.g. ``02-yunzhou.people=50``.
    """
    if not sets:
        raise VariantError(
            [InputProblem("--set", None, (), "give at least one --set PATH=V1,V2,...")]
        )
    _validate_base(data, file, lines)
    problems: list[InputProblem] = []
    parsed: list[SetArgument] = []
    for argument in sets:
        try:
            parsed.append(parse_set(argument, data))
        except VariantError as exc:
            problems.extend(exc.problems)
    seen: dict[Loc, str] = {}
    for arg in parsed:
        if arg.loc in seen:
            problems.append(
                InputProblem(arg.source, None, (), f"{arg.path} is also set by {seen[arg.loc]}")
            )
        seen.setdefault(arg.loc, arg.source)
    if problems:
        raise VariantError(problems)
    if zip_sets:
        counts = {len(a.values) for a in parsed}
        if len(counts) > 1:
            listing = "; ".join(f"{a.source} has {len(a.values)}" for a in parsed)
            raise VariantError(
                [
                    InputProblem(
                        "--zip",
                        None,
                        (),
                        f"every --set needs the same number of values to pair them ({listing})",
                    )
                ]
            )
        combos = list(zip(*(a.values for a in parsed), strict=True))
    else:
        count = 1
        for a in parsed:
            count *= len(a.values)
        _check_count(count, "--set")
        combos = list(itertools.product(*(a.values for a in parsed)))
    _check_count(len(combos), "--set")
    width = max(2, len(str(len(combos))))
    variants = []
    for index, combo in enumerate(combos, start=1):
        changes = tuple(a.change(v) for a, v in zip(parsed, combo, strict=True))
        name = f"{index:0{width}d}-" + slug("+".join(c.label for c in changes))[:90]
        variants.append(Variant(name, changes, apply_changes(data, changes)))
    _validate_variants(data, variants, file, lines)
    return variants


def variants_from_file(
    data: Mapping[str, Any],
    path: str | Path,
    file: str = "<scenario>",
    lines: LineMap | None = None,
) -> list[Variant]:
    """Variants named in a YAML file: ``NAME: {PATH: value, ...}``, in the file's order."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        why = "no such file" if isinstance(exc, FileNotFoundError) else str(exc)
        raise VariantError([InputProblem(str(path), None, (), why)]) from None
    try:
        spec, spec_lines = parse_yaml(text, str(path))
    except ScenarioError as exc:
        raise VariantError(exc.problems) from None
    return variants_from_mapping(data, spec, str(path), spec_lines, file, lines)


def variants_from_mapping(
    data: Mapping[str, Any],
    spec: Any,
    source: str = "<variants>",
    spec_lines: LineMap | None = None,
    file: str = "<scenario>",
    lines: LineMap | None = None,
) -> list[Variant]:
    """Variants from ``{name: {path: value}}`` (what a variants file holds)."""
    spec_lines = spec_lines or LineMap()
    _validate_base(data, file, lines)

    def problem(loc: Loc, message: str) -> InputProblem:
        return InputProblem(source, spec_lines.line_for(loc), loc, message)

    if not isinstance(spec, dict) or not spec:
        raise VariantError([problem((), "expected a mapping of variant names to {PATH: value}")])
    _check_count(len(spec), source)
    problems: list[InputProblem] = []
    variants = []
    for name, values in spec.items():
        name = str(name)
        if not NAME_PATTERN.match(name):
            problems.append(
                problem(
                    (name,),
                    "a variant name uses letters, digits and . _ = + - "
                    "(and starts with a letter or digit)",
                )
            )
            continue
        if values is None:
            values = {}
        if not isinstance(values, dict):
            problems.append(problem((name,), "expected a mapping of PATH: value"))
            continue
        changes = []
        for key, value in values.items():
            where = (name, str(key))
            try:
                loc = resolve_path(data, str(key))
                if isinstance(value, dict | list):
                    raise ValueError(
                        "expected one value (a number, true/false, text or a clock time)"
                    )
            except ValueError as exc:
                problems.append(problem(where, str(exc)))
                continue
            line = spec_lines.line_for(where)
            changes.append(Change(str(key), loc, value, show(value), source, line))
        variants.append(Variant(name, tuple(changes), apply_changes(data, changes)))
    if problems:
        raise VariantError(problems)
    _validate_variants(data, variants, file, lines)
    return variants


def apply_changes(data: Mapping[str, Any], changes: Sequence[Change]) -> dict[str, Any]:
    """A deep copy of ``data`` with the changes made (a None value removes the key)."""
    out = copy.deepcopy(dict(data))
    for change in changes:
        *parents, key = change.loc
        node: Any = out
        for part in parents:
            if isinstance(node, dict) and node.get(part) is None:
                node[part] = {}
            node = node[part]
        if change.value is None:
            node.pop(key, None)
        else:
            node[key] = change.value
    return out


def _check_count(count: int, source: str) -> None:
    if count > MAX_VARIANTS:
        raise VariantError(
            [
                InputProblem(
                    source,
                    None,
                    (),
                    f"{count:,} variants; at most {MAX_VARIANTS:,} are planned in one comparison",
                )
            ]
        )


def _validate_base(data: Any, file: str, lines: LineMap | None) -> None:
    scenario_from_data(data, file, lines)  # the scenario itself: file, line and key


def _validate_variants(
    data: Mapping[str, Any], variants: Sequence[Variant], file: str, lines: LineMap | None
) -> None:
    """Every variant as a whole scenario; problems are put on the change that caused them."""
    problems: list[InputProblem] = []
    alone: dict[Change, list[InputProblem]] = {}  # problems of the scenario with one change
    for variant in variants:
        try:
            scenario_from_data(variant.data, file, lines)
        except ScenarioError as exc:
            problems.extend(_attribute(data, variant, p, alone, file, lines) for p in exc.problems)
    if problems:
        raise VariantError(list(dict.fromkeys(problems)))


def _attribute(
    data: Mapping[str, Any],
    variant: Variant,
    problem: InputProblem,
    alone: dict[Change, list[InputProblem]],
    file: str,
    lines: LineMap | None,
) -> InputProblem:
    for change in variant.changes:
        if tuple(problem.loc[: len(change.loc)]) == change.loc:
            where: Loc = () if change.line is None else (variant.name, change.path)
            message = problem.message
            if change.line is None:  # a --set argument: say which of its values
                message = f"{change.path}={change.text}: {message}"
            return InputProblem(change.source, change.line, where, message)
    # A rule over several keys (a site's window outside a changed horizon): the change
    # that breaks it on its own, else every change of the variant.
    for change in variant.changes:
        if change not in alone:
            try:
                scenario_from_data(apply_changes(data, [change]), file, lines)
                alone[change] = []
            except ScenarioError as exc:
                alone[change] = exc.problems
        if problem in alone[change]:
            return InputProblem(_where(change), None, (), f"{change.path}={change.text}: {problem}")
    sources = ", ".join(dict.fromkeys(_where(c) for c in variant.changes)) or "the scenario"
    return InputProblem(sources, None, (), f"variant {variant.name}: {problem}")


def _where(change: Change) -> str:
    return f"{change.source}:{change.line}" if change.line else change.source
