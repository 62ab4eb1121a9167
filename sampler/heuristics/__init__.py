"""Heuristics that build plans, apart from the CP model in :mod:`sampler.model`.

Counts, slot by slot:

- :mod:`~sampler.heuristics.dispatch`: the dispatcher, pairs sent slot by slot to where
  their team's share of the work is least covered, and its weighted re-runs;
- :mod:`~sampler.heuristics.posts`: posts per suit stretch, taken up by the dispatcher, and
  a local search that moves them;
- :mod:`~sampler.heuristics.lp_plan`: a time-indexed LP plan rounded to posts;
- :mod:`~sampler.heuristics.start`: the best of them, the CP model's warm start.

Pair rows, in minutes (after the roster is built):

- :mod:`~sampler.heuristics.stations`: which minutes a site's walk-in stations have free;
- :mod:`~sampler.heuristics.free_stations`: walk-in residents left for want of a free
  station given one (home-visit rows turned walk-in, detours on a first trip);
- :mod:`~sampler.heuristics.topup`: residents left go to the pairs that can sample them
  soonest, and :func:`~sampler.heuristics.topup.pull_in` brings the plan's end forward;
- :mod:`~sampler.heuristics.home`: pairs that do not help stay at home.

Each module imports only those listed before it, and no private name of another.
"""
