"""The CP-SAT counting model: variables, constraints (one function per rule of
CONTRACT.md) and objective, wired together by :class:`~sampler.model.cpmodel.CPModel`."""
