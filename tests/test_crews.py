"""Candidate sites per team (sampler.model.crews): which sites each team's crews consider."""

from __future__ import annotations

from sampler import load_scenario_text
from sampler.instance import Instance
from sampler.model.crews import CandidateOptions, candidate_sites

MORNING_SITE = """\
scenario: a site open in the morning only, its candidate team arriving at 10:57
start: 2022-11-10T07:00
end: 2022-11-10T21:30
sites:
  - {id: all_day, lat: 40.0, lon: 113.0, residents: 1000, stations: 4}
  - {id: morning, lat: 40.0, lon: 113.001, residents: 800, stations: 4, open: "07:00-11:00"}
teams:
  - {id: near, people: 8, lat: 40.0, lon: 113.0}
  - {id: far, people: 8, lat: 40.27, lon: 113.0, available: "09:00-21:30"}
"""


def test_a_site_closing_early_is_covered_by_a_team_that_can_come_in_its_window():
    """Each team may consider one site (the one the bound gives it): near the all-day site,
    far (30 km, about two hours away, from 09:00) the morning site, which it reaches at
    10:57, three minutes before it closes. One team covers it, as many as ``cover`` asks,
    but it could sample a dozen of its 800 residents there; so near, there from 07:00, is
    added (its 4 pairs at the 4 stations could sample 1,920 by 11:00, more than 1.5 times
    800). Counting teams alone, near would never consider it."""
    inst = Instance(load_scenario_text(MORNING_SITE))
    allocation = {(0, 0, "walk_in"): 100.0, (1, 1, "walk_in"): 100.0}
    options = CandidateOptions(max_sites=1, nearest=0, cover=1)
    assert candidate_sites(inst, allocation, options) == {0: (0, 1), 1: (1,)}
    counting_teams = CandidateOptions(max_sites=1, nearest=0, cover=1, cover_capacity=0.0)
    assert candidate_sites(inst, allocation, counting_teams) == {0: (0,), 1: (1,)}
