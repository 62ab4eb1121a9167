"""Scenario families: many seeds of the cities a command centre meets, planned and checked.

``python -m benchmarks.families`` generates every family and size asked for
(:mod:`benchmarks.families.generate`), plans each seed in a subprocess with ``sampler plan``,
checks it with ``sampler check`` (:mod:`benchmarks.families.runner`) and writes
``benchmarks/FAMILIES.md`` (:mod:`benchmarks.families.report`): per family and size, the
median and the worst seed.
"""
