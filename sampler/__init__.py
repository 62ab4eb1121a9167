"""sampler: a planner for mass nucleic-acid (PCR) sampling campaigns.

The command line is a thin layer over these functions::

    from sampler import load_scenario, solve, write_plan, check_plan, write_report, write_workbook
    scenario = load_scenario("scenarios/lingqiu-2022-11-10.yaml")
    result = solve(scenario, SolveParams(time_limit=10, seed=0))
    write_plan(result, "out")
    assert check_plan(scenario, "out").ok
    write_report("out")    # out/report.html: one offline page
    write_workbook("out")  # out/roster.xlsx: a sheet per team

Staffing options, over the scenario as plain data::

    data, _ = read_scenario_data("scenarios/yunzhou-shuibosi.yaml")
    table = compare(data, {"late": {}, "early": {"teams.yunzhou.available": "07:00-21:30"}})
    staff = least_staff(data, "18:00", team="yunzhou", out_dir="out")  # staff.people

Mid-day replanning, the morning kept::

    day = replan("out", "scenarios/changes/lingqiu-2022-11-10-afternoon.yaml")
    write_replan(day, "out-day")  # and changes.csv

Campaigns, day after day (docs/campaign.md)::

    found = plan_campaign("scenarios/campaigns/taiyuan.yaml", "out-campaign")  # found.met
    assert check_campaign("scenarios/campaigns/taiyuan.yaml", "out-campaign").ok
"""

from typing import Any

from sampler.budget import SolveParams
from sampler.campaign import CampaignResult, plan_campaign
from sampler.campaign_check import check_campaign
from sampler.campaign_file import load_campaign
from sampler.changes import load_changes
from sampler.check import CheckReport, check_plan
from sampler.compare import compare
from sampler.export import write_plan
from sampler.loader import ScenarioError, load_scenario, load_scenario_text, read_scenario_data
from sampler.replan import Replan, replan, write_replan
from sampler.report import write_report
from sampler.result import Result, Status
from sampler.scenario import Scenario
from sampler.solve import solve
from sampler.staff import StaffResult, least_staff

__all__ = [
    "CampaignResult",
    "CheckReport",
    "Replan",
    "Result",
    "Scenario",
    "ScenarioError",
    "SolveParams",
    "StaffResult",
    "Status",
    "check_campaign",
    "check_plan",
    "compare",
    "least_staff",
    "load_campaign",
    "load_changes",
    "load_scenario",
    "load_scenario_text",
    "plan_campaign",
    "read_scenario_data",
    "replan",
    "solve",
    "write_plan",
    "write_replan",
    "write_report",
    "write_workbook",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # openpyxl takes a fifth of a second to import: only when a workbook is written.
    if name == "write_workbook":
        from sampler.workbook import write_workbook

        return write_workbook
    raise AttributeError(f"module 'sampler' has no attribute {name!r}")
