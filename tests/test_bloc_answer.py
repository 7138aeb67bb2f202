"""The bloc totals and Art. XXIV lines of a run's answer (scosim.bloc_answer).

The README quotes a union's members', outsiders' and world EV and its Art. XXIV check;
the run's answer (``summary.txt``) states them under the welfare table, as medians over
runs (the README's statistic), against what the run's own tables give.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.bloc_answer import BLOC_INDICATORS, bloc_lines, runs_with_bloc
from scosim.cli import main
from scosim.indicator_display import percent_of_runs
from scosim.results import read_batches
from scosim.run_headline import headline_text
from scosim.runner import run
from scosim.runstats import RunStats

ROOT = Path(__file__).resolve().parents[1]
NAN = math.nan


def _bn(v: float, top: float | None = None) -> str:
    """As the answer prints US$ bn, signed: three significant figures of the largest of a
    total and its band, ``top`` (``v``'s own by default), as the answer's other amounts;
    one decimal from 10 to 100 bn."""
    top = abs(v if top is None else top) / 1e9
    return f"{v / 1e9:+.{max(0, 2 - math.floor(math.log10(top)))}f}"


def _stats(members: list[float], outsiders: list[float], before: float,
           after: list[float], year: int = 2035, last: int = 2035,
           membership: str = "in_customs_union") -> RunStats:
    """Runs of CHN, KAZ (members where ``members`` is not NaN) and MNG; the bloc's
    indicators in ``year`` as the GE mechanism records them (the outsiders' total too NaN
    without a bloc; ``outsiders`` is then the world's EV), welfare in every year up to
    ``last``; the members are in ``membership`` (a customs union's by default)."""
    rows = []
    for r, (m, o, a) in enumerate(zip(members, outsiders, after, strict=True)):
        has = not math.isnan(m)
        world = (m if has else 0.0) + o
        for y in range(year, last + 1):
            for c, w in (("CHN", 0.3), ("KAZ", -0.2), ("MNG", -0.1)):
                rows += [(r, y, c, "welfare_change_pct", w * (1 + r)),
                         (r, y, c, "member", float(c != "MNG")),
                         (r, y, c, membership, float(has and c != "MNG" and y == year))]
                if y != year:
                    continue
                rows += [(r, y, c, "ev_members_usd", m),
                         (r, y, c, "ev_outsiders_usd", o if has else NAN),
                         (r, y, c, "ev_world_usd", world),
                         (r, y, c, "union_external_tariff_before_pct", before if has else NAN),
                         (r, y, c, "union_external_tariff_after_pct", a if has else NAN),
                         (r, y, c, "art24_external_tariff_raised",
                          float(a > before) if has else NAN),
                         (r, y, c, "outsiders_loss_exceeds_members_gain",
                          float(-o > m) if has else NAN)]
    return RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))


def test_totals_are_medians_over_the_runs_with_the_bloc_and_say_so() -> None:
    members = [10e9, 20e9, 40e9, NAN]
    outsiders = [-5e9, -6e9, -50e9, 8e9]  # the last run has no bloc: its world's EV
    after = [3.5, 2.9, 4.0, NAN]
    st = _stats(members, outsiders, 3.0, after)
    assert runs_with_bloc(st, 2035) == 3
    text = headline_text(st, "t (seed 1)")
    lines = text.splitlines()
    head = next(k for k, x in enumerate(lines) if x.startswith("Bloc totals in 2035"))
    said = " ".join(" ".join(lines[head:]).split())
    assert "median (5-95 %), a bloc in 3 of 4 runs:" in said
    m = [v for v in members if not math.isnan(v)]
    world = [(0.0 if math.isnan(a) else a) + b for a, b in zip(members, outsiders, strict=True)]
    for label, values in (("members", m), ("outsiders", outsiders[:3]), ("world", world)):
        mid, low, high = np.median(values), *np.percentile(values, [5, 95])
        top = max(abs(mid), abs(low), abs(high))
        assert f"{label} {_bn(mid, top)} ({_bn(low, top)} to {_bn(high, top)})" in said
    # Members and outsiders over the runs with the bloc (no bloc, no outsiders: the world's
    # +8 bn of the last run is not the outsiders'), the world over all.
    # (The world's range spans zero here: the line saying so follows the totals.)
    assert "-5.1), both in those 3," in said and said.split("world ")[1].split(" world:")[
        0].endswith("over all 4")
    # Art. XXIV: medians of the bloc's runs; shares of those runs (2 of 3 rose; in 1 of 3,
    # the last with a bloc, outsiders lost 50 against the members' 40).
    assert (f"GATT Art. XXIV, in those 3 runs: members' average external tariff (weighted by "
            "2035 imports without the union, states in the bloc in 2035): 3.00 % -> "
            f"{np.median([3.5, 2.9, 4.0]):.2f} % (medians over runs), rose in "
            f"{percent_of_runs(2 / 3, 3)} %. "
            "Outsiders lost more than members gained (a welfare comparison, not an Art. XXIV "
            f"test) in {percent_of_runs(1 / 3, 3)} %.") in said
    # Right after the welfare table and its notes, before the footer.
    notes = next(k for k, x in enumerate(lines) if x.startswith("gains: share of runs"))
    assert notes < head and lines[-1].startswith("Figures:")
    # Short: about 800 characters where the bloc is in some runs, with the two lines
    # saying the world's range spans zero (10 lines at 100 columns, 14 at 80).
    assert 3 <= len(lines) - 1 - head <= 14
    assert sum(len(x) for x in lines[head:-1]) <= 1000
    assert max(len(x) for x in lines[head:]) <= 80


def test_nothing_is_said_without_a_bloc_in_the_table_s_year() -> None:
    # No bloc in any run: the members' total and the check are NaN, the world's is not.
    st = _stats([NAN, NAN], [1e9, 2e9], 3.0, [NAN, NAN])
    assert st.has("ev_world_usd") and runs_with_bloc(st, 2035) == 0
    assert "Bloc totals" not in headline_text(st, "t (seed 1)")
    # A bloc in 2034 only, while the table shows 2035: its totals are not the table's year.
    st = _stats([5e9, 6e9], [-1e9, -2e9], 3.0, [3.1, 3.2], year=2034, last=2035)
    assert runs_with_bloc(st, 2034) == 2 and runs_with_bloc(st, 2035) == 0
    assert "Bloc totals" not in headline_text(st, "t (seed 1)")
    assert bloc_lines(st, 2034, 2)  # that year has them


def test_a_bloc_claimed_by_another_type_has_no_art_xxiv_tariff_line() -> None:
    """A plug-in type that claims the bloc (``policy.claim_bloc``) without tariffs: its
    members' "average external tariff ... rose in 0 % of runs" was printed as if it were a
    customs union's. The welfare comparison stays, saying which runs its share is of."""
    members, outsiders, after = [10e9, 20e9, NAN], [-5e9, -30e9, 8e9], [3.0, 3.0, NAN]
    club = headline_text(_stats(members, outsiders, 3.0, after, membership="in_energy_club"),
                         "t (seed 1)")
    said = " ".join(club.split())
    assert "Bloc totals in 2035" in said
    assert "Art. XXIV," not in said and "external tariff" not in said
    assert ("Outsiders lost more than members gained (a welfare comparison, not an Art. XXIV "
            f"test) in {percent_of_runs(1 / 2, 2)} % of those 2 runs.") in said
    for kind in ("in_customs_union", "in_free_trade_area"):
        said = " ".join(headline_text(_stats(members, outsiders, 3.0, after, membership=kind),
                                      "t (seed 1)").split())
        assert "GATT Art. XXIV, in those 2 runs: members' average external tariff" in said


@pytest.fixture(scope="module")
def union_run(tmp_path_factory) -> Path:
    """The shipped union, every member kept in (as the README quotes it), 6 runs."""
    res = run(ROOT / "scenarios" / "customs_union.yaml", replications=6,
              out=tmp_path_factory.mktemp("cu"), progress=False, plots=True,
              overrides={"parameters.rules.defect": "never_defect"})
    return Path(res.path)


def test_the_union_s_answer_gives_the_totals_its_tables_give(union_run: Path, capsys) -> None:
    ind = read_batches(union_run / "indicators")
    ind = ind[ind["indicator"].astype(str).isin(BLOC_INDICATORS) & (ind["year"] == 2035)]
    # One value a run, in every economy's column: the first economy's.
    one = ind[ind["country"].astype(str) == "CHN"].pivot_table(
        index="run", columns="indicator", values="value", observed=True)
    text = (union_run / "summary.txt").read_text()
    said = " ".join(text.split())
    # The members are those of the year in each run, not the founding group (review).
    # Nominal dollars of 2035 on the model's GDP path, which the README's Limitations put
    # above the IMF's: "US$ bn" alone read as constant dollars (user report).
    assert ("Bloc totals in 2035 (equivalent variation, US$ bn current of 2035 on the model's "
            "GDP path; members: those in the bloc in 2035 in each run), median over 6 "
            "runs") in said
    for label, name in (("members", "ev_members_usd"), ("outsiders", "ev_outsiders_usd"),
                        ("world", "ev_world_usd")):
        v = one[name].to_numpy()
        mid, low, high = np.median(v), *np.percentile(v, [5, 95])
        top = max(abs(mid), abs(low), abs(high))
        assert f"{label} {_bn(mid, top)} ({_bn(low, top)} to {_bn(high, top)})" in said
    before = np.median(one["union_external_tariff_before_pct"])
    after = np.median(one["union_external_tariff_after_pct"])
    assert after > before  # the import-weighted CET raises the members' average
    assert f"{before:.2f} % -> {after:.2f} % (medians over runs)" in said
    raised = percent_of_runs(one["art24_external_tariff_raised"].mean(), len(one))
    assert re.search(rf"rose in {raised} % of runs\. Outsiders lost more", said)
    # Worked out again from the tables (a run without summary.txt), the same lines.
    (union_run / "summary.txt").unlink()
    assert main(["show", str(union_run)]) == 0
    shown = capsys.readouterr().out
    lines = text.splitlines()
    start = next(k for k, x in enumerate(lines) if x.startswith("Bloc totals"))
    end = next(k for k, x in enumerate(lines) if x.startswith("Outsiders lost"))
    bloc = "\n".join(lines[start:end + 2])
    assert "GATT Art. XXIV" in bloc and bloc in shown


def test_a_run_without_a_union_says_nothing_of_a_bloc(tmp_path: Path) -> None:
    res = run(ROOT / "scenarios" / "baseline.yaml", replications=2, out=tmp_path,
              progress=False, plots=True)
    ind = read_batches(Path(res.path) / "indicators")
    members = ind.loc[ind["indicator"].astype(str) == "ev_members_usd", "value"]
    assert len(members) and members.isna().all()  # recorded, NaN: no bloc
    summary = Path(res.path) / "summary.txt"
    assert not summary.exists() or "Bloc totals" not in summary.read_text()


def test_summary_csv_has_no_outsiders_total_where_there_is_no_bloc(union_run: Path) -> None:
    """summary.csv's "outsiders" row was the world's in the years before the union entered
    into force (2025-2026: 0, the world's) and in every year of a run where none formed (a
    sanctions scenario's -57 bn read as non-members' loss from a union that never was)."""
    s = pd.read_csv(union_run / "summary.csv")
    years = {name: set(s.loc[s["indicator"] == name, "year"])
             for name in ("ev_members_usd", "ev_outsiders_usd", "ev_world_usd")}
    assert years["ev_world_usd"] >= {2025, 2026, 2035}
    assert 2025 not in years["ev_members_usd"] and 2035 in years["ev_members_usd"]
    # Outsiders exactly where there are members: no bloc, no outsiders.
    assert years["ev_outsiders_usd"] == years["ev_members_usd"]
    assert set(s.loc[s["indicator"] == "ev_outsiders_usd", "country"]) == {"outsiders"}


def test_a_total_and_its_band_print_at_one_precision() -> None:
    # A band from +0.2 to +40 bn read "+0.30 (+0.21 to +36.0)" (user walk): each figure
    # took its own decimals. Now the largest of the three sets them for all three.
    members = [0.2e9, 0.3e9, 40e9]
    st = _stats(members, [-0.004e9, -0.003e9, -150e9], 3.0, [3.1, 3.2, 3.3])
    said = " ".join(" ".join(bloc_lines(st, 2035, 3)).split())
    mid, low, high = np.median(members), *np.percentile(members, [5, 95])
    assert f"members {mid / 1e9:+.1f} ({low / 1e9:+.1f} to {high / 1e9:+.1f})" in said
    # Over 100 bn the whole band is in whole billions, and a loss that rounds to zero
    # keeps its sign, as the welfare table's -0.00 (it read "0", as if nothing was lost).
    out = [-0.004e9, -0.003e9, -150e9]
    mid, low, high = np.median(out), *np.percentile(out, [5, 95])
    assert f"outsiders -0 ({low / 1e9:+.0f} to -0)" in said
    for band in re.findall(r"[+-]?[\d.]+ \([+-]?[\d.]+ to [+-]?[\d.]+\)", said):
        places = {len(x.split(".")[1]) if "." in x else 0 for x in re.findall(r"[\d.]+", band)}
        assert len(places) == 1, band


def test_the_precision_of_a_band_does_not_depend_on_where_a_nan_is() -> None:
    # max() over (nan, 150e9) and (150e9, nan) differ: the band's precision did too.
    from scosim.bloc_answer import _decimals

    assert _decimals(NAN, 150e9, 2e9) == _decimals(150e9, NAN, 2e9) == 0
    assert _decimals(NAN, NAN) == 2


def test_a_bloc_total_has_the_decimals_of_an_amount_of_its_size_in_the_answer() -> None:
    """US$ 3.3 bn read "+3.3" in the bloc totals and "3.30" in a table of US$ bn above
    them (answer_digits.sig3); 0.0244 read "+0.02" against "0.0244"."""
    from scosim.answer_digits import sig3

    for size in (0.244, 3.3, 41.1):
        st = _stats([size * 1e9] * 3, [-size * 1e9] * 3, 3.0, [3.1, 3.1, 3.1])
        said = " ".join(" ".join(bloc_lines(st, 2035, 3)).split())
        assert f"members +{sig3(size)} (+{sig3(size)} to +{sig3(size)})" in said, said
    # Below US$0.1 bn, in US$ million (2026-12-07): 0.0244 bn is 24.4 million.
    st = _stats([0.0244e9] * 3, [-0.0244e9] * 3, 3.0, [3.1, 3.1, 3.1])
    said = " ".join(" ".join(bloc_lines(st, 2035, 3)).split())
    assert "members +24.4 US$ million (+24.4 to +24.4)" in said, said


def test_each_bloc_share_is_at_the_welfare_table_s_decimals() -> None:
    """The bloc's percents of expenditure are the table's unit: at its decimals (two for
    the shipped union's tenths, three for a table of hundredths), not each to two
    significant figures ("+0.064" under rows of "+0.04"); a share that would read as a
    signed zero there gets the fewest more decimals that show it (the world's +0.0022)."""
    def stats(w: float) -> RunStats:
        rows = []
        for r in range(3):
            for c, x in (("CHN", w), ("KAZ", -w), ("MNG", -w / 2)):
                rows += [(r, 2035, c, n, v) for n, v in (
                    ("welfare_change_pct", x), ("member", float(c != "MNG")),
                    ("in_customs_union", float(c != "MNG")), ("ev_members_usd", 10e9),
                    ("ev_outsiders_usd", -4e9), ("ev_world_usd", 6e9),
                    ("ev_members_pct", 0.064), ("ev_outsiders_pct", -0.027),
                    ("ev_world_pct", 0.0022))]
        return RunStats.from_frames(pd.DataFrame(rows, columns=["run", "year", "country",
                                                                "indicator", "value"]))

    for w, row, shares in (
            (0.3, "+0.30", "members +0.06 %, outsiders -0.03 %, world +0.002 %."),
            (0.01, "+0.010", "members +0.064 %, outsiders -0.027 %, world +0.002 %.")):
        text = headline_text(stats(w), "t")
        assert f"CHN China {row}" in " ".join(text.split()), text
        assert shares in " ".join(text.split()), text


def test_a_total_below_a_tenth_of_a_billion_prints_in_millions_with_its_unit() -> None:
    # US$3,000 read "+0.00000300 (+0.00000100 to +0.00000500)" in US$ bn (review,
    # 2026-12-07): below US$0.1 bn, US$ million, said in the line (the heading says bn).
    from scosim.bloc_answer import _band

    assert _band(3e3, 1e3, 5e3) == "+0.00300 US$ million (+0.00100 to +0.00500)"
    assert _band(3e7, -1e7, 5e7) == "+30.0 US$ million (-10.0 to +50.0)"
    assert _band(3e7, -1e7, 5e7, band_only=True) == "-10.0 to +50.0 US$ million"
    # From US$0.1 bn on, US$ bn as before, no unit repeated.
    assert _band(0.1e9, 0.05e9, 0.2e9) == "+0.100 (+0.050 to +0.200)"
    members = [1e6, 2e6, 3e6]
    st = _stats(members, [-1e6, -2e6, -3e6], 3.0, [3.1, 3.2, 3.3])
    said = " ".join(" ".join(bloc_lines(st, 2035, 3)).split())
    mid, low, high = np.median(members), *np.percentile(members, [5, 95])
    assert f"members {mid / 1e6:+.2f} US$ million ({low / 1e6:+.2f} to {high / 1e6:+.2f})" in said
