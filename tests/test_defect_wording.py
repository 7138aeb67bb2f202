"""The welfare answer says "after any defections" only when a state could leave.

With ``--set parameters.rules.defect=never_defect`` (every member kept in, as the README's
figures are read) the printed answer, ``summary.txt`` and ``welfare_final_year.png`` said
"welfare change in 2035 (after any defections)", as if some state might have left.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.axes import Axes

from scosim.cli import main
from scosim.plot_data import load_plot_data
from scosim.plots import who_gains_data

AFTER = "(after any defections)"


def _run(tmp_path: Path, capsys, monkeypatch, scenario: Path, *sets: str
         ) -> tuple[str, Path, list[str]]:
    """Printed answer, run directory and the figure titles of a 4-run ``scosim run``."""
    titles: list[str] = []
    set_title = Axes.set_title

    def spy(self, label, *args, **kwargs):
        titles.append(str(label))
        return set_title(self, label, *args, **kwargs)

    monkeypatch.setattr(Axes, "set_title", spy)
    args = [a for s in sets for a in ("--set", s)]
    assert main(["run", str(scenario), "--out", str(tmp_path), "--quiet",
                 "--replications", "4", *args]) == 0
    out = capsys.readouterr().out
    return out, Path(out.split("results: ")[1].splitlines()[0].strip()), titles


def _welfare_title(titles: list[str]) -> str:
    """The title of welfare_final_year.png, its wrapped lines joined."""
    return next(t for t in (" ".join(t.split()) for t in titles) if "who gains, who loses" in t)


def test_never_defect_drops_after_any_defections(tmp_path, capsys, monkeypatch,
                                                 model_fixture):
    cu = model_fixture("vg_union_forms.yaml")  # a union forms: welfare moves
    out, run_dir, titles = _run(tmp_path / "kept", capsys, monkeypatch, cu,
                                "parameters.rules.defect=never_defect")
    assert "who gains, who loses" in _welfare_title(titles)
    _, year, when, _ = who_gains_data(load_plot_data(run_dir))
    assert f"welfare change in {year} against" in out
    for text in (out, (run_dir / "summary.txt").read_text(), _welfare_title(titles)):
        assert AFTER not in " ".join(text.split())
    assert load_plot_data(run_dir).can_defect is False and when == f"in {year}"

    # The scenario's own rule (threshold_defect) may make a state leave: said, as before.
    out, run_dir, titles = _run(tmp_path / "own", capsys, monkeypatch, cu)
    assert AFTER in out and AFTER in (run_dir / "summary.txt").read_text()
    assert AFTER in _welfare_title(titles)
    assert load_plot_data(run_dir).can_defect is True


@pytest.mark.parametrize(("yaml_text", "can"), [
    ("parameters: {rules: {defect: never_defect}}\n", False),
    ("parameters: {rules: {defect: threshold_defect}}\n", True),
    # one economy with a rule of its own that may leave is enough
    ("parameters: {rules: {defect: never_defect}}\n"
     "countries: {IRN: {rules: {defect: threshold_defect}}}\n", True),
    ("parameters: {rules: {defect: never_defect}}\n"
     "countries: {IRN: {rules: {vote: utility_vote}}}\n", False),
    ("parameters: {rules: {defect: my_pkg.rules:sometimes}}\n", True),  # a plug-in's
])
def test_can_defect_reads_the_councils_and_each_economys_rule(tmp_path, yaml_text, can):
    from scosim.plot_data import run_can_defect

    union = "proposals: [{type: customs_union, id: cu, year: 2026}]\n"
    (tmp_path / "scenario.yaml").write_text(yaml_text + union)
    assert run_can_defect(tmp_path) is can
    assert run_can_defect(tmp_path / "missing") is None


@pytest.mark.parametrize(("proposals", "can"), [
    ("", False),  # nothing proposed: nothing to leave
    ("proposals: [{type: corridor, id: c, year: 2026}]\n", False),  # built corridors are sunk
    ("proposals: [{type: national_currency_settlement, id: s, year: 2026}]\n", False),
    ("proposals: [{type: corridor, id: c, year: 2026}, "
     "{type: free_trade_area, id: f, year: 2027}]\n", True),
    ("proposals: [{type: my_missing_pkg:Thing, id: x, year: 2026}]\n", True),  # not loadable
])
def test_can_defect_needs_an_arrangement_that_lets_participants_leave(tmp_path, proposals,
                                                                      can):
    """A corridor or settlement run said "(after any defections)" though its
    participants cannot leave (outside review)."""
    from scosim.plot_data import run_can_defect

    (tmp_path / "scenario.yaml").write_text(
        "parameters: {rules: {defect: threshold_defect}}\n" + proposals)
    assert run_can_defect(tmp_path) is can
