"""Tests of sampler.check.reading: missing files, byte-order mark, header, field counts,
formula-like cells."""

from __future__ import annotations

from sampler.check import check_plan

from .tiny import check, write_plan


def test_formula_cell_not_neutralised(scenario, tmp_path, plan):
    folder = write_plan(tmp_path / "plan", plan)
    sites = (folder / "sites.csv").read_text(encoding="utf-8-sig")
    (folder / "sites.csv").write_text(sites.replace("'=SUM", "=SUM"), encoding="utf-8-sig")
    report = check_plan(scenario, folder)
    assert report.rules == {"format"}
    assert "'=SUM(A1)'" in report.violations[0].examples[0]


def test_formula_cell_in_extra_column_and_ids(scenario, tmp_path, plan):
    """Unquoted, '-beta' and the roster's extra site_name column are both flagged."""
    report = check(scenario, tmp_path, plan, quote=False)
    assert report.rules == {"format"}
    assert "(column 9)" in " ".join(report.violations[0].examples)


def test_missing_bom(scenario, tmp_path, plan):
    report = check(scenario, tmp_path, plan, bom=False)
    assert report.rules == {"format"}
    assert "byte-order mark" in report.violations[0].examples[0]


def test_wrong_header(scenario, tmp_path, plan):
    folder = write_plan(tmp_path / "plan", plan)
    text = (folder / "assignments.csv").read_text(encoding="utf-8-sig")
    (folder / "assignments.csv").write_text(
        text.replace("samples", "count", 1), encoding="utf-8-sig"
    )
    assert "format" in check_plan(scenario, folder).rules


def test_row_with_missing_field(scenario, tmp_path, plan):
    folder = write_plan(tmp_path / "plan", plan)
    path = folder / "assignments.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines.append("alpha,alpha-p1,north,walk_in,2022-11-10 12:00,2022-11-10 12:30\r\n")
    path.write_text("".join(lines), encoding="utf-8-sig")
    report = check_plan(scenario, folder)
    assert report.rules == {"format"}
    assert "line 7: 6 fields" in report.violations[0].examples[0]


def test_missing_file(scenario, tmp_path, plan):
    folder = write_plan(tmp_path / "plan", plan)
    (folder / "plan.json").unlink()
    assert check_plan(scenario, folder).rules == {"files"}
