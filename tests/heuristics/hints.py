"""Checking a warm start against the CP model without solving it."""

from __future__ import annotations

from sampler.model.cpmodel import CPModel


def broken_constraints(model: CPModel) -> list[str]:
    """Linear constraints of the model that the current hint breaks (names of their vars)."""
    proto = model.model.proto
    hint = dict(zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True))
    names = [v.name for v in proto.variables]
    broken = []
    for index, var in enumerate(proto.variables):
        domain = list(var.domain)
        if not domain[0] <= hint.get(index, 0) <= domain[-1]:
            broken.append(f"domain of {names[index]}")
    for constraint in proto.constraints:
        if not constraint.has_linear() or len(constraint.enforcement_literal):
            continue
        linear = constraint.linear
        value = sum(c * hint.get(v, 0) for v, c in zip(linear.vars, linear.coeffs, strict=True))
        domain = list(linear.domain)
        if not domain[0] <= value <= domain[-1]:
            broken.append(", ".join(names[v] for v in list(linear.vars)[:4]))
    return broken
