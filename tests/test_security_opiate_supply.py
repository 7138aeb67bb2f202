"""Afghan opiate supply: UNODC's post-ban figures, the shipped scenarios' assumption, the
year path ``parameters.security.opiate_supply`` and what the route model does with it
(docs/security.md sections 4, 11 and 12)."""

from __future__ import annotations

import pytest

#: UNODC, Afghanistan Opium Survey: opium production (t) in 2022 and after the April 2022
#: ban (surveys 2023 and 2025, press release of 27 November 2024 for 2024).
UNODC_T = {2022: 6200.0, 2023: 333.0, 2024: 433.0, 2025: 296.0}


def test_supply_index_after_the_ban_is_unodc_production_over_2022() -> None:
    from scosim.security.routes import POST_BAN_SUPPLY_INDEX, SUPPLY_INDEX

    for y in (2018, 2019, 2020, 2021, 2022):
        assert SUPPLY_INDEX[y] == 1.0
    for y in (2023, 2024, 2025):
        assert SUPPLY_INDEX[y] == pytest.approx(UNODC_T[y] / UNODC_T[2022], rel=1e-12), y
    mean = sum(UNODC_T[y] for y in (2023, 2024, 2025)) / 3 / UNODC_T[2022]
    assert POST_BAN_SUPPLY_INDEX == pytest.approx(mean, rel=1e-12)
    assert 0.05 < POST_BAN_SUPPLY_INDEX < 0.06
