"""The damage of a terrorist incident, as a share of the target state's GDP.

The votes' security term (``weights.security``, docs/security.md section 6) values the
expected incidents a proposal avoids at the damage they would do, in levels: a state that
faces no incidents gains nothing from fewer of them (Sandler and Arce 2003: the benefit of
counter-terrorism is the damage it avoids, which scales with the targets at risk).

Damage of one incident in state ``i`` = deaths per incident ``x`` value of a statistical life:

* deaths per incident: the state's GTI fatalities over its GTI incidents, 2018-2022
  (``tables/harm.csv``, built from the GTI 2023 file, :mod:`scosim.security.build`); where a
  state had fewer than ``MIN_INCIDENTS`` (10) incidents in those years, too few for a rate
  (Tajikistan's 5 incidents killed 66, Uzbekistan's 2 nobody), the rate of all the listed
  economies together (1.50 deaths an incident), so incidents the model sends there
  (Afghan spillover) are not free. The threshold is a modelling choice.
* value of a statistical life (VSL): ``VSL_INCOME_RATIO`` (160) times GDP per head.
  Robinson, Hammitt and O'Keeffe (2019, *Journal of Benefit-Cost Analysis* 10(S1),
  "Valuing Mortality Risk Reductions in Global Benefit-Cost Analysis") extrapolate VSL to
  other countries from the United States' ratio of VSL to income, about 160, and bound
  it below at 20 times income; applying 160 to every country is income elasticity 1, one
  of their cases. **An assumption**, to be varied over 20-160 (the range's low end makes
  every figure 8 times smaller).

So the damage of an incident, share of GDP, is ``deaths x 160 x GDP / population / GDP =
160 x deaths / population``. Injuries, hostages, property and indirect losses (tourism,
investment) are left out, so this is a lower bound of the damage; ``weights.security``
above 1 values them (the GTI's "economic impact of terrorism" adds such indirect costs).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scosim.data.constants import ECONOMIES
from scosim.security.table_read import TABLES_DIR, iso_index, number, table_rows

__all__ = ["MIN_INCIDENTS", "VSL_INCOME_RATIO", "VSL_INCOME_RANGE", "damage_avoided_share_gdp",
           "deaths_per_incident", "incident_damage_share_gdp", "vote_security_term"]

#: VSL over GDP per head (Robinson, Hammitt and O'Keeffe 2019: the US ratio, about 160).
VSL_INCOME_RATIO: float = 160.0
#: Range to vary it over (their lower bound, 20 times income, to the US ratio).
VSL_INCOME_RANGE: tuple[float, float] = (20.0, 160.0)
#: Fewest incidents in 2018-2022 for a state's own deaths-per-incident rate.
MIN_INCIDENTS: float = 10.0


_CACHE: dict[Path, np.ndarray] = {}


def deaths_per_incident(tables_dir: Path | None = None) -> np.ndarray:
    """Deaths per incident ``(N,)`` in ECONOMIES order, GTI 2018-2022 (module docstring).

    A state with fewer than :data:`MIN_INCIDENTS` incidents in 2018-2022 (or not in the
    GTI) takes the rate of all the listed economies together.

    Raises:
        SecurityTableError: ``harm.csv`` is missing a column or holds a bad value (the
            message names the file, line and field).
    """
    path = Path(tables_dir or TABLES_DIR) / "harm.csv"
    if path in _CACHE:
        return _CACHE[path].copy()
    inc = np.zeros(len(ECONOMIES))
    dead = np.zeros(len(ECONOMIES))
    for line, row in table_rows(path, ["iso3", "incidents_2018_2022",
                                       "fatalities_2018_2022"]):
        i = iso_index(path, line, row)
        inc[i] = number(path, line, row, "incidents_2018_2022")
        dead[i] = number(path, line, row, "fatalities_2018_2022")
    pooled = dead.sum() / inc.sum() if inc.sum() > 0 else 0.0
    out = np.divide(dead, inc, out=np.full(inc.shape, pooled), where=inc >= MIN_INCIDENTS)
    _CACHE[path] = out
    return out.copy()


def incident_damage_share_gdp(population: np.ndarray, ratio: float = VSL_INCOME_RATIO,
                              tables_dir: Path | None = None) -> np.ndarray:
    """Damage of one incident ``(N,)``, share of the state's GDP: ``ratio x deaths / pop``.

    Args:
        population: ``(N,)`` population (the model's base year); 0 gives 0.
        ratio: VSL over GDP per head (default :data:`VSL_INCOME_RATIO`).
        tables_dir: Folder of ``harm.csv`` (default the shipped tables).
    """
    pop = np.asarray(population, dtype=float)
    d = deaths_per_incident(tables_dir)
    return np.divide(ratio * d, pop, out=np.zeros_like(pop), where=pop > 0)


def damage_avoided_share_gdp(incidents_avoided: np.ndarray,
                             damage_share_gdp: np.ndarray) -> np.ndarray:
    """Expected damage avoided a year ``(R, N)``, share of GDP (negative where incidents rise).

    Linear in the incidents avoided: twice the incidents avoided, twice the value (a test).
    """
    return np.asarray(incidents_avoided, dtype=float) * np.asarray(damage_share_gdp,
                                                                   dtype=float)


def vote_security_term(incidents_avoided: np.ndarray, population: np.ndarray,
                       gdp_over_expenditure: np.ndarray | float) -> np.ndarray:
    """The votes' ``security`` term ``(R, N)``: damage avoided, fraction of real expenditure.

    The expected incidents avoided a year times the damage of one incident (share of
    GDP), times GDP over expenditure: the unit of the ``econ`` term (the run's welfare, a
    change of real expenditure), so ``weights.security`` 1 takes the damage at face value
    against the econ term's income.

    Args:
        incidents_avoided: ``(R, N)`` expected incidents avoided a year.
        population: ``(N,)`` population.
        gdp_over_expenditure: ``(R, N)`` (or scalar) each state's GDP over its expenditure.
    """
    dmg = damage_avoided_share_gdp(incidents_avoided, incident_damage_share_gdp(population))
    return dmg * np.asarray(gdp_over_expenditure, dtype=float)
