"""The calibrated baseline against the data it should reproduce (docs/security.md table).

Baseline conditions: every state keeps its baseline effort, Afghan instability and opiate
supply at their 2018-2022 levels. The model's yearly incidents and seizures over runs are
set beside the GTI incident history and the UNODC seizures; the implied interception
shares are set beside UNODC's published ones (ANCHORS.md).
"""

from __future__ import annotations

import math

import numpy as np

from scosim.security.calibration import SecurityCalibration
from scosim.security.model import SecuritySystem, simulate
from scosim.security.routes import (
    INTERCEPTION_ANCHORS,
    NODE_ORDER,
    SUPPLY_BASE_T,
    SUPPLY_INDEX,
    route_flows,
)

__all__ = [
    "GTI_2025_SCORE",
    "INTERCEPTION_ANCHORS",
    "afghan_spill_estimate",
    "afghan_spill_weighting_fit",
    "baseline_rows",
    "collapse_2023",
    "demo_rows",
    "gti_2025_order",
    "instability_demo",
    "interception_rows",
    "markdown",
    "seizure_share_rows",
]


INCIDENT_ECONOMIES = ("AFG", "PAK", "IND", "MMR", "EGY", "TUR", "RUS", "IRN", "TJK", "UZB")
SEIZURE_ECONOMIES = ("AFG", "PAK", "IRN", "TUR", "AZE", "TJK", "KGZ", "UZB", "KAZ", "RUS")


#: GTI 2025 scores (0-10, 2024 data; ranks 2, 16 and 18 of 163): Institute for Economics &
#: Peace, *Global Terrorism Index 2025* (March 2025), overall ranking; ANCHORS.md "Security"
#: (as reported e.g. at abcmedia.am/en/news/138732). The anchor for the base rates' order.
GTI_2025_SCORE: dict[str, float] = {"PAK": 8.374, "RUS": 6.267, "IRN": 6.056}


def gti_2025_order(cal: SecurityCalibration) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The economies of :data:`GTI_2025_SCORE` ranked by that score and by the base rate ``B``.

    The GTI score weighs deaths, injuries and hostages as well as incidents, over five
    years; ``B`` counts incidents only, so the two orders agree only where incidents
    rank the economies as the harm does. Ties in ``B`` keep the score's order.

    Returns:
        ``(by GTI 2025 score, by base rate)``, each highest first.
    """
    by_score = tuple(sorted(GTI_2025_SCORE, key=lambda c: -GTI_2025_SCORE[c]))
    rate = {c: float(cal.base_rate[cal.index(c)]) for c in by_score}
    return by_score, tuple(sorted(by_score, key=lambda c: -rate[c]))


def _sig(x: float, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{digits}g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.1e}"


def baseline_rows(system: SecuritySystem, n_runs: int = 200, seed: int = 2024,
                  years: int = 5) -> list[dict[str, object]]:
    """Rows ``economy, quantity, data, data range, model mean, model 5-95 %``."""
    codes = system.codes
    keep = {c: "keep_effort" for c in codes if c != "ROW"}
    res = simulate(system, list(range(2018, 2018 + years)), keep, 1.0, n_runs, seed)
    rows: list[dict[str, object]] = []
    for c in INCIDENT_ECONOMIES:
        i = codes.index(c)
        hist = [system.cal.gti_incidents[y][i] for y in sorted(system.cal.gti_incidents)]
        win = [system.cal.gti_incidents[y][i] for y in range(2018, 2023)]
        x = res["incidents"][:, :, i].ravel()
        rows.append({"economy": c, "quantity": "terrorist incidents a year (GTI)",
                     "data": math.fsum(win) / len(win),
                     "data_range": f"{min(hist):.0f}-{max(hist):.0f} (2012-2022)",
                     "model": float(x.mean()),
                     "model_band": f"{np.percentile(x, 5):.0f}-{np.percentile(x, 95):.0f}"})
    for c in SEIZURE_ECONOMIES:
        i = codes.index(c)
        vals = [system.cal.seizures_t[y][i] for y in range(2018, 2023)]
        vals = [v for v in vals if not math.isnan(v)]
        x = res["seizures_t"][:, :, i].ravel()
        rows.append({"economy": c, "quantity": "opiates seized, t heroin eq. (UNODC)",
                     "data": math.fsum(vals) / len(vals),
                     "data_range": f"{_sig(min(vals))}-{_sig(max(vals))} (2018-2022)",
                     "model": float(x.mean()),
                     "model_band": f"{_sig(np.percentile(x, 5))}-{_sig(np.percentile(x, 95))}"})
    return rows


def interception_rows(system: SecuritySystem) -> list[dict[str, object]]:
    """Baseline seizure share of what reaches each route economy, and route totals."""
    h0 = system.hazard0
    rows = []
    for c in NODE_ORDER:
        s = -math.expm1(-h0[system.codes.index(c)])
        rows.append({"economy": c, "share": s, "anchor": INTERCEPTION_ANCHORS.get(c, math.nan),
                     "note": system.hazard_notes.get(c, "")})
    return rows


def seizure_share_rows(system: SecuritySystem) -> list[dict[str, object]]:
    """Each route economy's share of the route economies' seizures: model (baseline) and data.

    Model shares are from the baseline flows at supply ``SUPPLY_BASE_T`` (no noise);
    data shares from the UNODC 2018-2022 means, over the economies that report (all but
    Turkmenistan).
    """
    n = system.cal.n
    fl = route_flows(np.array([SUPPLY_BASE_T]), system.hazard0, system.e0[None, :], system.e0,
                     k_seize=0.0, k_pool_drug=0.0, rats_drug=np.zeros(n))
    data = system.cal.seizure_mean_t()
    idx = [system.codes.index(c) for c in NODE_ORDER]
    rep = [i for i in idx if not math.isnan(data[i])]
    tot_m = math.fsum(fl.seized[0, i] for i in rep)
    tot_d = math.fsum(data[i] for i in rep)
    rows = []
    for c, i in zip(NODE_ORDER, idx, strict=True):
        if math.isnan(data[i]):
            continue
        rows.append({"economy": c, "model_t": float(fl.seized[0, i]), "data_t": float(data[i]),
                     "model_share": fl.seized[0, i] / tot_m, "data_share": data[i] / tot_d})
    rows.append({"economy": "all", "model_t": tot_m, "data_t": tot_d, "model_share": 1.0,
                 "data_share": 1.0})
    return rows


def collapse_2023(system: SecuritySystem, n_runs: int = 200, seed: int = 2024) -> dict[str, float]:
    """Mean total seizures (t) in 2022 and 2023 conditions: supply index 1 vs the 2023 collapse."""
    keep = {c: "keep_effort" for c in system.codes if c != "ROW"}
    a = simulate(system, [2022, 2023], keep, 1.0, n_runs, seed, supply_index=SUPPLY_INDEX)
    tot = a["seizures_t"].sum(axis=2).mean(axis=0)
    return {"2022": float(tot[0]), "2023": float(tot[1]),
            "ratio": float(tot[1] / tot[0])}


def markdown(rows: list[dict[str, object]], columns: list[str]) -> str:
    """A Markdown table of ``rows`` with the given columns (numbers to 3 significant digits)."""
    out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        out.append("| " + " | ".join(
            _sig(r[c]) if isinstance(r[c], float) else str(r[c]) for c in columns) + " |")
    return "\n".join(out)


#: The demonstration scenario of docs/security.md: Afghan instability rises linearly from
#: its 2018-2022 level (1) in 2024 to 2.5 in 2034; members share information up to their
#: sovereignty caps, everyone else matches partners' effort.
DEMO_YEARS = tuple(range(2025, 2035))
DEMO_INSTABILITY = {y: 1.0 + 1.5 * (y - 2024) / 10 for y in DEMO_YEARS}


def instability_demo(system: SecuritySystem, n_runs: int = 200,
                     seed: int = 2025) -> dict[str, dict[str, np.ndarray]]:
    """Indicators ``(R, T, N)``: stable instability, rising without and with a RATS upgrade."""
    from scosim.data.constants import MEMBERS
    from scosim.security.proposal import RatsUpgradeProposal, adopt

    rules = {c: ("sovereignty_capped" if c in MEMBERS else "conditional_cooperation")
             for c in system.codes if c != "ROW"}
    stable = simulate(system, list(DEMO_YEARS), rules, 1.0, n_runs, seed)
    today = simulate(system, list(DEMO_YEARS), rules, DEMO_INSTABILITY, n_runs, seed)
    prop = RatsUpgradeProposal(type="rats_upgrade", id="rats-universal-centre", year=2025,
                               proposer="KAZ")
    st = adopt(system, prop, system.baseline_state(n_runs, DEMO_YEARS[0] - 1))
    up = simulate(system, list(DEMO_YEARS), rules, DEMO_INSTABILITY, n_runs, seed, state=st)
    return {"stable, RATS today": stable, "rising, RATS today": today,
            "rising, RATS upgraded": up}


def demo_rows(variants: dict[str, dict[str, np.ndarray]], codes: tuple[str, ...],
              year_index: int = -1) -> list[dict[str, object]]:
    """Median [5th-95th percentile] of key indicators in one year, per variant."""
    rows = []
    spec = [("cost_multiplier", "AFG", "edge-cost multiplier, Afghanistan", "{:.3f}"),
            ("cost_multiplier", "PAK", "edge-cost multiplier, Pakistan", "{:.3f}"),
            ("incidents", "TJK", "incidents, Tajikistan", "{:.0f}"),
            ("incidents", "UZB", "incidents, Uzbekistan", "{:.0f}"),
            ("incidents", "TKM", "incidents, Turkmenistan", "{:.0f}"),
            ("incidents", "PAK", "incidents, Pakistan", "{:.0f}"),
            ("security_index", "TJK", "security index, Tajikistan", "{:.2f}"),
            ("seizures_t", "TJK", "seizures, Tajikistan (t heroin eq.)", "{:.2f}"),
            ("inflow_t", "RUS", "opiates reaching Russia (t heroin eq.)", "{:.0f}")]
    for key, code, label, fmt in spec:
        row: dict[str, object] = {"indicator": label}
        for name, res in variants.items():
            x = res[key][:, year_index, codes.index(code)]
            lo, med, hi = np.percentile(x, [5, 50, 95])
            row[name] = f"{fmt.format(med)} [{fmt.format(lo)}-{fmt.format(hi)}]"
        rows.append(row)
    return rows


def afghan_spill_estimate(cal: SecurityCalibration) -> tuple[float, float]:
    """Least-squares estimate (and standard error) of ``afghan_spill`` from GTI 2012-2022.

    The model adds ``afghan_spill * (Afghan incidents above baseline)`` to the incidents of
    Afghanistan's neighbours taken together, so the slope of the neighbours' yearly total on
    Afghanistan's incidents, controlling for a linear trend, estimates it.
    """
    years = sorted(cal.gti_incidents)
    afg = cal.index("AFG")
    nbrs = np.flatnonzero(cal.contiguity[afg])
    y = np.array([math.fsum(cal.gti_incidents[t][nbrs]) for t in years])
    x = np.array([cal.gti_incidents[t][afg] for t in years])
    X = np.column_stack([np.ones(len(years)), x, np.arange(len(years), dtype=float)])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    dof = len(years) - X.shape[1]
    cov = (resid @ resid / dof) * np.linalg.inv(X.T @ X)
    return float(beta[1]), float(math.sqrt(cov[1, 1]))


def afghan_spill_weighting_fit(cal: SecurityCalibration) -> dict[str, dict[str, float]]:
    """Which split of the Afghan spillover over the neighbours fits GTI 2012-2022 better.

    Each neighbour's yearly incidents, net of its own constant and linear trend, are fitted
    by ``s * w[c] * (Afghan incidents, net of constant and trend)`` with one common ``s``
    (least squares pooled over the neighbours), for equal shares ``w = 1/6`` and for shares by
    border length. With equal shares ``s`` is :func:`afghan_spill_estimate` exactly (the
    pooled normal equation is the regression of the neighbours' total).

    Returns:
        ``{"equal" | "border": {"s", "ssr"}}`` (common slope, pooled residual sum of squares)
        and ``{"slopes": {iso3: slope}}``, each neighbour's own unrestricted slope.
    """
    years = sorted(cal.gti_incidents)
    afg = cal.index("AFG")
    nbrs = np.flatnonzero(cal.contiguity[afg])
    t = np.arange(len(years), dtype=float)
    Z = np.column_stack([np.ones(len(years)), t])
    M = np.eye(len(years)) - Z @ np.linalg.pinv(Z)  # residual maker: constant and trend out
    x = M @ np.array([cal.gti_incidents[y][afg] for y in years])
    ys = {int(i): M @ np.nan_to_num(np.array([cal.gti_incidents[y][i] for y in years]))
          for i in nbrs}
    km = cal.afghan_border_km[nbrs]
    out: dict[str, dict[str, float]] = {}
    for name, w in (("equal", np.full(len(nbrs), 1.0 / len(nbrs))), ("border", km / km.sum())):
        num = math.fsum(float(wk * (x @ ys[int(i)])) for wk, i in zip(w, nbrs, strict=True))
        s = num / (float(x @ x) * math.fsum(float(v) ** 2 for v in w))
        ssr = math.fsum(float(((ys[int(i)] - s * wk * x) ** 2).sum())
                        for wk, i in zip(w, nbrs, strict=True))
        out[name] = {"s": s, "ssr": ssr}
    out["slopes"] = {cal.codes[int(i)]: float(x @ ys[int(i)] / (x @ x)) for i in nbrs}
    return out
