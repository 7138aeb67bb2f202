"""Parameters of the security block, with their defaults and where each comes from.

Figures quoted from elsewhere carry their source (ANCHORS.md "Security", seed 000);
everything else is a modelling choice, marked ``assumption`` in docs/security.md, to be
varied in sensitivity runs rather than trusted. Those it gives a range (``pool_rho``,
``enforcement_weight``, ``haven_share``, ``haven_slope``, ``haven_blowback``,
``transnational_share``, ``beta`` and a scale on ``k_pool``) are also settings of a
scenario, ``parameters.mechanism_settings.security``
(:class:`scosim.security.spec.SecuritySettings`, applied by
:mod:`scosim.security.settings_system`), with these defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scosim.data.constants import MEMBERS, OBSERVERS, OTHERS, PARTNERS

__all__ = ["CHANNELS", "HAVEN_BLOWBACK", "HAVEN_SLOPE", "SecurityParams",
           "baseline_effort_levels"]

#: Default slope ``k`` of the havens' logistic in the capacity gap, per unit of capacity
#: (Rule of Law over 100), an assumption: about one over the score's cross-country standard
#: deviation, 0.13 (:mod:`scosim.security.haven`, step 2). Here, not in ``haven``, so that
#: ``scosim validate`` reads it without numpy.
HAVEN_SLOPE: float = 7.5
#: Default share of what crosses into a haven aimed back at the state it came from, an
#: assumption (:mod:`scosim.security.haven`, step 3).
HAVEN_BLOWBACK: float = 0.5

#: Cooperation channels, in array order on the last axis of effort arrays.
#: intel: intelligence sharing through RATS; border: joint exercises and border
#: operations (incl. anti-drug operations such as "Web"); cyber: information security.
CHANNELS: tuple[str, ...] = ("intel", "border", "cyber")
#: States the RATS pool is counted per by default: today's members (``SecurityParams``).
POOL_REFERENCE: float = float(len(MEMBERS))


def baseline_effort_levels() -> dict[str, float]:
    """Baseline effort by status (assumption: members cooperate at 0.5, others less)."""
    out = {c: 0.5 for c in MEMBERS}
    out.update({c: 0.2 for c in OBSERVERS + PARTNERS})
    out.update({c: 0.1 for c in OTHERS})
    return out


@dataclass(frozen=True)
class SecurityParams:
    """Every tunable number of the security block.

    Attributes:
        a_cap: Weight of national capacity ``ln(1 + milex_share / 0.01)`` in protection ``z``.
        k_channel: Own-effort return per channel (``z`` units at full effort).
        spill: Weight of neighbours' and partners' efforts relative to one's own.
        k_pool: Return on RATS-pooled effort per channel, scaled by the RATS level.
        pool_reference: Number of states the pooled effort is counted per: the pool (the
            poolers' CES aggregate, ``pool_rho``) over this number, so with today's ten
            members pooling at equal effort it is that effort (what ``k_pool`` was set
            against); under summation (``pool_rho = 1``) a state that joins adds to it
            however small its effort (docs/security.md section 3).
        pool_rho: CES exponent of the RATS pool over the poolers' effective enforcement
            (effort times enforcement capacity; :mod:`scosim.security.weakest_link`):
            1 is pure summation (every contribution adds, the model before the weakest
            link), ``-inf`` the pure weakest link (the least-enforcing pooler sets the
            pool). Default -1 (the harmonic mean, elasticity of substitution 1/2): a
            "weaker-link" technology in Sandler's taxonomy (Sandler 1997; Arce and Sandler
            2001), where the weakest contributor matters most: contributions are imperfect
            substitutes (summation's are perfect, the weakest link's not at all), and the
            others count only while every pooler contributes something (at ``rho <= 0`` one
            pooler at zero effort empties the pool). Capacity is scaled so that today's
            members at today's efforts pool the calibrated level at every value.
            **An assumption** (no estimate exists); docs/security.md section 3 varies it
            over 1, 0, -1, -4 and -inf.
        pool_size_exponent: How the pool grows with the number of poolers ``n``: the pool
            is ``pool_reference * (n / pool_reference) ** pool_size_exponent * M_rho``.
            1 (default): ``n * M_rho``, so a joiner at the others' level adds to it at every
            ``rho``; 0: the pool is the CES mean alone, so at ``rho = -inf`` it is the
            smallest contribution whatever ``n`` (Hirshleifer's weakest link, ``min x``).
            **An assumption** (docs/security.md section 3 prints Afghanistan's accession at
            0 and 1); with today's ten members the pool is the same at every value.
        enforcement_weight: Exponent on relative enforcement capacity in a pooler's
            contribution, ``effort * s * kappa ** weight`` (``kappa`` the Heritage 2019
            Rule of Law score over 100, a proxy; ``s`` the scale that keeps today's pool at
            its calibrated level, :func:`scosim.security.weakest_link.relative_capacity`).
            1 (default): a pooler's
            effort counts in proportion to its capacity; 0: capacity is ignored. With
            ``pool_rho = 1`` and weight 0 the pool is the summation of before.
        haven_share: Share of the transnational incidents a state's enforcement above
            its 2018-2022 level stops that is displaced, not removed, across a border with a
            neighbour far less able to police its territory: the groups move there (the safe
            haven) and from there threaten it, its neighbours and the state they left
            (:mod:`scosim.security.haven`; sanctuary in weak neighbouring states: Salehyan
            2007, Bapat 2007, Piazza 2008). Each border takes its length share times a
            logistic in the capacity gap (``haven_slope``), so less moves where the
            neighbours police as well or better. 0 turns the channel off. Default 0.25,
            **an assumption**:
            below the 0.5 of ``displacement`` for hardening, since enforcement arrests and
            disrupts groups (RATS reports 2,600 members apprehended in 2013-2019, seed 000)
            where hardening only deflects attacks; varied over 0-0.5 in docs/security.md.
            0 is as plausible as a positive share: Guerette and Bowers (2009,
            *Criminology* 47(4)) find displacement in 26 % of 574 observations of crime
            prevention and a diffusion of benefits (a negative share, not modelled) in 27 %.
        haven_slope: Slope ``k`` of the logistic ``1 / (1 + exp(-k (c_i - c_h)))`` in the
            gap between the state's and the neighbour's enforcement capacity (Heritage 2019
            Rule of Law over 100) that scales each border's share of the displaced groups
            (:func:`scosim.security.haven.haven_targets`): 0 is border length alone (half of
            each border's share), large values only the less capable neighbours. Default
            7.5, **an assumption** (about one over the score's cross-country standard
            deviation, 0.13); docs/security.md section 4 varies it over 0, 7.5, 30 and the
            limit. Replaced ``haven_gamma`` and ``haven_floor`` on 2026-12-06.
        haven_blowback: Share of what crosses into a haven aimed back at the state the
            groups left (Salehyan 2007: the neighbour is a base against the home government;
            Lee 1988, "paid riding": hosts are spared). Default 0.5, **an assumption**;
            docs/security.md section 4 varies it over 0, 0.5 and 1.
        rats_baseline: RATS pooling level per channel today: intelligence pooled (1);
            no anti-drug unit (0) and no information-security centre (0) (seed 000).
        beta: Semi-elasticity of incidents to the security index (incidents fall by
            ``exp(-beta dS)``).
        beta_defence: Semi-elasticity of an economy's incidents (all attacks on it) to
            its unilateral defensive hardening (log change of defensive spending).
        displacement: Share of the attacks deflected by unilateral hardening that move to
            neighbours (geographic transference in the models of Sandler and Siqueira 2006
            and Bandyopadhyay and Sandler 2011; that hardening displaces attacks rather than
            removing them is Enders and Sandler 1993, *APSR* 87(4), across attack modes).
            **An assumption**: no study measures the share.
        afghan_spill: Share of Afghanistan's extra incidents (above baseline instability)
            that spill into its neighbours. Default: the least-squares estimate from GTI
            2012-2022 with a linear trend, 0.066 (standard error 0.17, so the data cannot
            tell it from zero; :func:`scosim.security.validation.afghan_spill_estimate`).
        transnational_share: Share of a state's 2018-2022 incidents that is transnational,
            the only part RATS pooling acts on (the Afghan spillover above baseline is all
            transnational). Enders, Sandler and Gaibulloev (2011, *Journal of Peace
            Research* 48(3)) split the Global Terrorism Database into domestic and
            transnational incidents and find domestic ones far more numerous; the raw data
            here (GTI totals) have no split, so 0.15 is **an assumption** applied to every
            state, to be varied over 0.05-0.30 (docs/security.md section 6). Own and
            neighbours' efforts act on all incidents. Before 2026-12-06 pooling acted on
            every incident, India's Naxalite and north-east insurgencies included (1.0).
        unit_cost: Cost of full effort per channel, share of GDP a year.
        k_seize: Semi-elasticity of a crossing's seizure hazard to joint border effort
            above baseline.
        k_pool_drug: Semi-elasticity of the hazard to pooled border effort of RATS
            participants, times the anti-drug unit's level (0 today).
        supply_noise: Lognormal sd of the yearly Afghan opiate supply around its series.
        corridor_route_uplift: Relative rise of the weight of a trafficking crossing served
            by a freight corridor in operation (``routes.corridor_crossings``): the crossing's
            share of its origin's onward flow is ``share * (1 + uplift)``, renormalised over
            the origin's crossings. A modelling choice (0.5); the direction follows UNODC's
            "Misuse of Licit Trade for Opiate Trafficking in Western and Central Asia"
            (2012): traffickers hide opiates in the legal cargo that new links carry.
        cost_markup: Edge-cost mark-up at full insecurity (``1 + markup * rise``), for the
            block's ``cost_multiplier`` indicator: the network's ``insecurity_cost_factor``
            (``network/tables/params.csv``, 1), so both speak of one scale (a test pins it;
            in a model run the mechanism reports the network's factor itself).
        incidents_half: Incidents a year at which insecurity is one half.
        insecurity_weight: Weight of the latest year's observed incidents in perceived
            insecurity (exponential smoothing; 1 = last year only).
        trust_up, trust_down: Trust gained per year from joint effort, lost per unit of a
            partner's shortfall against one's own effort.
        sovereignty_cap: Cap on information-security sharing per state (seed 000, Zou:
            cyber powers CHN, RUS, IND lead; smaller members fear for cyber sovereignty).
        baseline_effort: Baseline effort by economy (all channels).
    """

    a_cap: float = 0.5
    k_channel: tuple[float, float, float] = (0.3, 0.3, 0.15)
    spill: float = 0.5
    k_pool: tuple[float, float, float] = (0.6, 0.4, 0.3)
    pool_reference: float = POOL_REFERENCE
    pool_size_exponent: float = 1.0
    pool_rho: float = -1.0
    enforcement_weight: float = 1.0
    haven_share: float = 0.25
    haven_slope: float = HAVEN_SLOPE
    haven_blowback: float = HAVEN_BLOWBACK
    rats_baseline: tuple[float, float, float] = (1.0, 0.0, 0.0)
    beta: float = 2.0
    beta_defence: float = 1.0
    displacement: float = 0.5
    afghan_spill: float = 0.066
    transnational_share: float = 0.15
    unit_cost: tuple[float, float, float] = (2e-4, 5e-4, 2e-4)
    k_seize: float = 1.5
    k_pool_drug: float = 0.5
    supply_noise: float = 0.15
    corridor_route_uplift: float = 0.5
    cost_markup: float = 1.0
    incidents_half: float = 250.0
    insecurity_weight: float = 0.5
    trust_up: float = 0.02
    trust_down: float = 0.05
    sovereignty_cap: dict[str, float] = field(
        default_factory=lambda: {**{c: 0.5 for c in MEMBERS}, "CHN": 1.0, "RUS": 1.0, "IND": 1.0}
    )
    baseline_effort: dict[str, float] = field(default_factory=baseline_effort_levels)

    def __post_init__(self) -> None:
        for name in ("k_channel", "k_pool", "rats_baseline", "unit_cost"):
            v = getattr(self, name)
            if len(v) != len(CHANNELS) or min(v) < 0:
                raise ValueError(f"{name} must hold {len(CHANNELS)} non-negative numbers, got {v}")
        for name in ("a_cap", "spill", "beta", "beta_defence", "k_seize", "k_pool_drug",
                     "supply_noise", "corridor_route_uplift", "cost_markup", "trust_up",
                     "trust_down", "enforcement_weight", "pool_size_exponent", "haven_slope"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not (self.pool_rho <= 1.0):
            raise ValueError(f"pool_rho must be <= 1 (1 = summation, -inf = weakest link), "
                             f"got {self.pool_rho}")
        for name in ("displacement", "haven_share", "afghan_spill", "insecurity_weight",
                     "transnational_share", "haven_blowback"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if self.incidents_half <= 0:
            raise ValueError("incidents_half must be > 0")
        if not self.pool_reference > 0:
            raise ValueError(f"pool_reference must be > 0, got {self.pool_reference}")
        for d in ("sovereignty_cap", "baseline_effort"):
            for code, v in getattr(self, d).items():
                if not 0 <= v <= 1:
                    raise ValueError(f"{d}[{code}] = {v} must be in [0, 1]")
