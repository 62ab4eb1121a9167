"""The lab stage: after the sampling plan, the collections, which lab tests each, and when
the results are out (docs/labs.md).

``plan_labs(plan, bounds) -> LabPlan`` routes one plan (:mod:`.stage`: pickups, the choice
of labs, its polish, the exact queues) and proves how early the last result could be
(:mod:`.bound`). ``paced_labs(plan, bounds) -> (Plan, LabPlan)`` first paces the sampling
plan for the labs (:mod:`.pacing`): pairs' last suit stretches taken later where that gets
more results within the target, or the last result out sooner. :mod:`.tables` lays the
outcome out as the plan folder's files. ``solve`` calls ``paced_labs`` and a replan
``plan_labs``, only for a scenario with ``labs:``.
"""

from __future__ import annotations

from dataclasses import replace

from sampler.bound import Bounds
from sampler.labs.bound import results_bound
from sampler.labs.pacing import pace
from sampler.labs.pickups import Collection
from sampler.labs.stage import LabPlan, Pacing, courier_minutes, lab_hours, route
from sampler.plan import Plan

__all__ = ["Collection", "LabPlan", "Pacing", "courier_minutes", "paced_labs", "plan_labs"]


def plan_labs(plan: Plan, bounds: Bounds) -> LabPlan:
    """The lab stage for a plan of a scenario with labs, the plan as it is."""
    hours = lab_hours(plan.scenario)
    labs = route(plan, hours)
    return replace(labs, lower_bound_minute=results_bound(plan.scenario, bounds, hours))


def paced_labs(plan: Plan, bounds: Bounds) -> tuple[Plan, LabPlan]:
    """The sampling plan paced for the labs, and its lab stage (docs/labs.md, "Pacing")."""
    hours = lab_hours(plan.scenario)
    plan, labs = pace(plan, hours)
    return plan, replace(labs, lower_bound_minute=results_bound(plan.scenario, bounds, hours))
