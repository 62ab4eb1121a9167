"""report.html, the plan shown to the people who run it (see :mod:`sampler.report.page`)."""

from sampler.report.page import DETAIL_PAIRS, REPORT_NAME, ROW_BUDGET, render_report, write_report

__all__ = ["DETAIL_PAIRS", "REPORT_NAME", "ROW_BUDGET", "render_report", "write_report"]
