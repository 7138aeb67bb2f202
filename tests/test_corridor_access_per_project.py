"""Each freight corridor of a run gets its own break-even fee in the answer.

Until 2026-12-07 a run with several freight corridors gave none ("the run's freight
corridors share their hosts' records"). The per-economy records (``corridor_cost_usd``,
``corridor_fee_base_teu``) are summed over corridors, so a project's break-even is read off
its paying hosts' rows where no other corridor reaches them. Checked on the Trans-Afghan
railway and the CKU in one run: each line's figures are its hosts' rows computed apart,
and (the outside check) each is within 2 % of the same project's run alone, the
one-corridor figure of before (they differ only by the other line's effect on trade).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from scosim.cli import main
from scosim.results import read_batches

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
CORRIDORS = {
    "trans_afghan": ("TRANS_AFGHAN_RAIL", "UZB", ["AFG", "PAK"]),
    "cku": ("CKU_RAIL", "CHN", ["CHN", "KGZ", "UZB"]),
}


def _scenario(path: Path, ids: list[str], financing: str = "budget") -> Path:
    rows = "\n".join(
        f"  - {{type: corridor, id: {i}, year: 2026, proposer: {CORRIDORS[i][1]}, "
        f"project: {CORRIDORS[i][0]}, "
        f"financing: {financing if i == 'trans_afghan' else 'budget'}}}"
        for i in ids)
    # No failure: each line stands and bills traffic in every run.
    path.write_text(f"""extends: {SCENARIOS / 'baseline.yaml'}
name: {path.stem}
replications: 3
parameters:
  council: {{decision_rule: null}}
  rules: {{vote: always_yes}}
  mechanisms: {{network: corridor_network}}
  network: {{instability: {{AFG: 0.8}}, failure_base: 0, failure_sensitivity: 0}}
proposals:
{rows}
outputs: {{summary: all}}
""")
    return path


def _run(tmp_path: Path, capsys, scenario: Path) -> Path:
    assert main(["run", str(scenario), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    out = capsys.readouterr().out
    return Path(out.split("results: ")[1].splitlines()[0].strip())


def _said(run_dir: Path, pid: str) -> str:
    text = " ".join((run_dir / "summary.txt").read_text().split())
    start = text.index(f"Access revenue from {pid} (")
    end = text.find("Access revenue from", start + 1)
    return text[start:end if end > 0 else None]


def _fees(said: str) -> tuple[float, float]:
    got = re.search(r"so at that traffic a fee of US\$([\d,]+) a TEU would recover the hosts?' "
                    r"cost and US\$([\d,]+) the O&M alone", said)
    assert got is not None, said
    return tuple(float(g.replace(",", "")) for g in got.groups())


def _break_even(run_dir: Path, hosts: list[str]) -> float:
    ind = read_batches(run_dir / "indicators")
    ind = ind[ind["year"] == 2035].assign(country=ind["country"].astype(str))

    def rows(name: str):
        one = ind[ind["indicator"].astype(str) == name]
        return one.pivot_table(index="run", columns="country", values="value",
                               aggfunc="first")[hosts].sum(axis=1)

    return float(np.median(rows("corridor_cost_usd") / rows("corridor_fee_base_teu")))


def test_two_freight_corridors_each_get_their_own_break_even(tmp_path, capsys) -> None:
    both = _run(tmp_path, capsys, _scenario(tmp_path / "two.yaml", ["trans_afghan", "cku"]))
    for pid, (_, _, hosts) in CORRIDORS.items():
        said = _said(both, pid)
        whole, _ = _fees(said)
        assert whole == pytest.approx(_break_even(both, hosts), abs=0.5)  # rounded to US$1
        assert f"proposals.{list(CORRIDORS).index(pid)}.transit_fee_usd_per_teu=" in said
        alone = _run(tmp_path, capsys, _scenario(tmp_path / f"{pid}.yaml", [pid]))
        one_whole, one_om = _fees(_said(alone, pid))
        two_whole, two_om = _fees(said)
        assert two_whole == pytest.approx(one_whole, rel=0.02)
        assert two_om == pytest.approx(one_om, rel=0.02)


def test_a_corridor_whose_hosts_records_mix_another_gets_no_figure(tmp_path) -> None:
    """A loan to the Trans-Afghan railway puts its expected loss on the lender's owners
    (the members by GDP, China, Kyrgyzstan and Uzbekistan among them): the CKU's hosts'
    cost rows count it, so the CKU gets no figure and says why; the railway itself, its
    hosts reached by no other corridor, keeps its own. A share of the CKU paid by
    Afghanistan mixes their costs both ways."""
    from scosim.network.access_answer import _mixed_with
    from scosim.network.answer_notes import payer_rules
    from scosim.scenario.loader import load_scenario

    sc = load_scenario(_scenario(tmp_path / "lent.yaml", ["trans_afghan", "cku"],
                                 "bank_project"))
    shares = {pid: s for pid, _, _, s in payer_rules(sc)}
    by_id = {p.id: p for p in sc.proposals}
    assert _mixed_with(sc, by_id["trans_afghan"], shares) == ""
    assert _mixed_with(sc, by_id["cku"], shares) == (
        "the expected loss on trans_afghan's loan (its lender's owners bear it)")
    shares["cku"] = {**shares["cku"], "AFG": 0.1}
    assert "cku's cost (AFG pays for it too)" in _mixed_with(sc, by_id["trans_afghan"], shares)
    # A one-corridor run is never mixed: its figure is the single one of before.
    one = load_scenario(SCENARIOS / "corridor_trans_afghan_high.yaml")
    assert _mixed_with(one, one.proposals[0],
                       {pid: s for pid, _, _, s in payer_rules(one)}) == ""
