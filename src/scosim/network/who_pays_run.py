"""A run's ``network_who_pays.png``: what each economy pays and the part of it at risk.

Since each run draws its corridors' failures (2026-12-07), ``corridor_paid_usd`` and
``corridor_risk_usd`` in a year are what the run knows then: paid and lost where a
corridor has failed, expected given that it stands elsewhere. The bars are their means
over runs, so the figure says "as known in" the year, not "expected" (the Council's
expected values are ``corridor_paid_expected_usd``, which the means average to).

``corridor_risk_usd`` is, for a host, the part of its payments (``corridor_paid_usd``) that a
failure would lose: it is inside the payments, not added to them. Drawn beside the payments
bar, as until 2026-12-06, it read as a second cost. Here each economy has one bar:

* a host's payments, with the part at risk hatched inside them from zero;
* another economy's payments (the lender's owners pay its interest subsidy), with its
  share of the bank's expected loss stacked after them, cross-hatched: that loss is not a
  payment, so for an owner the two add up. So is a host's risk beyond its payments (a host
  that pays nothing but owns the lender).

A host that also owns a bank lending on project finance (``bank_project``) bears its share
of the bank's loss as well; the run records one risk per economy, so that share is drawn
with the host's own stake (said under the figure when a corridor is so financed).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from scosim.data.constants import ECONOMIES, NAMES  # noqa: E402
from scosim.runstats import RunStats  # noqa: E402

#: Colours: payments, and the risk's hatching (red, the colour of loss in the figures).
PAID_COLOUR, RISK_COLOUR = "#1f77b4", "#d62728"
#: Hatching of a host's risk (inside its payments) and of an owner's (after them).
HOST_HATCH, OWNER_HATCH = "///", "xx"


def split_risk(paid: np.ndarray, risk: np.ndarray, host: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Each economy's risk as the part inside its payments and the part beyond them.

    A host's risk is inside its payments up to their amount; what exceeds them (a host
    paying nothing, such as Uzbekistan on the Trans-Afghan railway, that owns the lender)
    and every other economy's risk (a bank owner's share of its loss) come on top.

    Args:
        paid: (N,) payments.
        risk: (N,) expected loss.
        host: (N,) bool, hosts of an adopted corridor.

    Returns:
        ``(inside, beyond)``, (N,) each; they sum to ``risk``.
    """
    inside = np.where(host, np.minimum(risk, np.maximum(paid, 0.0)), 0.0)
    return inside, risk - inside


def plot_who_pays_run(st: RunStats, path: Path, title: str, names: str,
                      hosts: Collection[str], project_finance: bool = False,
                      top: int = 8, rules: str = "", failed_runs: int | None = None,
                      lender: str | None = None) -> Path:
    """Payments and losses per economy for the adopted corridors, as known (bars: means).

    Args:
        st: The run's statistics of ``corridor_paid_usd`` and ``corridor_risk_usd``.
        path: PNG file to write.
        title: Figure title (scenario and seed).
        names: The adopted corridors' names, for the title.
        hosts: Economy codes hosting an adopted corridor: their risk is drawn inside their
            payments, the others' after them.
        project_finance: Whether a corridor is on a non-recourse bank loan (adds the note
            on hosts that own the bank).
        top: Number of economies shown (largest payments plus risk beyond them).
        rules: Which rule set each corridor's cost shares (the title's last line).
        failed_runs: In how many runs the corridor has failed by the last year (said in
            the title; None: not said, as with several corridors).
        lender: Who lends to the bank-financed corridors, named in the owners' key
            (:func:`scosim.network.answer_notes.lender_name`); None: "a lending bank".

    Returns:
        ``path``.
    """
    from scosim.network.runplots import _mean_of, final_bands

    year, paid = final_bands(st, "corridor_paid_usd")
    _, risk = final_bands(st, "corridor_risk_usd")
    paid, risk = paid / 1e9, risk / 1e9  # (3, N): 5th percentile, mean, 95th percentile
    host = np.array([c in hosts for c in ECONOMIES])
    mean_p, mean_r = paid[1], risk[1]
    inside, beyond = split_risk(mean_p, mean_r, host)
    length = mean_p + beyond
    show = [j for j in np.argsort(-length, kind="stable")[:top] if length[j] > 0]
    fig, ax = plt.subplots(figsize=(9, 0.5 * max(len(show), 2) + 2.8))
    y = np.arange(len(show))
    ax.barh(y, mean_p[show], height=0.6, color=PAID_COLOUR, alpha=0.85)
    # Only parts with a length: an empty one's outline drew a red tick at the bar's end.
    has = inside[show] > 0
    ax.barh(y[has], inside[show][has], height=0.6, color="none", edgecolor=RISK_COLOUR,
            hatch=HOST_HATCH, lw=1.2)
    has = beyond[show] > 0
    ax.barh(y[has], beyond[show][has], left=mean_p[show][has], height=0.6, color="none",
            edgecolor=RISK_COLOUR, hatch=OWNER_HATCH, lw=1.2)
    if st.runs > 1:  # from the 5th to the 95th percentile of each part, wherever its mean is
        # A host's risk bar runs from 0 (its beyond part ends at its risk); another's from
        # its payments.
        start = np.where(host, 0.0, mean_p)
        for vals, base, dy in ((paid, np.zeros_like(start), -0.12), (risk, start, 0.12)):
            lo, hi = vals[0][show] + base[show], vals[2][show] + base[show]
            ax.errorbar((lo + hi) / 2, y + dy, xerr=(hi - lo) / 2, fmt="none",
                        ecolor="black", capsize=3, lw=1.0)
    if not show:
        ax.text(0.5, 0.5, "no corridor adopted", ha="center", transform=ax.transAxes)
    ax.set_yticks(y, [NAMES.get(ECONOMIES[j], ECONOMIES[j])
                      + ("" if host[j] else "\n(not a host)") for j in show])
    ax.invert_yaxis()
    note = ("\n(a host that also owns the project-finance lender: its share of the "
            "bank's loss is in its hatched part)" if project_finance else "")
    ax.set_xlabel(f"US$ bn, present value at the members' cost of funds (7 percent by default),\n"
                  f"as known in {year}: paid and lost where a corridor has failed, expected "
                  f"where it stands\n(bars: {_mean_of(st.runs)}, as in summary.txt; "
                  f"whiskers: 5th-95th percentile over runs of each part){note}")
    ax.grid(axis="x", alpha=0.3)
    handles = [
        Patch(color=PAID_COLOUR, alpha=0.85, label=f"payments (present value, as known "
                                                   f"in {year})"),
        Patch(facecolor="none", edgecolor=RISK_COLOUR, hatch=HOST_HATCH,
              label="host: the part of its payments lost (failed)\nor at risk (standing) "
                    "(inside the payments, not added to them)"),
    ]
    if (beyond[show] > 0).any():
        handles.append(Patch(facecolor="none", edgecolor=RISK_COLOUR, hatch=OWNER_HATCH,
                             label=_lender_key(lender)))
    ax.legend(handles=handles, fontsize=8, loc="lower right")
    fate = ("" if failed_runs is None else
            f"; failed by {year} in {failed_runs} of {st.runs} runs")
    ax.set_title(f"{title}: who pays for\n{names} (adopted by {year}{fate})"
                 + (f"\ncost shares, {rules}" if rules else ""), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _lender_key(lender: str | None) -> str:
    """The owners' key, naming the lender, on lines of about 64 characters."""
    import textwrap

    text = (f"an owner of {lender or 'a lending bank'}: its share of the lender's loss "
            "(failed) or expected loss (standing), after its payments (they add up)")
    return "\n".join(textwrap.wrap(text, 64, break_on_hyphens=False))
