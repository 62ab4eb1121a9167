"""report.html, the plan shown to the people who run it, as one offline page.

A small package so that each part can be read alone: :mod:`~sampler.report.page`
assembles the page and writes it (``render_report``, ``write_report``); the charts are
:mod:`~sampler.report.day_chart`, :mod:`~sampler.report.site_map` and
:mod:`~sampler.report.gantt`; :mod:`~sampler.report.tables` the district and site tables;
:mod:`~sampler.report.assets` the CSS and script, real files in ``assets/``.
"""

from sampler.report.data import pair_rows, sampled_by_minute
from sampler.report.gantt import DETAIL_PAIRS, ROW_BUDGET
from sampler.report.page import REPORT_NAME, render_report, write_report
from sampler.report.text import text_width

__all__ = [
    "DETAIL_PAIRS",
    "REPORT_NAME",
    "ROW_BUDGET",
    "pair_rows",
    "render_report",
    "sampled_by_minute",
    "text_width",
    "write_report",
]
