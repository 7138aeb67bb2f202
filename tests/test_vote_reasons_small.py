"""Why states vote no when every term is small: the RATS upgrade's no-voters.

Until 2026-12-07 the answer of ``afghan_instability_rats.yaml`` rounded every term of its
no-voters to two decimals ("China econ -0.01, sovereignty -0.01"), hiding the comparison
that decides the vote: sovereignty -0.0150 against trust +0.0100, with a security term of
a few ten-thousandths. The checks here read the logged ``vote`` events, not the module:
each state's medians are pandas' medians of the raw columns, printed with 3 significant
figures by Python's own format; the customs union's lines, readable at two decimals, keep
them (tests/test_vote_reasons.py checks those against the README).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from scosim.results import read_batches
from scosim.runstats import RunStats
from scosim.vote_reasons import figure, why_no_lines

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rats_run(tmp_path_factory) -> Path:
    """afghan_instability_rats.yaml, 10 runs at its seed, no plots (about 4 s)."""
    from scosim.runner import run

    res = run(ROOT / "scenarios" / "afghan_instability_rats.yaml", replications=10,
              out=tmp_path_factory.mktemp("results"), progress=False, plots=False)
    return Path(res.path)


def _three(x: float) -> str:
    # Python's own 3-significant-figure format, for terms between 0.0001 and 0.02 points.
    return f"{x:+#.3g}"


def test_the_small_terms_that_decide_a_no_are_readable(rats_run: Path) -> None:
    ev = read_batches(rats_run / "events")
    ev = ev[ev["type"] == "vote"]
    # The proposer votes yes as sponsor: no score decides it.
    votes = ev[~ev["yes"].astype(bool) & ~ev["sponsor"].fillna(False).astype(bool)].assign(
        country=lambda d: d["country"].astype(str))
    assert votes.groupby(["country", "run"]).size().max() == 1  # one vote a run
    lines = why_no_lines(RunStats.from_run(rats_run, indicators=["member"],
                                           event_types=["vote"]))
    assert lines and max(len(line) for line in lines) <= 95
    text = re.sub(r"\s+", " ", " ".join(lines))
    # No term of the sentence reads as a bare 0.00 or 0.01.
    assert not re.search(r"[-+]0\.0[01](?![0-9])", text), text
    from scosim.data.constants import NAMES

    checked = 0
    for code, rows in votes.groupby("country"):
        if 2 * len(rows) <= 10:  # listed only when it votes no in most runs
            continue

        def med(col: str, rows: pd.DataFrame = rows) -> float:
            return 100.0 * float(rows[col].astype(float).median())

        econ, sov, trust = med("contrib_econ"), med("contrib_sovereignty"), med("contrib_trust")
        # The vote's decisive comparison: trust in favour outweighs the expected loss, so
        # the loss alone does not make the no and every term is listed with the score.
        assert trust > -econ > 0 and sov < -trust
        assert (f"{NAMES[code]} econ {_three(econ)}, sovereignty {_three(sov)}, "
                f"trust {_three(trust)}") in text, code
        assert f"(score {_three(med('utility'))})" in text
        checked += 1
    assert checked >= 7


@pytest.mark.parametrize(("value", "shown"), [
    (-0.48, "-0.48"), (0.034, "+0.03"), (-0.0150, "-0.0150"), (0.01, "+0.0100"),
    (0.000584, "+0.000584"), (-0.00547, "-0.00547"), (0.0, "0.00"), (-0.0199, "-0.0199"),
    (0.02, "+0.02")])
def test_two_decimals_from_two_hundredths_three_figures_below(value: float, shown: str) -> None:
    assert figure(value) == shown


def test_the_intro_names_the_proposer_and_says_what_is_listed_in_plain_words(
        rats_run: Path) -> None:
    # The proposer is the scenario's (KAZ), read from the file, not from the module; the
    # intro's old parenthetical ("their econ term and the largest other term against;
    # where a term in favour outweighs ...") is gone.
    import yaml

    from scosim.data.constants import NAMES

    spec = yaml.safe_load((ROOT / "scenarios" / "afghan_instability_rats.yaml").read_text())
    proposer = NAMES[spec["proposals"][0]["proposer"]]
    lines = why_no_lines(RunStats.from_run(rats_run, indicators=["member"],
                                           event_types=["vote"]))
    text = re.sub(r"\s+", " ", " ".join(lines))
    assert text.startswith(f"Why states vote no (2026 vote): {proposer} proposed it; below, "
                           "the weighted terms of each no-voter's score")
    assert ("The states voting no in most runs expect no gain, yet for each a term in favour "
            "is larger than that loss, so each is listed with every term and the shock of at "
            "least 1 % of its score, then its score: ") in text
    assert "(their econ term" not in text
    assert all(len(line) <= 80 for line in lines)
