"""Benchmarks for ``sampler``: synthetic cities, two baselines and a runner.

``python -m benchmarks`` plans every tier (lingqiu, street, district, city), checks each plan
with ``sampler check``'s rules, runs the two baselines on the same scenario and writes
``benchmarks/RESULTS.md``. See :mod:`benchmarks.generate`, :mod:`benchmarks.baselines` and
:mod:`benchmarks.run`.
"""
