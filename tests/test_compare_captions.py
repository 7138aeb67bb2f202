"""A comparison report's captions and the units it shows read in words, not indicator codes."""

from __future__ import annotations

import re

import pytest

from scosim import report
from scosim.api import UNITS
from scosim.compare import compare_results
from scosim.indicator_display import NAMES, caption, declared_units, display, resolve_units
from test_compare_display import _runs, own_indicator_names  # tests/ is on sys.path


@pytest.fixture
def security(tmp_path):
    """Incidents (a rise is bad news), the welfare change, customs-union membership."""
    return compare_results(*_runs(tmp_path, {"incidents": 0.5, "welfare_change_pct": 0.5,
                                             "in_customs_union": 0.5}))


def test_report_captions_name_the_indicator_in_words_with_its_unit(security, tmp_path):
    """A policy reader reads "Terrorist incidents ..., terrorist incidents a year", not
    "incidents:" or "welfare_change_pct:"; the code stays, in brackets, once."""
    out = tmp_path / "r"
    md = report.write_report(security, out, title="T", units=UNITS, plot_workers=1).read_text()
    caps = re.findall(r"^!\[(.*)\]\(plots/", md, flags=re.M)
    html = (out / "report.html").read_text()
    assert len(caps) == 6
    assert ("Terrorist incidents (incidents), terrorist incidents a year (GTI definition): "
            "change in 2028, by country") in caps
    assert ("Welfare change (welfare_change_pct), percentage points of the year's baseline "
            "real expenditure: who gains, who loses in 2028") in caps
    for ind in ("incidents", "welfare_change_pct", "in_customs_union"):
        mine = [c for c in caps if f"({ind})" in c]
        assert len(mine) == 2, ind
        name = NAMES[ind]
        for c in mine:
            assert c.startswith(name[:1].upper() + name[1:] + f" ({ind}), "), c
            assert c.count(f"({ind})") == 1, c  # the code once
            assert f"<figcaption>{c.replace(chr(39), '&#x27;')}</figcaption>" in html


def test_a_caption_names_a_unit_without_its_definition_and_an_unnamed_code_alone():
    assert caption("plugin_thing", None) == "plugin_thing"
    assert caption("plugin_thing", "tonnes") == "plugin_thing, tonnes"
    # corridor_net_welfare_pct declares "unit: what it is"; the caption keeps the unit.
    units = display("corridor_net_welfare_pct", declared_units()["corridor_net_welfare_pct"])[1]
    assert caption("corridor_net_welfare_pct", units) == (
        "Welfare change net of corridor payments and risk (corridor_net_welfare_pct), "
        "percentage points of the year's baseline real expenditure")
    # A colon inside brackets is part of the unit.
    assert caption("fiscal_cost_usd", "US$ bn (treasury, gross: insured deposits)") == (
        "Fiscal cost of banking crises (gross, incl. recapitalisation) (fiscal_cost_usd), "
        "US$ bn (treasury, gross: insured deposits)")


def test_no_declared_unit_names_an_indicator_code():
    """A unit says what the number is measured in, in words: "percent (term of
    welfare_change_pct)" sent the reader of the answer and the table to a code."""
    known = set(own_indicator_names()) | set(UNITS)
    coded = {i: [w for w in re.findall(r"[a-z0-9]+(?:_[a-z0-9]+)+", u) if w in known]
             for i, u in resolve_units(sorted(known), UNITS).items() if u}
    assert {i: w for i, w in coded.items() if w} == {}
    terms = resolve_units(["welfare_rest_pct"])["welfare_rest_pct"]
    assert display("welfare_rest_pct", terms)[1] == (
        "percentage points of the year's baseline real expenditure (one of the three terms "
        "of the welfare change)")


def test_report_summary_table_names_each_indicator_in_words(security, tmp_path):
    """The report's table reads "terrorist incidents (incidents)", as its captions do;
    the CSV beside it keeps the bare codes for scripts."""
    out = tmp_path / "r"
    md = report.write_report(security, out, title="T", units=UNITS, plot_workers=1).read_text()
    summary = md.split("## Summary", 1)[1].split("##", 1)[0]
    rows = [r for r in summary.splitlines() if r.startswith("|") and "---" not in r][1:]
    assert rows
    shown = {r.split("|")[2].strip() for r in rows}
    assert shown <= {f"{NAMES[i]} ({i})" for i in
                     ("incidents", "welfare_change_pct", "in_customs_union")}, shown
