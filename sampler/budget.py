"""What a time limit buys: one policy for the whole planner.

``--time-limit`` is an effort, not a wall-clock promise: every figure below is derived from
it deterministically, so the same scenario and limit give the same plan on any machine.
:class:`SolveParams` says how hard to search; its methods say what that means for each
step: CP-SAT's deterministic budget (and which models it polishes), rounds of local search,
how many LP plans are worth their cost, and what a part of a city gets
(:meth:`SolveParams.for_part`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sampler.model.crews import CandidateOptions

if TYPE_CHECKING:
    from sampler.instance import Instance

DETERMINISTIC_PER_SECOND = 0.3
POSTS_BUDGET = 0.5  # deterministic seconds CP-SAT gets to choose posts from one LP plan
MIN_CP_SECONDS = 2.0  # below this time limit the dispatcher's plan is not polished by CP-SAT
RESCUE_BUDGET = 1.0  # deterministic seconds CP-SAT gets to finish a plan left unfinished
DISPATCH_SECONDS_PER_PAIR_SLOT = 25e-6  # one dispatch, measured on the street tier
PART_CANDIDATES = 40  # candidate sites per team in a part (all of a small part)
RETRY_CANDIDATES = 24  # candidate sites per team in a part's second try (its LP's size)
# A part's second try with less time than a district's parts get (a city's: 102 parts of a
# 2,400-community city at --time-limit 45 get 0.88 s each) has a smaller LP and CP-SAT's
# posts a smaller budget, down to these at SHORT_PART_SECONDS and below, in proportion
# above it up to FULL_PART_SECONDS. On that city's parts, planned one by one (mostly two
# such runs side by side), 24 sites and 0.15 took 34.5, 36.1 and 44.3 s for three groups
# of 30, 30 and 42 parts, and left 1,093, 2,421 and 1,171 residents; 16 sites and 0.05
# took 22.2, 24.9 and 29.0 s (the last alone), left 936, 2,141 and 1,041, and the parts'
# done_at summed 3,930 minutes earlier (94,830 against 98,760). A district in parts of 30
# sites (15 to 20 parts at --time-limit 12, 1.2 to 1.6 s each, over the 30 district
# seeds) keeps 24 and 0.15: there, 16 sites left 24,441 residents over the short-hours
# district's 10 seeds, not 21,218. Where sites close early a district now has parts of 20
# (decompose.CLOSING_PART_SHARE: 24 to 29 parts, 0.83 to 1.0 s each, over the short-hours
# and mixed districts' 20 seeds), so its retries shrink too; CLOSING_PART_SHARE's figures
# were measured with both.
SHORT_RETRY_CANDIDATES = 16
SHORT_RETRY_POSTS = 0.05
SHORT_PART_SECONDS = 0.9
FULL_PART_SECONDS = 1.2
LP_PLAN_SECONDS = 2.0  # a part with less time than this keeps the dispatchers' plan
RESCUE_SECONDS = 3.0  # a part with less time than this is not finished by CP-SAT
SQUAD_SECONDS = 5.0  # a part with less time than this gives each team one duty pattern
NEIGHBOURHOOD_SECONDS = 1.0  # each LNS neighbourhood's effort: the dispatchers (CP-SAT to finish)
# Neighbourhoods the time limit buys (a complete plan tries only lns.WHEN_COMPLETE): at 2
# a second, the understaffed family's worst seed samples 156,526 of its bound's 158,299
# (98.9%) where 1 a second sampled 156,027, for 0.5 s more at --time-limit 5.
NEIGHBOURHOODS_PER_SECOND = 2.0
# A neighbourhood's CP-SAT budgets (deterministic seconds): with a part's (0.5 to choose
# posts, 1.0 to finish) the 12 neighbourhoods of a 400-community district with windows took
# 19.6 s of a 12 s limit; with these 7.6 s, for the same plan (loaded machine).
NEIGHBOURHOOD_POSTS = 0.15
NEIGHBOURHOOD_RESCUE = 0.3
MOST_NEIGHBOURHOODS = 20
# A plan made in parts has spent most of its limit there (PARTS_SHARE, two parts at a
# time), so its neighbourhoods are a few more on top. Over the short-hours and mixed
# districts' 20 seeds at --time-limit 12, 8 instead of 20 took the median wall time from
# 19.1 to 16.8 s and 14.7 to 12.5 s, and left 26 residents instead of 64 (the sites
# that close early draw pairs after them): 3 complete plans ended 30-60 minutes later and
# one seed left 7 residents, 2 seeds sampled more (one of them now complete).
NEIGHBOURHOODS_AFTER_PARTS = 8
# Of the time limit, what a plan's parts share (the rest: the neighbourhoods after them and
# the finish). Over the short-hours and mixed districts' 20 seeds at --time-limit 12 (20 to
# 29 parts: 0.62-0.9 s each instead of 0.83-1.2), 0.75 left none of the 26 residents the
# whole limit left (2 seeds now complete), 4 complete plans ended 30-60 minutes earlier and
# 1 later, in about the same wall time (297 s over the 20 against 306); the late-teams
# district: 1 earlier, 9 the same;
# the mixed city's 162 parts go from 0.56 s to the half-second floor (the same plans).
PARTS_SHARE = 0.75
# What one LP plan of the best start costs (sampler.heuristics.lp_plan), measured on the
# small families' slowest seeds: GLOP builds and solves the time-indexed LP in about 85
# microseconds a pair variable (lp_plan.lp_variables; remote seed 8: 17,101 of them, 1.46
# s; late_teams seed 1: 18,540, 1.64 s); CP-SAT's posts take 1.5 wall seconds per
# deterministic second (0.76 s for 0.5); the two local searches on its posts about 8
# dispatches.
LP_SECONDS_PER_VARIABLE = 8.5e-5
POSTS_WALL_PER_DETERMINISTIC = 1.5
# (smaller LPs' posts finish sooner: 0.1 s at 2,525 variables, 0.66 s at 5,784)
POSTS_SECONDS_PER_VARIABLE = 1.2e-4
DISPATCHES_PER_LP_PLAN = 8
# Of the time limit, what the start's LP plans may take (the rest: the dispatchers, CP-SAT,
# the neighbourhoods and the finish). With three LP plans whatever they cost, the small
# families took 5.8 to 7.7 s (median) at --time-limit 5; with this, 3.9 to 6.2 s.
LP_PLANS_SHARE = 0.7
MOST_LP_PLANS = 3
# CP-SAT's polish of the start gets what is left of this share of the limit once the LP
# plans are paid for (the rest: the neighbourhoods and the finish), at 2.6 wall seconds a
# deterministic second (the counting model, two workers: 1.5 took 3.9 s on generator seed
# 4), and never more than DETERMINISTIC_PER_SECOND of the limit.
POLISH_SHARE = 0.85
CP_WALL_PER_DETERMINISTIC = 2.6
# A counting model larger than this many variables (crews.model_size) per deterministic
# second of its budget is not polished: CP-SAT does not get through loading it. On the
# small families at --time-limit 5, every one of the 10 seeds above 38,000 variables
# ended each stage UNKNOWN with 0 conflicts (0.25-1.0 deterministic seconds a stage, 2-4
# wall seconds in all), and no seed's polish improved its start (24 seeds).
CP_VARIABLES_PER_DETERMINISTIC = 20_000
# Bringing a complete plan's end forward by planning its afternoon again
# (sampler.heuristics.refill) gets this share of the limit, in pairs whose afternoon is cut
# and given again: a try costs about 1.5 ms a pair cut on the measured machine (0.24 s for
# the 181 pairs of the short-hours family's small seed 3; 0.75 s for 435 of its district
# seed 5's pairs, 1.9 s for 1,073). So 1,000 pairs at --time-limit 5, 2,400 at 12. Over
# the short-hours, mixed and late-teams districts' 30 seeds at --time-limit 12, 17 plans
# ended 30-90 minutes earlier and none later, for 3 to 9 s more at the median on a machine
# that took 2 to 2.5 times the usual wall time (short-hours 38.3 -> 47.5 s); the 80 small
# plans: 9 earlier by 30-90 minutes, none later.
REFILL_SHARE = 0.3
REFILL_SECONDS_PER_PAIR = 1.5e-3
# Trading a pair's cheap work for dearer residents left (sampler.heuristics.trade) gets
# this share of the limit, in tries of about TRADE_SECONDS_PER_TRY each (one top-up: 0.07
# to 0.14 s on small plans on the measured machine, slow that day) or
# TOPUP_SECONDS_PER_PAIR_SITE a pair and site of the scenario where that is more (a
# top-up of a plan that leaves residents at most sites: 2.1 s a try on an understaffed
# district's 1,275 pairs and 400 sites, 38 s on a city's 7,565 and 2,400, where 4e-5 s a
# pair had given them 30 and 26 tries: 62 s and 993 s), and at most MOST_TRADES. At
# --time-limit 5, 10 tries (0.2) took the priorities family's small seed 3 to 98.51% of
# its bound and 20 (0.4) to 99.09%, for about 1 s more; the understaffed seeds run out of
# pairs worth trying within 3 to 9.
TRADE_SHARE = 0.4
TRADE_SECONDS_PER_TRY = 0.1
TOPUP_SECONDS_PER_PAIR_SITE = 4e-6
MOST_TRADES = 30
RING_PART_SITES = 80  # a replan's ring of up to 1.5 times this many sites is planned whole


@dataclass(frozen=True)
class SolveParams:
    """How hard and how to search. The same scenario and params give the same plan."""

    time_limit: float = 10.0  # about this many seconds of search (see solver_budget)
    seed: int = 0
    workers: int = 2
    patterns_per_team: int = 3  # duty patterns (squads with their own break times) per team
    take_turns: bool = False  # with one pattern a team, teams take turns among a few
    candidates: CandidateOptions = field(default_factory=CandidateOptions)
    part_sites: int = 30  # a city is planned in parts of about this many sites
    max_model_variables: int = 60_000  # larger counting models keep the dispatcher's plan

    rounds: int | None = None  # rounds of each local search (None: what the time allows)
    lp_plan: bool = True  # also carry out a time-indexed LP plan (the best start, and dearest)
    rescue: bool = True  # let CP-SAT finish what the dispatcher left, when time is short
    lp_retry: bool = True  # a city's part late tries again (with the LP plan, or taking turns)
    rescue_budget: float = RESCUE_BUDGET  # CP-SAT's deterministic seconds to finish a plan
    posts_cp: float = POSTS_BUDGET  # CP-SAT's deterministic seconds to choose posts
    dispatch_starts: bool = True  # the dispatchers' own plans are starts beside the LP's

    @property
    def solver_budget(self) -> float:
        """CP-SAT's budget in deterministic time, so that the same input gives the same plan.

        On the 2-core machine this project is measured on, one deterministic second of
        CP-SAT's neighbourhood search took 1.7 to 3.6 wall seconds; a third of the limit
        keeps the whole run near it.
        """
        return max(0.1, DETERMINISTIC_PER_SECOND * self.time_limit)

    @property
    def posts_budget(self) -> float:
        """CP-SAT's deterministic seconds to choose whole-pair posts from each LP plan
        (none without the LP plan)."""
        return self.posts_cp if self.lp_plan else 0.0

    def rounds_for(self, inst: Instance) -> int:
        """Rounds of local search: as given, or what fits in half the time limit (one
        dispatch costs about 25 microseconds per pair and slot, and there are up to three
        LP plans to improve)."""
        if self.rounds:
            return self.rounds
        return max(3, min(20, int(0.5 * self.time_limit / (3 * _dispatch_seconds(inst)))))

    def lp_plans(self, inst: Instance, lp_variables: int) -> int:
        """LP plans the start carries out (deadlines from the bound's on), 1 to 3 (none
        without the LP plan): fewer with few rounds (a part's or a neighbourhood's effort),
        and no more than their cost (:meth:`lp_plan_seconds`) fits in ``LP_PLANS_SHARE`` of
        the time limit; always one. (``lp_variables``:
        :func:`sampler.heuristics.lp_plan.lp_variables`.)"""
        if not self.lp_plan:
            return 0
        rounds = self.rounds_for(inst)
        by_rounds = 1 if rounds <= 3 else 2 if rounds < 8 else MOST_LP_PLANS
        cost = self.lp_plan_seconds(inst, lp_variables)
        return max(1, min(by_rounds, int(LP_PLANS_SHARE * self.time_limit / max(cost, 1e-9))))

    def lp_plan_seconds(self, inst: Instance, lp_variables: int) -> float:
        """About what one LP plan of the start costs, in wall seconds on the measured
        machine: the LP of ``lp_variables`` variables, CP-SAT's posts, the posts' local
        searches."""
        posts = min(
            POSTS_WALL_PER_DETERMINISTIC * self.posts_budget,
            POSTS_SECONDS_PER_VARIABLE * lp_variables,
        )
        dispatches = DISPATCHES_PER_LP_PLAN * _dispatch_seconds(inst)
        return LP_SECONDS_PER_VARIABLE * lp_variables + posts + dispatches

    def cp_budget(self, unfinished: bool, spent: float = 0.0) -> float | None:
        """CP-SAT's deterministic budget for a model that fits, or None to keep the start:
        what is left of ``POLISH_SHARE`` of the limit once the start's ``spent`` (estimated
        wall seconds: its LP plans times :meth:`lp_plan_seconds`) is paid, at most
        ``solver_budget``. With little time, CP-SAT only steps in to finish what the
        dispatcher left undone (``unfinished``: where the bound says everyone can be
        sampled)."""
        if self.time_limit >= MIN_CP_SECONDS or (unfinished and self.rescue):
            left = (POLISH_SHARE * self.time_limit - spent) / CP_WALL_PER_DETERMINISTIC
            polish = max(0.1, min(self.solver_budget, left))
            return max(polish, self.rescue_budget if unfinished else 0.0)
        return None

    def polishes(self, model_variables: int, budget: float | None) -> bool:
        """Does CP-SAT polish a counting model of about ``model_variables`` variables with
        ``budget`` deterministic seconds (:meth:`cp_budget`)? Only if it fits
        ``max_model_variables`` and the budget can load it."""
        if budget is None or model_variables > self.max_model_variables:
            return False
        return model_variables <= budget * CP_VARIABLES_PER_DETERMINISTIC

    def part_time_limit(self, parts: int) -> float:
        """Each part's effort: twice its share of ``PARTS_SHARE`` of the limit (parts run
        two at a time), at least half a second."""
        return max(0.5, PARTS_SHARE * self.time_limit / max(1, parts) * 2)

    def for_part(self, parts: int, sites: int) -> SolveParams:
        """What one of ``parts`` parts of a city, with ``sites`` sites, gets. Every part gets
        the same effort whatever the number of worker processes, one solver thread each."""
        limit = self.part_time_limit(parts)
        return SolveParams(
            time_limit=limit,
            seed=self.seed,
            workers=1,
            # Squads with staggered breaks cost a part three times the effort; with
            # seconds per part, one duty pattern per team is the better use of them.
            patterns_per_team=self.patterns_per_team if limit >= SQUAD_SECONDS else 1,
            # A part is small: its teams may go to any of its sites.
            candidates=CandidateOptions(max_sites=max(16, min(PART_CANDIDATES, sites))),
            rounds=max(3, min(20, int(2 * limit))),
            # The LP plan is the best start and the dearest (a second or two a part); with
            # less time than that a part keeps the dispatchers' plan unless it leaves
            # residents or ends well after the bound (see retry).
            # (never where the whole is told not to: a replan's ring)
            lp_plan=self.lp_plan and limit >= LP_PLAN_SECONDS,
            rescue=limit >= RESCUE_SECONDS,
            lp_retry=self.lp_retry,
        )

    def for_ring(self, share: float) -> SolveParams:
        """What one ring of a replan gets (sampler.replan.neighbourhood): ``share`` seconds,
        the dispatchers' plan polished by CP-SAT (the LP plan, whose cost the time limit
        does not bound, took 10 s of a 1 s ring and 28 s of a 3 s one around a district's
        sealed community), and with less than a part's thresholds one duty pattern."""
        return replace(
            self,
            time_limit=share,
            patterns_per_team=self.patterns_per_team if share >= SQUAD_SECONDS else 1,
            lp_plan=False,
            lp_retry=False,  # (a late part's retry: 3 minutes of LP in a district's ring)
            # A ring is a neighbourhood: planned whole, it took 0.4 s where its two parts
            # took 6.8 s (the worker processes' start); larger rings still go in parts.
            part_sites=max(self.part_sites, RING_PART_SITES),
            rescue=self.rescue and share >= RESCUE_SECONDS,
        )

    def neighbourhoods(self, after_parts: bool = False) -> int:
        """Neighbourhoods the large-neighbourhood search may solve (see sampler.lns), on a
        plan made whole or (``after_parts``) in parts."""
        most = NEIGHBOURHOODS_AFTER_PARTS if after_parts else MOST_NEIGHBOURHOODS
        return min(most, int(self.time_limit * NEIGHBOURHOODS_PER_SECOND))

    def trades(self, pairs: int, sites: int) -> int:
        """Pairs whose cheap work may be traded for dearer residents left, in a plan of a
        scenario with ``pairs`` pairs and ``sites`` sites
        (:func:`sampler.heuristics.trade.trade_cheap_work`)."""
        per_try = max(TRADE_SECONDS_PER_TRY, TOPUP_SECONDS_PER_PAIR_SITE * pairs * sites)
        return min(MOST_TRADES, int(TRADE_SHARE * self.time_limit / per_try + 1e-9))

    def refill_pairs(self) -> int:
        """Pairs whose afternoon may be cut and given again, over all the tries at bringing
        a complete plan's end forward (:func:`sampler.heuristics.refill.bring_forward`)."""
        return int(REFILL_SHARE * self.time_limit / REFILL_SECONDS_PER_PAIR + 1e-9)

    def for_neighbourhood(self) -> SolveParams:
        """What one neighbourhood gets: a few seconds of effort, one thread, CP-SAT on."""
        return SolveParams(
            time_limit=NEIGHBOURHOOD_SECONDS,
            seed=self.seed,
            workers=1,
            patterns_per_team=self.patterns_per_team,
            rounds=3,
            rescue_budget=NEIGHBOURHOOD_RESCUE,
            posts_cp=NEIGHBOURHOOD_POSTS,
        )

    def retry(self) -> SolveParams:
        """A part's second try: with the LP plan, on fewer candidate sites (its LP's size),
        and a neighbourhood's budget for CP-SAT's posts (a district with windows and late
        teams retries 14 of its 17 parts: with a part's 0.5 deterministic seconds of posts
        the parts took 19.4 s, with 0.15 15.8 s, for the same plan; loaded machine). Both
        shrink with a part's time below ``FULL_PART_SECONDS`` (a city's parts).

        It starts from the LP plan alone: the dispatchers' own plans were not the best
        start of any part that takes the LP plan (the 17 of a short-hours district, seed
        2, and the 71 of a mixed city, seed 1: the same plans without them, in 10% and
        15% less time), and a retry keeps the better of its plan and the first try's."""
        short = (FULL_PART_SECONDS - self.time_limit) / (FULL_PART_SECONDS - SHORT_PART_SECONDS)
        short = min(1.0, max(0.0, short))  # 0: a district's part, 1: a city's
        sites = RETRY_CANDIDATES - short * (RETRY_CANDIDATES - SHORT_RETRY_CANDIDATES)
        return replace(
            self,
            lp_plan=True,
            candidates=CandidateOptions(max_sites=round(sites)),
            posts_cp=NEIGHBOURHOOD_POSTS - short * (NEIGHBOURHOOD_POSTS - SHORT_RETRY_POSTS),
            dispatch_starts=False,
        )


def _dispatch_seconds(inst: Instance) -> float:
    """About what one dispatch over every pair and slot costs."""
    pairs = max(1, sum(t.pairs for t in inst.teams))
    return DISPATCH_SECONDS_PER_PAIR_SLOT * pairs * inst.n_slots
