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
from math import floor

from ortools.sat.python import cp_model

from sampler.instance import MODES, WALK_IN, Instance
from sampler.model.variables import Variables


def add_constraints(model: cp_model.CpModel, v: Variables) -> None:
    """Every constraint family, in dependency order (locations before what they enable)."""
    pairs_come_from_the_team(model, v)
    pairs_move_only_by_trips(model, v)
    only_present_pairs_work(model, v)
    rows_go_on_only_for_pairs_still_there(model, v)
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
                model.add(here == there - sum(leaving) + sum(arriving))
                if leaving:
                    model.add(sum(leaving) <= there)


def only_present_pairs_work(model: cp_model.CpModel, v: Variables) -> None:
    """Pairs sampling at a site in a slot are at that site, each in one mode."""
    for crew in v.crews:
        c = crew.index
        for t in crew.on_duty():
            for i in crew.sites:
                modes = v.working(c, i, t)
                if modes:
                    model.add(sum(w for _, w, _ in modes) <= v.pairs_at(c, i, t))


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
                for mode, work, _ in v.working(c, i, t):
                    k = v.kept_working(c, i, mode, t)
                    if k is None:
                        continue
                    model.add(k <= work)
                    model.add(k <= v.work[c, i, mode, t - 1])
                    kept.append(k)
                if kept:
                    leaving = [tr.var for tr in v.leaving(c, i, t)]
                    model.add(sum(kept) + sum(leaving) <= v.pairs_at(c, i, before))


def model_rate(per_hour: float) -> tuple[int, int]:
    """The rate as an exact fraction (numerator, denominator), rounded down to 1/100."""
    rate = Fraction(floor(per_hour * 100 + 1e-9), 100)
    return rate.numerator, rate.denominator


def samples_within_rate(model: cp_model.CpModel, v: Variables) -> None:
    """Samples never exceed the working pairs' rate times their working minutes.

    Each roster row may sample ``floor(rate x minutes / 60)``; the model counts the exact
    ``rate x minutes / 60`` and gives up one resident per row started, which is at least
    what the rounding down can cost, so the rows can always carry the samples (see
    :mod:`sampler.roster`). Pairs arriving during the slot lose their travel minutes; that
    loss is charged to every mode at the site, so whichever mode the arrivals take, each
    pair stays within its rate (conservative when both modes run in an arrival slot).
    """
    slot = v.inst.slot
    for crew in v.crews:
        c, team = crew.index, crew.team
        for t in crew.on_duty():
            for i in crew.sites:
                modes = v.working(c, i, t)
                if not modes:
                    continue
                lost = sum(tr.lost_minutes * tr.var for tr in v.arriving(c, i, t))
                for mode, work, samples in modes:
                    num, den = model_rate(team.rate(mode))
                    kept = v.kept_working(c, i, mode, t)
                    started = work - kept if kept is not None else work
                    # samples <= rate/60 * (slot*work - lost) - started, times 60*den
                    model.add(
                        60 * den * samples <= num * (slot * work - lost) - 60 * den * started
                    )


def stations_cap_walk_in(model: cp_model.CpModel, v: Variables) -> None:
    """At most ``stations`` pairs do walk-in at a site at once."""
    by_slot: dict[tuple[int, int], list] = {}
    for site in v.inst.sites:
        for key in v.keys_at_site(site.index, WALK_IN):
            by_slot.setdefault((site.index, key[3]), []).append(v.work[key])
    for (i, _), works in by_slot.items():
        model.add(sum(works) <= v.inst.sites[i].site.stations)


def sites_sampled_at_most_once(model: cp_model.CpModel, v: Variables) -> None:
    """A site gets at most residents - home_visits walk-in samples and home_visits at home."""
    for site in v.inst.sites:
        for mode in MODES:
            keys = v.keys_at_site(site.index, mode)
            if keys:
                model.add(sum(v.samples[k] for k in keys) <= site.demand(mode))


def done_after_last_sample(model: cp_model.CpModel, v: Variables) -> None:
    """``active[t]`` is 1 while anyone samples in slot t, and stays 1 up to the last such slot.

    So ``sum(active)`` is done_at in slots from the horizon start.
    """
    inst: Instance = v.inst
    total = sum(s.site.residents for s in inst.sites)
    for t in range(inst.n_slots):
        if t + 1 < inst.n_slots:
            model.add_implication(v.active[t + 1], v.active[t])
        keys = v.keys_in_slot(t)
        if keys:
            model.add(sum(v.samples[k] for k in keys) <= total * v.active[t])
