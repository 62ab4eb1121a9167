"""The dispatchers' plans are solutions of the counting model.

Each warm start (the plain dispatcher, the one steered by the bound's shares, and the one
taking up LP posts; the ``starts`` fixture) is put into the CP model as a hint, and every
linear constraint of the model is evaluated on it: none may be broken.
"""

from __future__ import annotations

from sampler.model.cpmodel import CPModel

from .hints import broken_constraints


def test_every_start_is_a_solution_of_the_model(setting, starts):
    inst, _, crews, _ = setting
    for name, counts in starts.items():
        model = CPModel(inst, crews)
        model.hint(counts)
        assert broken_constraints(model) == [], name
