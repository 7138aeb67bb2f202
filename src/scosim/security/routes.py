"""Afghan opiate trafficking along the Northern, Balkan and Southern routes.

Units: tonnes of heroin equivalent a year (heroin + morphine + opium / 10, see
docs/security.md). Afghanistan's supply leaves through exit countries in UNODC's
proportions (about 40 % Pakistan, 30 % Iran, 25 % Central Asia; ANCHORS.md) and moves
along a fixed set of crossings (edges). Each crossing into economy ``v`` seizes

``s = 1 - exp(-h)``, ``h = h0[v] * exp(k_seize * (joint border effort - baseline)
+ k_pool_drug * rats_drug[v] * pooled border effort)``

where the joint effort of a crossing ``u -> v`` is ``(e[u] + e[v]) / 2`` on the border
channel and ``h0`` is calibrated so that baseline seizures equal the UNODC 2018-2022 mean
(:func:`calibrate_hazards`). Of what arrives, a share ``retain[v]`` stays (local market) and
the rest moves on in the edge shares. Conservation holds by construction and is tested:
on every edge ``arrived = departed - seized``; at every node
``arrivals = retained + onward departures``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scosim.data.constants import ECONOMIES
from scosim.security.params import POOL_REFERENCE

__all__ = [
    "CORRIDOR_CARRIERS",
    "EDGES",
    "INTERCEPTION_ANCHORS",
    "NODE_ORDER",
    "OPIUM_PRODUCTION_T",
    "POST_BAN_SUPPLY_INDEX",
    "RETAIN",
    "SUPPLY_BASE_T",
    "SUPPLY_INDEX",
    "RouteFlows",
    "calibrate_hazards",
    "corridor_crossings",
    "route_flows",
]

#: Tonnes of heroin equivalent available for trafficking at baseline: about 375 t of
#: heroin and 900 t of opium a year around 2009 (UNODC via ANCHORS.md), opium at 10:1.
SUPPLY_BASE_T = 375.0 + 900.0 / 10.0
#: Afghan opium production after the April 2022 ban, tonnes (UNODC, Afghanistan Opium
#: Survey): 6,200 t in 2022 and 333 t in 2023 (ANCHORS.md; survey 2023, 10,800 ha against
#: 233,000); 433 t in 2024 (12,800 ha; UNODC press release, 27 November 2024); 296 t in
#: 2025 (10,200 ha; UNODC, Afghanistan Opium Survey 2025, 6 November 2025).
OPIUM_PRODUCTION_T: dict[int, float] = {2022: 6200.0, 2023: 333.0, 2024: 433.0, 2025: 296.0}
#: Afghan opium production relative to 2022. 2018-2022 are taken as 1: UNODC's surveys give
#: 6,400 t in 2018, about 6,300 t in 2020 and 6,800 t in 2021, within 10 % of 2022's (an
#: approximation, stated in docs/security.md).
SUPPLY_INDEX: dict[int, float] = {2018: 1.0, 2019: 1.0, 2020: 1.0, 2021: 1.0, 2022: 1.0,
                                  **{y: t / OPIUM_PRODUCTION_T[2022]
                                     for y, t in OPIUM_PRODUCTION_T.items() if y > 2022}}
#: The post-ban level the shipped security scenarios hold supply at ("the ban holds"): the
#: mean of 2023-2025 production over 2022's, (333 + 433 + 296) / 3 / 6,200 = 0.057.
POST_BAN_SUPPLY_INDEX: float = (sum(OPIUM_PRODUCTION_T[y] for y in (2023, 2024, 2025)) / 3
                                / OPIUM_PRODUCTION_T[2022])

#: (from, to, share of the origin's onward flow, route, source). Shares from one origin
#: sum to 1; ROW is an exit (Europe, the Gulf, the sea, beyond Russia).
EDGES: tuple[tuple[str, str, float, str, str], ...] = (
    ("AFG", "PAK", 0.40, "southern", "unodc_anchor"),
    ("AFG", "IRN", 0.30, "balkan", "unodc_anchor"),
    ("AFG", "TJK", 0.15, "northern", "unodc_anchor; split within Central Asia assumed"),
    ("AFG", "UZB", 0.0625, "northern", "unodc_anchor; split within Central Asia assumed"),
    ("AFG", "TKM", 0.0375, "northern", "unodc_anchor; split within Central Asia assumed"),
    ("AFG", "ROW", 0.05, "other", "remainder of the UNODC split"),
    ("PAK", "IRN", 0.35, "balkan", "assumption (ANCHORS: split not found)"),
    ("PAK", "ROW", 0.65, "southern", "assumption (ANCHORS: split not found)"),
    ("IRN", "TUR", 0.85, "balkan", "assumption"),
    ("IRN", "AZE", 0.15, "balkan", "assumption (Caucasus branch)"),
    ("TUR", "ROW", 1.0, "balkan", "exit to Europe"),
    ("AZE", "ROW", 1.0, "balkan", "exit"),
    ("TJK", "KGZ", 0.5, "northern", "assumption"),
    ("TJK", "UZB", 0.5, "northern", "assumption"),
    ("UZB", "KAZ", 1.0, "northern", "assumption"),
    ("TKM", "KAZ", 1.0, "northern", "assumption"),
    ("KGZ", "KAZ", 1.0, "northern", "assumption"),
    ("KAZ", "RUS", 1.0, "northern", "assumption"),
    ("RUS", "BLR", 1.0, "northern", "assumption"),
    ("BLR", "ROW", 1.0, "northern", "exit to Europe"),
)
#: Nodes in upstream-to-downstream order (every edge goes forward in this order).
NODE_ORDER: tuple[str, ...] = ("AFG", "PAK", "IRN", "TUR", "AZE", "TJK", "KGZ", "UZB", "TKM",
                               "KAZ", "RUS", "BLR")
#: Share of arrivals retained by the local market (assumptions, chosen so that about three
#: quarters of what enters Central Asia reaches Russia, ANCHORS.md; Russia and Iran are
#: large final markets).
RETAIN: dict[str, float] = {"AFG": 0.0, "PAK": 0.10, "IRN": 0.30, "TUR": 0.05, "AZE": 0.10,
                            "TJK": 0.08, "KGZ": 0.05, "UZB": 0.05, "TKM": 0.05, "KAZ": 0.08,
                            "RUS": 0.90, "BLR": 0.20}
#: Upper bound of a calibrated baseline seizure share.
S_MAX = 0.9
#: UNODC interception shares (share of what enters the country that it seizes) quoted in
#: ANCHORS.md. The baseline seizure share of these crossings is set to them; the others are
#: calibrated on the UNODC 2018-2022 seizures (:func:`calibrate_hazards`, docs/security.md).
INTERCEPTION_ANCHORS: dict[str, float] = {"IRN": 0.20, "PAK": 0.17}
#: Carriers of network projects that carry freight, hence cargo in which opiates can hide
#: (gas pipelines and power lines do not).
CORRIDOR_CARRIERS: tuple[str, ...] = ("freight",)


def _check_tables() -> None:
    pos = {c: k for k, c in enumerate(NODE_ORDER)}
    out: dict[str, float] = {}
    for a, b, sh, _, _ in EDGES:
        if b != "ROW" and pos[b] <= pos[a]:
            raise ValueError(f"edge {a}->{b} goes upstream in NODE_ORDER")
        out[a] = out.get(a, 0.0) + sh
    bad = {k: v for k, v in out.items() if abs(v - 1.0) > 1e-12}
    if bad:
        raise ValueError(f"edge shares per origin must sum to 1: {bad}")


_check_tables()


@dataclass(frozen=True)
class RouteFlows:
    """Flows of one year, batched over runs (tonnes of heroin equivalent).

    Attributes:
        departed, seized_edge, arrived: ``(R, E)`` per edge of :data:`EDGES`.
        share_edge: ``(R, E)`` seizure share of each crossing.
        inflow: ``(R, N)`` amount reaching each economy's border (before seizure);
            Afghanistan's is its supply.
        seized: ``(R, N)`` seizures by each economy (Afghanistan: before export).
        retained: ``(R, N)`` kept by the local market.
        throughflow: ``(R, N)`` onward departures from each economy.
    """

    departed: np.ndarray
    seized_edge: np.ndarray
    arrived: np.ndarray
    share_edge: np.ndarray
    inflow: np.ndarray
    seized: np.ndarray
    retained: np.ndarray
    throughflow: np.ndarray


def route_flows(supply: np.ndarray, hazard0: np.ndarray, border_effort: np.ndarray,
                baseline_border: np.ndarray, *, k_seize: float, k_pool_drug: float,
                rats_drug: np.ndarray, edge_weight: np.ndarray | None = None,
                pool_reference: float = POOL_REFERENCE) -> RouteFlows:
    """Propagate one year's supply along the routes.

    Args:
        supply: ``(R,)`` tonnes available in Afghanistan.
        hazard0: ``(N,)`` calibrated baseline seizure hazard per economy.
        border_effort: ``(R, N)`` border-channel effort.
        baseline_border: ``(N,)`` baseline border effort (where ``h = h0``).
        k_seize: Semi-elasticity of the hazard to joint border effort (SecurityParams).
        k_pool_drug: Semi-elasticity to pooled border effort times the anti-drug level.
        rats_drug: ``(N,)`` or ``(R, N)`` anti-drug pooling level of each state (0 = not
            pooling; nobody pools before a RATS anti-drug unit exists). The pooled effort
            is the poolers' summed border effort over ``pool_reference``.
        edge_weight: ``(R, E)`` or ``(E,)`` weights >= 0 on the shares of :data:`EDGES`
            (default 1): an origin's onward flow is split in proportion to
            ``share * weight``, so raising one crossing's weight moves flow onto it from
            the origin's other crossings (a corridor in operation, :func:`corridor_crossings`).
        pool_reference: States the pooled sum is counted per (``SecurityParams``).
    """
    e = np.asarray(border_effort, dtype=float)
    r, n = e.shape
    ne = len(EDGES)
    frac0 = np.array([ed[2] for ed in EDGES])
    w = np.ones((r, ne)) if edge_weight is None else np.broadcast_to(
        np.asarray(edge_weight, dtype=float), (r, ne))
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("edge_weight must be finite and >= 0")
    origin = np.array([NODE_ORDER.index(ed[0]) for ed in EDGES])
    raw = frac0[None, :] * w
    tot = np.zeros((r, len(NODE_ORDER)))
    for k in range(ne):  # fixed-order sums: no BLAS
        tot[:, origin[k]] += raw[:, k]
    # An origin whose weights are all zero keeps the table's split.
    frac = np.where(tot[:, origin] > 0, raw / np.where(tot[:, origin] > 0, tot[:, origin], 1.0),
                    frac0[None, :])
    idx = {c: k for k, c in enumerate(ECONOMIES)}
    lv = np.broadcast_to(np.asarray(rats_drug, dtype=float), (r, n))
    m = (lv > 0).astype(float)
    pooled = (e * m).sum(axis=1) / pool_reference  # a sum, as threat.protection's
    extra_pool = k_pool_drug * lv * pooled[:, None]

    def share(u: int, v: int) -> np.ndarray:
        joint = 0.5 * (e[:, u] + e[:, v]) - 0.5 * (baseline_border[u] + baseline_border[v])
        return -np.expm1(-hazard0[v] * np.exp(k_seize * joint + extra_pool[:, v]))

    inflow = np.zeros((r, n))
    seized = np.zeros((r, n))
    retained = np.zeros((r, n))
    through = np.zeros((r, n))
    dep = np.zeros((r, ne))
    sz = np.zeros((r, ne))
    arr = np.zeros((r, ne))
    sh = np.zeros((r, ne))
    a = idx["AFG"]
    inflow[:, a] = np.asarray(supply, dtype=float).reshape(r)
    s_afg = -np.expm1(-hazard0[a] * np.exp(k_seize * (e[:, a] - baseline_border[a])
                                           + extra_pool[:, a]))
    seized[:, a] = s_afg * inflow[:, a]
    arrivals = {a: inflow[:, a] - seized[:, a]}
    for node in NODE_ORDER:
        u = idx[node]
        got = arrivals.get(u, np.zeros(r))
        retained[:, u] = RETAIN[node] * got
        onward = got - retained[:, u]
        through[:, u] = onward
        for k, (src, dst, _, _, _) in enumerate(EDGES):
            if src != node:
                continue
            v = idx[dst]
            dep[:, k] = frac[:, k] * onward
            sh[:, k] = 0.0 if dst == "ROW" else share(u, v)
            sz[:, k] = sh[:, k] * dep[:, k]
            arr[:, k] = dep[:, k] - sz[:, k]
            if dst != "ROW":
                inflow[:, v] += dep[:, k]
                seized[:, v] += sz[:, k]
                arrivals[v] = arrivals.get(v, np.zeros(r)) + arr[:, k]
    return RouteFlows(dep, sz, arr, sh, inflow, seized, retained, through)


def calibrate_hazards(target_t: np.ndarray, supply_t: float = SUPPLY_BASE_T,
                      s_max: float = S_MAX,
                      anchors: dict[str, float] | None = None,
                      ) -> tuple[np.ndarray, dict[str, str]]:
    """Baseline hazards ``h0`` of the crossings into each route economy.

    Nodes are set upstream first, so each node's inflow is known when its share is set:

    * where UNODC publishes an interception share (``anchors``, default
      :data:`INTERCEPTION_ANCHORS`: Iran 20 %, Pakistan 17 %), the share is that figure;
    * elsewhere ``s = target / inflow`` (the UNODC 2018-2022 mean seizures), clipped to
      ``[0, s_max]``;
    * a node without data gets the median share of the Northern-route transit states
      (TJK, KGZ, UZB, KAZ) set before it.

    Anchoring Iran instead of fitting its seizures is a choice (docs/security.md section 4):
    Iran's seizures, 26 % of the whole modelled supply, would need 64 % of what enters Iran
    to be seized, three times UNODC's figure, and would starve the Balkan route downstream.

    Args:
        target_t: ``(N,)`` mean seizures (tonnes heroin equivalent), NaN = no data.
        supply_t: Baseline supply.
        s_max: Upper bound of a share calibrated on seizures.
        anchors: ``{iso3: share}`` set directly; ``{}`` calibrates every node on seizures.

    Returns:
        ``(N,)`` hazards (0 off the routes) and ``{iso3: note}`` on how each was set.
    """
    anchors = INTERCEPTION_ANCHORS if anchors is None else anchors
    for code, a in anchors.items():
        if code not in NODE_ORDER or not 0 <= a < 1:
            raise ValueError(f"anchor {code}={a}: need a route economy and a share in [0, 1)")
    n = len(ECONOMIES)
    idx = {c: k for k, c in enumerate(ECONOMIES)}
    h0 = np.zeros(n)
    notes: dict[str, str] = {}
    zeros = np.zeros((1, n))
    shares: dict[str, float] = {}
    for node in NODE_ORDER:
        # Flows with the hazards found so far: this node's inflow is already final.
        fl = route_flows(np.array([supply_t]), h0, zeros, np.zeros(n), k_seize=0.0,
                         k_pool_drug=0.0, rats_drug=np.zeros(n))
        v = idx[node]
        t = target_t[v]
        if node in anchors:
            s = float(anchors[node])
            shares[node] = s
            h0[v] = -np.log1p(-s)
            notes[node] = f"anchored: UNODC interception share {s:.2f} (docs/anchors.md)"
            continue
        if np.isnan(t):
            # Imputed in order, so that downstream nodes are calibrated on final inflows.
            north = sorted(shares[c] for c in ("TJK", "KGZ", "UZB", "KAZ") if c in shares)
            s = north[len(north) // 2] if north else 0.0
            h0[v] = -np.log1p(-s)
            notes[node] = ("imputed: median share of the Northern-route transit states "
                           "calibrated upstream (no UNODC data)")
            continue
        s = min(max(float(t) / float(fl.inflow[0, v]), 0.0), s_max)
        shares[node] = s
        h0[v] = -np.log1p(-s)
        clip = " (clipped)" if s == s_max else ""
        notes[node] = f"calibrated: UNODC mean {t:.3g} t / modelled inflow{clip}"
    return h0, notes


def corridor_crossings(hosts: np.ndarray, operating: np.ndarray,
                       codes: tuple[str, ...] = ECONOMIES) -> np.ndarray:
    """Trafficking crossings served by a corridor in operation, ``(R, E)`` bool.

    A crossing ``u -> v`` of :data:`EDGES` is served when one operating project hosts both
    ``u`` and ``v``: its legal cargo crosses that border (the Trans-Afghan railway, hosted by
    Uzbekistan, Afghanistan and Pakistan, serves AFG -> UZB and AFG -> PAK). Exits to the
    Rest of World are never served.

    Args:
        hosts: ``(P, N)`` bool, the economies each freight project crosses.
        operating: ``(R, P)`` bool, projects in operation this year.
        codes: Economy codes of the ``N`` axis.
    """
    h = np.asarray(hosts, dtype=bool)
    op = np.atleast_2d(np.asarray(operating, dtype=bool))
    if h.ndim != 2 or h.shape[1] != len(codes) or op.shape[1] != h.shape[0]:
        raise ValueError(f"hosts must be (P, {len(codes)}) and operating (R, P); "
                         f"got {h.shape} and {op.shape}")
    idx = {c: k for k, c in enumerate(codes)}
    out = np.zeros((op.shape[0], len(EDGES)), dtype=bool)
    for k, (a, b, _, _, _) in enumerate(EDGES):
        if b == "ROW":
            continue
        both = h[:, idx[a]] & h[:, idx[b]]
        out[:, k] = (op & both[None, :]).any(axis=1)
    return out
