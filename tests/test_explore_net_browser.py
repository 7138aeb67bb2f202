"""A corridor run's page in headless Chromium: the who-gains figure marks the net and the scope.

The Trans-Afghan railway at Afghan instability 0.8 (``corridor_trans_afghan_high.yaml``):
the figure as the browser draws it names the net markers in its legend and says, under
its title, that the instability is in the bars with the railway, as ``scosim run``'s PNG
and answer do (tests/test_explore_net.py checks the numbers). Saves a screenshot of the
figure in the test's directory.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

pytest.importorskip("streamlit", reason="the explorer needs the 'explore' extra")
pytest.importorskip("selenium.webdriver", reason="selenium is in the 'test' extra")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from test_explore_browser import (  # noqa: E402  tests/ is on sys.path (rootdir)
    REPO,
    WAIT,
    _choose_scenario,
    _explorer,
    _idle,
    _set_number,
)

HIGH = "scenarios/corridor_trans_afghan_high.yaml"


def test_corridor_page_shows_the_net_and_the_scope(tmp_path: Path) -> None:
    shutil.copytree(REPO / "scenarios", tmp_path / "scenarios")
    with _explorer(tmp_path) as drv:
        _choose_scenario(drv, HIGH)
        _set_number(drv, "corridor_trans_afghan_high--replications", "3")
        _idle(drv)
        wait = WebDriverWait(drv, WAIT)
        wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".st-key-run button"))).click()
        fig = wait.until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, ".st-key-fig-who-gains .js-plotly-plot")))
        wait.until(lambda d: "Who gains, who loses" in fig.text)
        _idle(drv)
        text = " ".join(fig.text.split())
        # The legend's entry for the open markers, and the PNG's words for them.
        assert "welfare change net of corridor payments and risk: median over runs" in text
        assert "open markers: net of what the bars do not count" in text
        assert "its shocks (route instability AFG 0.8)" in text and "proposals together" in text
        # One open marker per economy, drawn (not only declared).
        marks = fig.find_elements(By.CSS_SELECTOR, ".scatterlayer .trace:last-child path.point")
        assert len(marks) == 28
        paths = drv.find_element(By.CSS_SELECTOR, ".st-key-fig-welfare-paths")
        assert "its shocks (route instability AFG 0.8)" in " ".join(paths.text.split())
        drv.execute_script("arguments[0].scrollIntoView()", fig)
        time.sleep(1.0)  # plotly's transition
        shot = tmp_path / "who_gains.png"
        fig.screenshot(str(shot))
        assert shot.stat().st_size > 10_000
