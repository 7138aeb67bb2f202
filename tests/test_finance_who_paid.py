"""Who pays for a failure or a resolution: every party is recorded and counted.

Until 2026-12-05 the non-deposit creditors of a system that failed, and the banks it left
unpaid, were in no indicator: "who paid" showed a union's bailed-in creditors against
creditors at zero without a union, although they lost more in default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from _finance_checks import assert_losses_in_legal_order  # tests/ is on sys.path
from scosim.data.constants import MEMBERS
from scosim.finance.mechanism import FINANCE_INDICATORS, BankingSystems
from scosim.finance.run_summary import PAYERS, RUN_INDICATORS, BankingStream, summarise
from scosim.finance.shocks import sanctions_matrix
from scosim.finance.system import FinanceState, FinanceSystem, Levers
from test_finance_chain import CALM, _data  # tests/ is on sys.path (rootdir)

# The crisis shocks here were sized for the calibration before 2026-12-06
# (npl_sensitivity 0.89, own shock 0.01), kept: at the defaults' own shock of 0.16 a year
# which regime each run is in (failing, caught, deposits reached) is a draw
# (docs/finance.md section 6). The accounting checked does not depend on the calibration.
FS = FinanceSystem().with_params(npl_sensitivity=0.89, idio_sd=0.01)
N = FS.N
RUS = FS.codes.index("RUS")


def _crisis_step(fs: FinanceSystem, R: int = 24, shock: float = -0.5,
                 levers: Levers | None = None) -> dict[str, np.ndarray]:
    g = np.zeros((R, N))
    g[:, RUS] = shock
    S = sanctions_matrix([("RUS", "ROW", 1.0)], fs.codes, R)
    _, ind = fs.step(fs.initial_state(R), g, S, levers if levers is not None else fs.levers(R),
                     [np.random.default_rng(r) for r in range(R)])
    return ind


@pytest.mark.parametrize("seniority", ["pari_passu", "external_senior"])
def test_creditors_of_a_failed_system_lose_before_its_depositors(seniority):
    """What a defaulter pays its outside creditors goes down art. 108's ranking: the
    non-deposit creditors lose first, up to all they are owed, then the uninsured
    depositors, then the insured; nothing where the system does not fail. In Russia's
    crisis the ordinary debt (US$404 bn) takes the whole loss, and the deposits none.
    Until 2026-12-06 the three lost the same share."""
    fs = FS.with_params(seniority=seniority)
    ind = _crisis_step(fs)
    failed = ind["failures"] > 0
    assert failed[:, RUS].mean() > 0.5
    d = fs.data
    total = assert_losses_in_legal_order(ind, d)
    assert not total[~failed].any()
    if seniority == "pari_passu":  # external_senior pays outside creditors first
        assert (ind["creditor_losses"][failed[:, RUS], RUS] > 1e9).all()
        assert not ind["depositor_losses"][:, RUS].any()
        assert not ind["insured_payout"][:, RUS].any()


@pytest.mark.parametrize(("kernel", "seniority"), [("clearing", "pari_passu"),
                                                   ("clearing", "external_senior"),
                                                   ("debtrank", "pari_passu")])
def test_what_defaulters_leave_unpaid_is_what_creditor_banks_lose(kernel, seniority):
    """The debtor's side of the interbank losses: summed over economies it equals the
    creditors' side, loss_contagion (clearing; here no creditor bank of Russia defaults
    in turn, which would keep part of it at that creditor, tests/test_finance_chain.py);
    DebtRank has no payment vector, so there it is the interbank creditors' pro rata
    share of the shortfall."""
    fs = FS.with_params(kernel=kernel, seniority=seniority)
    ind = _crisis_step(fs)
    unpaid = ind["interbank_unpaid"]
    failed = ind["failures"] > 0
    assert (unpaid[failed[:, RUS], RUS] > 0).all()
    assert not unpaid[~failed].any()
    if kernel == "clearing":
        np.testing.assert_allclose(unpaid.sum(axis=1), ind["loss_contagion"].sum(axis=1),
                                   rtol=1e-9, atol=1.0)
    else:
        d = fs.data
        outside = ind["insured_payout"] + ind["depositor_losses"] + ind["creditor_losses"]
        lost = outside / d.external_liabilities
        np.testing.assert_allclose(unpaid, lost * d.interbank_liabilities, rtol=1e-9,
                                   atol=1e-3)


def test_a_resolution_spares_the_creditors_what_a_bail_in_does_not_take():
    """Resolved before contagion, Russia's system does not default: its creditors lose
    only the bail-in, less than they lose in default without a union (the same year,
    draws and state; FSB Key Attributes 5.2). The cap binds: the bail-in is what they
    would lose with the estate laid down art. 108's ranking, the hole h shared by the
    ordinary debt O and the interbank debt l pari passu, h O / (O + l); in the model's
    default they lose the outside creditors' pro rata part of it, h b / (b + l), the
    deposits being paid first. Until the failure path was ranked (2026-12-06) the two
    were the same, the pro rata share of the ordinary debt."""
    R = 24
    part = np.broadcast_to(np.isin(FS.codes, MEMBERS), (R, N))
    union = Levers.union(part, FS.data.settlement, ("resolution", "information"))
    none = _crisis_step(FS, R)
    res = _crisis_step(FS, R, levers=union)
    assert (res["resolutions"][:, RUS] > 0).all() and not res["failures"][:, RUS].any()
    assert not res["creditor_losses"][:, RUS].any()
    assert not res["interbank_unpaid"][:, RUS].any()
    lost = none["creditor_losses"][:, RUS]
    assert (lost > 0).all() and not none["depositor_losses"][:, RUS].any()
    d = FS.data
    b, dep, ib = (d.external_liabilities[RUS], d.deposits[RUS],
                  d.interbank_liabilities[RUS])
    ordinary = b - dep
    np.testing.assert_allclose(res["bail_in"][:, RUS],
                               lost * (ordinary / (ordinary + ib)) / (b / (b + ib)),
                               rtol=1e-9)
    assert (res["bail_in"][:, RUS] < lost).all()


def test_who_paid_counts_every_party_the_answer_names():
    """The banking figure's payers are recorded by the mechanism and are its headline's
    money: the answer and `scosim compare` show whoever the figure shows."""
    recorded = {core: name for name, (core, _) in FINANCE_INDICATORS.items()}
    names = [recorded[core] for core, _ in PAYERS]
    assert {"creditor_losses_usd", "interbank_unpaid_usd"} <= set(names)
    assert set(names) <= set(RUN_INDICATORS)
    money = [k for k, how in BankingSystems.headline.items() if how == "total"]
    # and, per economy, whose fund compartment paid for whom (zero over the group: no bar)
    assert money == [*names, "fund_net_transfer_usd"]


def test_the_labels_say_who_is_paid_first_in_default():
    """A reader of the who-paid bars and of the answer's units sees the ranking (BRRD
    art. 108): the deposits are paid before the other creditors."""
    label = dict(PAYERS)
    assert "after" in label["creditor_losses"] and "deposits" in label["creditor_losses"]
    assert "before creditors" in label["depositor_losses"]
    for name in ("creditor_losses_usd", "depositor_losses_usd", "insured_payout_usd"):
        assert "art. 108" in FINANCE_INDICATORS[name][1], name


def test_who_paid_summary_of_a_crisis_without_a_union_shows_the_creditors():
    """Without a union the creditors' bar is their loss in default, not zero."""
    from scosim.finance.ensemble import simulate

    years = [2025, 2026, 2027]
    res = simulate(FS, years, 16, seed=3, sanctions={2026: [("RUS", "ROW", 1.0)]},
                   gdp_shocks={2026: {"RUS": -0.5}})
    sm = summarise(res, [FS.codes.index(c) for c in MEMBERS])
    paid = dict(zip([name for name, _ in PAYERS], sm.payer_mean, strict=True))
    assert paid["bail_in"] == 0 and paid["creditor_losses"] > 1.0  # US$ bn
    assert paid["interbank_unpaid"] > 0


def test_a_run_recorded_before_the_creditors_were_draws_them_as_not_recorded():
    """An older run lacks the two indicators: its who-paid summary says NaN, not 0, and
    the other payers are still summarised."""
    rows = []
    for run in range(3):
        for year in (2026, 2027):
            for c in ("RUS", "KAZ"):
                rows.append((run, year, c, "member", 1.0))
                for name in RUN_INDICATORS:
                    rows.append((run, year, c, name, 1e9 * (run + 1)))
    df = pd.DataFrame(rows, columns=["run", "year", "country", "indicator", "value"])
    old = df[~df["indicator"].isin(["creditor_losses_usd", "interbank_unpaid_usd"])]
    stream = BankingStream()
    stream.add(old)
    sm = stream.summary()
    assert sm is not None
    paid = dict(zip([name for name, _ in PAYERS], sm.payer_mean, strict=True))
    assert np.isnan(paid["creditor_losses"]) and np.isnan(paid["interbank_unpaid"])
    assert paid["fiscal_cost"] == pytest.approx(2 * 2 * 2.0)  # 2 economies x 2 years x mean 2


def _chain_with_a_loss(fund: np.ndarray | None = None) -> tuple[FinanceSystem, FinanceState]:
    """A owes B 60, B owes C 45 (tests/test_finance_chain.py); A has lost 70 of its 130
    external assets. ``fund``: the funds' balances (default: the calibrated ones)."""
    L = np.zeros((3, 3))
    L[0, 1], L[1, 2] = 60.0, 45.0
    data = _data(np.array([130.0, 50.0, 100.0]), np.array([60.0, 45.0, 50.0]), L)
    fs = FinanceSystem(data, CALM)
    st = fs.initial_state(1)
    return fs, FinanceState(capital=st.capital - np.array([[70.0, 0.0, 0.0]]), npl=st.npl,
                            fund=st.fund if fund is None else fund,
                            trade_cost_factor=st.trade_cost_factor)


def test_the_treasuries_gross_cost_shows_its_recapitalisation_apart():
    """The chain A owes B 60, B owes C 45 (tests/test_finance_chain.py); A loses 70 of
    its 130 external assets. Without a union both A and B default; no deposit insurance,
    so each treasury would pay its own insured depositors (a loss) and recapitalises its
    failed system to 4.5 % of assets (buys equity). By hand: A pays its outside creditors
    30 of 60, its 30 of deposits first (BRRD art. 108), so its other debt loses all 30 and
    the insured depositors nothing; B pays 40 of 45, its deposits 22.5 in full, its other
    debt loses 5. Recapitalisation 0.045 x 130 = 5.85 for A, 0.045 x 110 = 4.95 for B. So
    the gross cost is 5.85 and 4.95, all of it equity bought. Until 2026-12-06 the insured
    depositors lost the pro rata share, 7.5 and 1.25, and the gross cost was 13.35 and
    6.2."""
    fs, st = _chain_with_a_loss()
    _, ind = fs.step(st, np.zeros((1, 3)), fs.no_sanctions(1), fs.levers(1),
                     np.random.default_rng(0))
    np.testing.assert_allclose(ind["creditor_losses"][0], [30.0, 5.0, 0.0], atol=1e-12)
    assert not ind["insured_payout"].any() and not ind["depositor_losses"].any()
    np.testing.assert_allclose(ind["fiscal_cost"][0], [5.85, 4.95, 0.0], atol=1e-12)
    np.testing.assert_allclose(ind["fiscal_recap"][0], [5.85, 4.95, 0.0], atol=1e-12)
    # The loss part, without a union, is the insured deposits the treasury backs.
    np.testing.assert_allclose(ind["fiscal_cost"] - ind["fiscal_recap"],
                               np.where(ind["failures"] > 0, ind["insured_payout"], 0.0),
                               atol=1e-12)
    assert dict(PAYERS)["fiscal_cost"].startswith("treasuries, gross")


@pytest.mark.parametrize(("fund", "paid_by_fund", "gross", "recap"),
                         [(0.0, 0.0, 50.85, 5.85), (4.0, 4.0, 46.85, 5.85),
                          (10.0, 10.0, 40.85, 5.85), (60.0, 50.85, 0.0, 0.0)])
def test_a_resolution_s_injection_buys_only_the_target_equity(fund, paid_by_fund, gross, recap):
    """The same chain with A under a resolution authority: A's equity -60 is brought to
    the target 0.045 x 130 = 5.85 before contagion. Creditors are bailed in for 15 (half
    its other debt, 30; in liquidation, the deposits paid first and the rest shared with
    B's 60, they would lose 20, and in the model's default all 30), which absorbs 15 of
    the hole of 60; the injection of 65.85 - 15 = 50.85 fills the other 45 (lost) and
    buys 5.85 of equity. A fund that pays for resolution is drawn first and fills the
    hole before the treasury (BRRD art. 44(4)(a)-(b), 57(1)): with 4 in it, the treasury
    puts in 46.85, fills the 41 of the hole left and buys all 5.85. The bail-in, 15, is
    12.5 % of A's total liabilities including own funds, 120 (its equity is gone), so the
    fund may pay (art. 44(5)(a)), 5 % of them, 6 (art. 44(5)(b)), and past that, the
    ordinary debt being written down in full (15 of 30; the rest stands for secured debt),
    from what it still holds (art. 44(7)): with 10 in it, it pays 10, fills 10 of the hole
    and the treasury 40.85 fills the other 35 and buys 5.85; with 60, all 50.85, and the
    treasury nothing (tests/test_finance_fund_limits.py has the cases where the fund buys
    equity). Until 2026-12-06 the fund paid what it held whatever the bail-in; from then
    until art. 44(7) was read (the same day), at most 6, the treasury 44.85 with 60 in the
    fund; earlier that day the treasury's whole injection was recorded as equity bought
    (50.85, 33.9 with 16.95 in the fund); then, until the fund filled the hole first, the
    two shared both parts pro rata."""
    fs, st = _chain_with_a_loss(fund=np.array([[fund, 0.0, 0.0]]))
    no = np.zeros((1, 3), dtype=bool)
    a = np.array([[True, False, False]])
    levers = Levers(no, a if fund else no, a, no, np.zeros((1, 3, 3)), contribution_bp=0.0)
    _, ind = fs.step(st, np.zeros((1, 3)), fs.no_sanctions(1), levers,
                     np.random.default_rng(0))
    assert ind["resolutions"][0, 0] == 1 and not ind["failures"].any()
    np.testing.assert_allclose(ind["bail_in"][0], [15.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(ind["fund_payout"][0], [paid_by_fund, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(ind["fiscal_cost"][0], [gross, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(ind["fiscal_recap"][0], [recap, 0.0, 0.0], atol=1e-12)
    # Equity after resolution is the target: the treasury's and the fund's equity together.
    np.testing.assert_allclose(ind["capital_ratio"][0, 0] * 130.0, 5.85, atol=1e-12)


def test_an_injection_into_a_system_that_then_fails_buys_no_equity():
    """B0 owes B1 60; B1 has external assets 100 and debt 95 (assets 160, capital 65) and
    shares information, no resolution authority. B1 loses 63: its equity 2 is below the
    trigger 0.03 x 160 = 4.8, so its treasury injects 7.2 - 2 = 5.2 before clearing. B0
    (external assets 130, debt 60) loses 70 and pays its creditors half: B1 receives 30
    of its 60 and its equity 7.2 - 30 = -22.8 fails it. B1's outside creditors get
    100 - 63 + 5.2 + 30 = 72.2 of 95: its deposits (47.5) in full, so its insured
    depositors lose nothing (they lost 5.7 pro rata until 2026-12-06, the fiscal cost
    then 18.1), and the other debt loses 22.8; B0's other debt loses its 30. The
    treasury recapitalises B1 to 0.045 x 160 = 7.2. The equity it holds at year end is
    7.2: the injection of 5.2 went with the failure. So its gross cost is 5.2 + 7.2 =
    12.4, of which 7.2 is equity and 5.2 lost. Until 2026-12-06 the injection was also
    counted as equity: then 12.4 of 18.1, more than the system's whole equity."""
    L = np.zeros((2, 2))
    L[0, 1] = 60.0
    data = _data(np.array([130.0, 100.0]), np.array([60.0, 95.0]), L)
    fs = FinanceSystem(data, CALM)
    st = fs.initial_state(1)
    st = FinanceState(capital=st.capital - np.array([[70.0, 63.0]]), npl=st.npl,
                      fund=st.fund, trade_cost_factor=st.trade_cost_factor)
    no = np.zeros((1, 2), dtype=bool)
    levers = Levers(no, no, no, np.array([[False, True]]), np.zeros((1, 2, 2)))
    _, ind = fs.step(st, np.zeros((1, 2)), fs.no_sanctions(1), levers,
                     np.random.default_rng(0))
    np.testing.assert_array_equal(ind["resolutions"][0], [0.0, 1.0])
    np.testing.assert_array_equal(ind["failures"][0], [1.0, 1.0])
    np.testing.assert_allclose(ind["insured_payout"][0], [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(ind["creditor_losses"][0], [30.0, 22.8], atol=1e-12)
    np.testing.assert_allclose(ind["fiscal_cost"][0], [5.85, 12.4], atol=1e-12)
    np.testing.assert_allclose(ind["fiscal_recap"][0], [5.85, 7.2], atol=1e-12)
    np.testing.assert_allclose(ind["capital_ratio"][0] * np.array([130.0, 160.0]),
                               [5.85, 7.2], atol=1e-12)
