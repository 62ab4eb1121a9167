"""The rules of CONTRACT.md as constraints on the counting variables.

Some rules hold by construction of the variables and need no constraint:

- availability and the suit rules: a crew has variables only in the on-duty slots of its
  duty pattern, whose stretches, breaks and total fit ``max_suit_minutes``,
  ``min_break_minutes`` and ``max_work_minutes`` (see :mod:`sampler.duty`);
- open windows: work variables exist only in whole slots inside the site's window;
- sealed sites get no walk-in variables (their walk-in demand is zero), and teams without
  ``door_to_door`` get no door-to-door variables;
- travel is suit time: a trip exists only if it ends inside the stretch it starts in.

The functions below add the rest, one rule each, in the order :func:`add_constraints`
calls them.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from math import floor, lcm

from ortools.sat.python import cp_model

from sampler.instance import MODES, WALK_IN, Instance
from sampler.model.variables import Variables


def add_constraints(model: cp_model.CpModel, v: Variables) -> None:
    """Every constraint family, in dependency order (locations before what they enable)."""
    pairs_come_from_the_team(model, v)
    pairs_move_only_by_trips(model, v)
    only_present_pairs_work(model, v)
    rows_go_on_only_for_pairs_still_there(model, v)
    arrivals_start_work_in_their_mode(model, v)
    samples_within_rate(model, v)
    stations_cap_walk_in(model, v)
    sites_sampled_at_most_once(model, v)
    done_after_last_sample(model, v)


def pairs_come_from_the_team(model: cp_model.CpModel, v: Variables) -> None:
    """A team sends at most its own pairs out of its base, over all its crews, all day."""
    for team in v.inst.teams:
        trips = v.base_trips(team.index)
        if trips:
            model.add(sum(tr.var for tr in trips) <= team.pairs)


def pairs_move_only_by_trips(model: cp_model.CpModel, v: Variables) -> None:
    """Pairs at a site are those there before, less those leaving, plus those arriving.

    A pair leaves only from where it was in the previous on-duty slot; during a break it
    stays where it is.
    """
    for crew in v.crews:
        c = crew.index
        for t in crew.on_duty():
            before = crew.previous(t)
            for i in crew.sites:
                here = v.pairs_at(c, i, t)
                arriving = [tr.var for tr in v.arriving(c, i, t)]
                leaving = [tr.var for tr in v.leaving(c, i, t)]
                if before is None:
                    model.add(here == sum(arriving))
                    continue
                there = v.pairs_at(c, i, before)
                assert there is not None  # a crew is located at each of its sites on duty
                model.add(here == there - sum(leaving) + sum(arriving))
                if leaving:
                    model.add(sum(leaving) <= there)


def only_present_pairs_work(model: cp_model.CpModel, v: Variables) -> None:
    """Pairs sampling at a site in a slot are at that site, each in one mode; pairs that
    land during the slot without a mode for it wait for the next slot."""
    for crew in v.crews:
        c = crew.index
        for t in crew.on_duty():
            for i in crew.sites:
                modes = v.working(c, i, t)
                if modes:
                    waiting = sum(tr.var for tr in v.waiting(c, i, t))
                    here = v.pairs_at(c, i, t)
                    assert here is not None  # a crew is located at each of its sites on duty
                    model.add(sum(w for _, w in modes) <= here - waiting)


def rows_go_on_only_for_pairs_still_there(model: cp_model.CpModel, v: Variables) -> None:
    """A pair's row goes on only if it worked there in that mode the slot before and stays.

    Pairs that leave a site at the start of a slot are not among those whose rows go on.
    """
    for crew in v.crews:
        c = crew.index
        for t in crew.on_duty():
            before = crew.previous(t)
            for i in crew.sites:
                kept = []
                for mode, work in v.working(c, i, t):
                    k = v.kept_working(c, i, mode, t)
                    if k is None:
                        continue
                    model.add(k <= work)
                    model.add(k <= v.work[c, i, mode, t - 1])
                    kept.append(k)
                if kept:
                    # A row goes on only when the slot before is on duty (see Variables.create).
                    assert before is not None
                    there = v.pairs_at(c, i, before)
                    assert there is not None
                    leaving = [tr.var for tr in v.leaving(c, i, t)]
                    model.add(sum(kept) + sum(leaving) <= there)


@cache
def model_rate(per_hour: float) -> tuple[int, int]:
    """The rate as an exact fraction (numerator, denominator), rounded down to 1/100.
    (Remembered: the dispatchers ask it for every pair and slot, of a handful of rates.)"""
    rate = Fraction(floor(per_hour * 100 + 1e-9), 100)
    return rate.numerator, rate.denominator


def arrivals_start_work_in_their_mode(model: cp_model.CpModel, v: Variables) -> None:
    """Pairs landing during a slot work it in their trip's mode, in a new roster row."""
    for crew in v.crews:
        c = crew.index
        for t in crew.on_duty():
            for i in crew.sites:
                for mode, work in v.working(c, i, t):
                    landing = [tr.var for tr in v.arriving(c, i, t, mode)]
                    if not landing:
                        continue
                    kept = v.kept_working(c, i, mode, t)
                    model.add(sum(landing) + (kept if kept is not None else 0) <= work)


def sample_room(per_hour: float, slot: int, scale: int, work, lost, started, lossy):
    """``scale`` times the samples that pairs working one slot can carry.

    ``work`` pairs work the slot, ``lost`` minutes of it went on travel, ``started`` of them
    start a roster row and ``lossy`` of those arrived during the slot. Each roster row may
    sample ``floor(rate x minutes / 60)``: the exact rate less what rounding down can cost,
    at most one resident per row, and only where rate x minutes / 60 can be fractional
    (every row when a slot's worth is fractional, else only rows that begin after travel).
    Works on numbers and on CP-SAT expressions alike.
    """
    num, den = model_rate(per_hour)
    whole_slots = (num * slot) % (60 * den) == 0
    rows = lossy if whole_slots else started
    return (scale // (60 * den)) * num * (slot * work - lost) - scale * rows


def samples_within_rate(model: cp_model.CpModel, v: Variables) -> None:
    """Samples never exceed the working pairs' rate times their working minutes, with the
    rounding each roster row may cost (:func:`sample_room`). Pairs landing during the slot
    lose their travel minutes in the mode their trip names."""
    slot = v.inst.slot
    for (i, mode, t), samples in v.samples.items():
        crews = v.crews_working(i, mode, t)
        scale = lcm(*(60 * model_rate(v.crews[c].team.rate(mode))[1] for c in crews))
        room = []
        for c in crews:
            work = v.work[c, i, mode, t]
            kept = v.kept_working(c, i, mode, t)
            landing = [tr for tr in v.arriving(c, i, t, mode) if tr.lost_minutes]
            room.append(
                sample_room(
                    v.crews[c].team.rate(mode),
                    slot,
                    scale,
                    work,
                    sum(tr.lost_minutes * tr.var for tr in landing),
                    work - kept if kept is not None else work,
                    sum(tr.var for tr in landing),
                )
            )
        model.add(scale * samples <= sum(room))


def stations_cap_walk_in(model: cp_model.CpModel, v: Variables) -> None:
    """At most ``stations`` pairs do walk-in at a site at once."""
    for i, mode, t in v.samples:
        if mode == WALK_IN:
            works = [v.work[c, i, mode, t] for c in v.crews_working(i, mode, t)]
            model.add(sum(works) <= v.inst.sites[i].site.stations)


def sites_sampled_at_most_once(model: cp_model.CpModel, v: Variables) -> None:
    """A site gets at most residents - home_visits walk-in samples and home_visits at home."""
    for site in v.inst.sites:
        for mode in MODES:
            samples = v.samples_at(site.index, mode)
            if samples:
                model.add(sum(samples) <= site.demand(mode))


def done_after_last_sample(model: cp_model.CpModel, v: Variables) -> None:
    """``active[t]`` is 1 while anyone samples in slot t, and stays 1 up to the last such slot.

    So ``sum(active)`` is done_at in slots from the horizon start.
    """
    inst: Instance = v.inst
    total = sum(s.site.residents for s in inst.sites)
    for t in range(inst.n_slots):
        if t + 1 < inst.n_slots:
            model.add_implication(v.active[t + 1], v.active[t])
        samples = v.samples_in(t)
        if samples:
            model.add(sum(samples) <= total * v.active[t])
