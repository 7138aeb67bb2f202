"""vote_reasons.png greys the proposer's trust in itself.

An outside review (2026-12-07): in afghan_instability_rats.yaml's figure Kazakhstan, the
proposer, showed "trust in the proposer" +0.025 pp, the widest bar in favour of the
upgrade, as if it backed the upgrade on its merits; the term is its trust in itself (the
trust matrix's diagonal, 1.0) and a proposer votes yes whatever its score. The checks read
the logged vote events, not the figure's code: which state is the sponsor, its raw trust
term against the other members', and the bar's width against the events' mean.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_hex

from scosim.results import read_batches
from scosim.runstats import RunStats

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rats_run(tmp_path_factory) -> Path:
    """afghan_instability_rats.yaml, 4 runs at its seed, no plots."""
    from scosim.runner import run

    res = run(ROOT / "scenarios" / "afghan_instability_rats.yaml", replications=4,
              out=tmp_path_factory.mktemp("results"), progress=False, plots=False)
    return Path(res.path)


def test_the_proposer_s_trust_in_itself_is_greyed_and_keyed(rats_run: Path, tmp_path: Path,
                                                             monkeypatch) -> None:
    from scosim import plot_votes
    from scosim.mechanism_answer import economy_label

    ev = read_batches(rats_run / "events")
    ev = ev[ev["type"] == "vote"].assign(country=lambda d: d["country"].astype(str))
    sponsor = ev[ev["sponsor"].fillna(False).astype(bool)]
    assert set(sponsor["country"]) == {"KAZ"}  # the scenario's proposer
    raw = ev.groupby("country")["term_trust"].mean()
    # Its raw term is the largest: trust in itself (1.0) against the others' trust in it.
    assert raw["KAZ"] == raw.max() and (raw.drop("KAZ") < raw["KAZ"]).all()
    kept = []
    monkeypatch.setattr(plot_votes.plt, "close", kept.append)
    st = RunStats.from_run(rats_run, indicators=["member"], event_types=["vote"])
    assert plot_votes.plot_vote_reasons(st, "t", tmp_path / "v.png") is not None
    ax = kept[-1].axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    row = labels.index(economy_label("KAZ"))
    green = plot_votes.TERM_COLOURS["trust"]
    grey = [p for p in ax.patches if to_hex(p.get_facecolor()) == "#d9d9d9"]
    assert len(grey) == 1
    bar = grey[0]
    assert bar.get_y() == pytest.approx(row - bar.get_height() / 2)
    # Its width is the events' mean weighted trust term, in percentage points.
    kaz = ev[ev["country"] == "KAZ"]
    assert bar.get_width() == pytest.approx(100 * kaz["contrib_trust"].astype(float).mean())
    # Every member's trust bar keeps the term's colour; the proposer's is covered.
    trust = next(c for c in ax.containers if c.get_label() == plot_votes.TERM_LABELS["trust"])
    assert len(trust.patches) == len(labels)
    assert all(to_hex(p.get_facecolor()) == green for p in trust.patches)
    under = next(p for p in trust.patches if np.isclose(p.get_y() + p.get_height() / 2, row))
    assert (under.get_x(), under.get_width()) == pytest.approx((bar.get_x(), bar.get_width()))
    assert ax.patches.index(bar) > ax.patches.index(under)  # drawn over it
    key = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "greyed: the proposer's trust in itself (1.0), no view of the proposal" in key
    assert plot_votes.TERM_LABELS["trust"] in key


def test_the_key_names_co_sponsors_and_another_trust_term() -> None:
    import pandas as pd

    from scosim.plot_votes import TERM_LABELS, VoteReasons, sponsor_trust_label

    s = pd.Series(dtype=float)
    data = VoteReasons(contributions=pd.DataFrame(), score=s, score_low=s, score_high=s,
                       yes_share=s, rules=s, sponsor=s, proposal="p", year=2026, n_runs=1)
    assert "co-sponsors" in sponsor_trust_label(data, 2)
    assert "in itself" in sponsor_trust_label(data, 1)
    # An accession's voters weigh trust in the applicant: no "in itself" then.
    data.labels = {**TERM_LABELS, "trust": "trust in the applicant"}
    text = sponsor_trust_label(data, 1)
    assert "trust in the applicant" in text and "itself" not in text


def test_the_explorer_greys_it_as_the_png(rats_run: Path) -> None:
    """The explorer's plotly chart showed the proposer's trust in itself in the term's green;
    it is greyed, hatched, keyed and explained on hover as in vote_reasons.png."""
    pytest.importorskip("plotly", reason="the explorer needs the 'explore' extra")
    from scosim.explore.figures import vote_reasons_figure
    from scosim.plot_votes import TERM_COLOURS, TERM_LABELS

    class _Result:  # what vote_reasons_figure reads of an explorer result
        def __init__(self, path: Path) -> None:
            self.path, self.memo = path, {}

    fig = vote_reasons_figure(_Result(rats_run))
    key = "greyed: the proposer's trust in itself (1.0), no view of the proposal"
    grey = [b for b in fig.data if b.name == key]
    assert len(grey) == 1
    (grey,) = grey
    trust = next(b for b in fig.data if b.name == TERM_LABELS["trust"])
    assert trust.marker.color == TERM_COLOURS["trust"]
    assert to_hex(grey.marker.color) == "#d9d9d9" and grey.marker.pattern.shape == "/"
    assert grey.showlegend is not False
    assert "trust in itself" in grey.hovertemplate
    assert "votes yes whatever its score" in grey.hovertemplate
    # Stacked right after the term's own trace, so the grey bar sits where the green one was.
    assert list(fig.data).index(grey) == list(fig.data).index(trust) + 1
    green = dict(zip(trust.y, trust.x, strict=True))
    greyed = dict(zip(grey.y, grey.x, strict=True))
    # Kazakhstan (the proposer, the events' sponsor) only: its width is the events' mean.
    ev = read_batches(rats_run / "events")
    ev = ev[ev["type"] == "vote"].assign(country=lambda d: d["country"].astype(str))
    want = 100 * ev[ev["country"] == "KAZ"]["contrib_trust"].astype(float).mean()
    assert greyed["KAZ"] == pytest.approx(want)
    assert np.isnan(green["KAZ"])
    others = [s for s in green if s != "KAZ"]
    assert others and all(np.isnan(greyed[s]) for s in others)
    assert not any(np.isnan(green[s]) for s in others)
