"""The explorer in a real browser: headless Chromium from the distribution, driven by Selenium.

Starts ``scosim explore`` on a free port in a subprocess, picks a scenario,
changes a parameter, runs, and checks the who-gains figure, the provenance
line, the reproduce command (run through the CLI, it gives identical numbers)
and the validation message (identical to ``scosim validate``; for a bad parameter
and for replications 0). Saves the screenshot the README shows. Every wait is
bounded; the server is stopped in ``finally`` whatever happens.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("streamlit", reason="the explorer needs the 'explore' extra")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the 'test' extra")

from selenium.common.exceptions import TimeoutException, WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from scosim.results import read_batches  # noqa: E402

# Selenium must use the installed chromedriver, never look for or fetch another one.
os.environ.setdefault("SE_OFFLINE", "true")

REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "docs" / "img" / "explorer.png"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
WAIT = 180  # seconds, for any one thing to appear: a bound (the whole test takes 35 s idle)
REPLICATIONS = 6


def _chromium_or_skip() -> tuple[str, str]:
    if CHROMIUM and CHROMEDRIVER:
        return CHROMIUM, CHROMEDRIVER
    why = "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(f"{why}; .ci/run installs them, so CI must run this test")
    pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(proc: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"scosim explore exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"scosim explore did not answer within {WAIT} s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server's process group: SIGTERM, then SIGKILL after 10 s."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def _driver(chromium: str, chromedriver: str, profile: Path):
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1500,1900",
    ):
        opts.add_argument(flag)
    drv = webdriver.Chrome(options=opts, service=Service(chromedriver))
    drv.set_page_load_timeout(WAIT)
    return drv


def _set_number(drv, key: str, value: str) -> None:
    box = WebDriverWait(drv, WAIT).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, f".st-key-{key} input"))
    )
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(value, Keys.ENTER)
    WebDriverWait(drv, WAIT).until(
        lambda d: d.find_element(By.CSS_SELECTOR, f".st-key-{key} input").get_attribute("value")
        == value
    )


def _idle(drv) -> None:
    """Wait until Streamlit has finished rerunning the script."""
    time.sleep(0.5)
    WebDriverWait(drv, WAIT).until(
        lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid='stStatusWidget']")
    )


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scosim.cli", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_explorer_in_chromium(tmp_path: Path) -> None:
    chromium, chromedriver = _chromium_or_skip()
    # Work in a copy, with relative paths: the page (and the screenshot) shows
    # scenarios/... and results/, never a path of the machine.
    shutil.copytree(REPO / "scenarios", tmp_path / "scenarios")
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scosim.cli", "explore", "--scenarios", "scenarios",
             "--port", str(port), "--out", "results"],
            cwd=tmp_path, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopped as a whole
        )  # fmt: skip
    drv = None
    try:
        _wait_healthy(proc, port, log)
        drv = _driver(chromium, chromedriver, tmp_path / "chrome-profile")
        drv.get(f"http://127.0.0.1:{port}/")
        wait = WebDriverWait(drv, WAIT)

        # Choose a scenario (the list opens on the first file, baseline.yaml), typed so that
        # the dropdown, which renders only the options in view, shows it.
        box = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".st-key-scenario input")))
        box.click()
        box.send_keys("scenarios/customs_union.yaml")
        wait.until(
            EC.element_to_be_clickable(
                (By.XPATH, "//*[@role='option'][normalize-space(.)='scenarios/customs_union.yaml']")
            )
        ).click()
        wait.until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, ".st-key-customs_union--parameters-trade-sigma input")))
        _idle(drv)
        # Few replications (quick) and one parameter changed: the trade elasticity.
        _set_number(drv, "customs_union--replications", str(REPLICATIONS))
        _idle(drv)
        _set_number(drv, "customs_union--parameters-trade-sigma", "4.5")
        _idle(drv)
        wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".st-key-run button"))).click()

        # The who-gains figure and the provenance line appear.
        wait.until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, ".st-key-fig-who-gains .js-plotly-plot")))
        wait.until(lambda d: "Who gains, who loses" in d.find_element(
            By.CSS_SELECTOR, ".st-key-fig-who-gains").text)
        prov = wait.until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, ".st-key-provenance-run"))).text
        assert "customs_union" in prov and f"{REPLICATIONS} replications" in prov
        assert "seed 20250101" in prov and "hash " in prov and "data " in prov
        _idle(drv)
        # Every year of the events table is in view: with the default height (ten rows)
        # the last of the run's eleven years, the one the figures show, sat behind a
        # scroll bar inside the table (the grid is a canvas: compare its scroller's sizes).
        table = drv.find_element(By.CSS_SELECTOR, ".st-key-events-table")
        drv.execute_script("arguments[0].scrollIntoView()", table)
        inner = WebDriverWait(drv, WAIT).until(lambda d: d.execute_script(
            "const s = arguments[0].querySelector('.dvn-scroller');"
            "return s && s.clientHeight > 0 ? [s.scrollHeight, s.clientHeight] : null", table))
        assert inner[0] <= inner[1], f"the events table scrolls inside: {inner}"
        # Back to the top for the picture: the page scrolls inside its main section, so
        # window.scrollTo left it at the events table.
        drv.execute_script("arguments[0].scrollIntoView()", drv.find_element(By.TAG_NAME, "h1"))
        time.sleep(1.0)  # let plotly finish its transition before the picture
        # The README's picture is refreshed on request only, so a test run leaves the tree clean.
        shot = SCREENSHOT if os.environ.get("SCOSIM_UPDATE_SCREENSHOT") else tmp_path / "page.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        drv.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000

        # The command shown reproduces the numbers through the CLI.
        command = drv.find_element(By.CSS_SELECTOR, ".st-key-command-run code").text.strip()
        argv = shlex.split(command)
        assert argv[:2] == ["scosim", "run"] and "parameters.trade.sigma=4.5" in argv
        run_id = prov.rsplit("run ", 1)[1].strip()
        page_run = tmp_path / "results" / "customs_union" / run_id
        done = _cli(argv[1:], tmp_path)
        assert done.returncode == 0, done.stderr
        cli_run = Path(tmp_path / done.stdout.split("results: ", 1)[1].split()[0])
        assert cli_run != page_run
        for table in ("indicators", "events"):
            pd.testing.assert_frame_equal(
                read_batches(page_run / table), read_batches(cli_run / table)
            )

        # An invalid value shows the CLI's validation message and blocks the run.
        _set_number(drv, "customs_union--parameters-trade-sigma", "0.5")
        block = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".st-key-validation")))
        cli = _cli(["validate", "scenarios/customs_union.yaml", "--set",
                    "parameters.trade.sigma=0.5"], tmp_path)  # fmt: skip
        assert cli.returncode == 2
        expected = cli.stderr.strip().removeprefix("scosim: error: ")
        assert expected and expected in block.text
        assert drv.find_element(By.CSS_SELECTOR, ".st-key-run button").get_attribute("disabled")

        # Replications 0: the widget had a minimum, so the browser refused the value and the
        # page did not rerun (a failed run's error stayed on screen). Now the page reruns
        # and says what `scosim validate` says.
        _set_number(drv, "customs_union--parameters-trade-sigma", "4.5")
        wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".st-key-validation"))
        _set_number(drv, "customs_union--replications", "0")
        block = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".st-key-validation")))
        # The page's overrides in its order: the edited sigma, then seed and replications.
        cli = _cli(["validate", "scenarios/customs_union.yaml", "--set",
                    "parameters.trade.sigma=4.5", "--set", "seed=20250101", "--set",
                    "replications=0"], tmp_path)  # fmt: skip
        assert cli.returncode == 2
        expected = cli.stderr.strip().removeprefix("scosim: error: ")
        assert expected and expected in block.text
        assert drv.find_element(By.CSS_SELECTOR, ".st-key-run button").get_attribute("disabled")
    finally:
        if drv is not None:
            drv.quit()
        _stop(proc)
    assert proc.poll() is not None


@contextmanager
def _explorer(workdir: Path) -> Iterator:
    """``scosim explore`` on a free port in ``workdir`` and a Chromium on its page; both
    stopped on exit whatever happens."""
    chromium, chromedriver = _chromium_or_skip()
    port = _free_port()
    log = workdir / "server.log"
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scosim.cli", "explore", "--scenarios", "scenarios",
             "--port", str(port), "--out", "results"],
            cwd=workdir, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    drv = None
    try:
        _wait_healthy(proc, port, log)
        drv = _driver(chromium, chromedriver, workdir / "chrome-profile")
        _open(drv, f"http://127.0.0.1:{port}/")
        yield drv
    except TimeoutException as exc:
        # A bare TimeoutException says nothing of why: say what the page and server showed.
        pytest.fail(f"waited {WAIT} s in vain ({exc.msg or 'no message'}); "
                    f"{_page_text(drv)}\nserver log (last 3000 characters):\n"
                    f"{log.read_text()[-3000:]}")
    finally:
        if drv is not None:
            drv.quit()
        _stop(proc)


def _open(drv, url: str) -> None:
    """Load the page and wait for the app's scenario chooser, reloading once if the page
    never drew it: a page whose websocket to the server did not connect stays blank with
    no error (once in CI's whole suite). The reload is reported as a warning, so a page
    that needs it is seen; a second blank page fails the test with what it showed."""
    drv.get(url)
    try:
        WebDriverWait(drv, WAIT).until(
            EC.presence_of_element_located((By.CSS_SELECTOR, ".st-key-scenario"))
        )
    except TimeoutException:
        warnings.warn(f"the explorer's page drew nothing in {WAIT} s; reloaded once. "
                      f"{_page_text(drv)}", stacklevel=2)
        drv.refresh()


def _page_text(drv) -> str:
    """What the page showed, for a failed wait's message."""
    if drv is None:
        return "no browser was started"
    try:
        body = drv.find_element(By.TAG_NAME, "body").text
        keys = drv.execute_script(
            "return [...document.querySelectorAll('[class*=st-key-]')]"
            ".map(e => [...e.classList].find(c => c.startsWith('st-key-'))).slice(0, 40)")
    except WebDriverException as exc:  # the browser itself is gone
        return f"the page could not be read: {exc.msg}"
    return (f"page keys: {keys}\npage text (last 3000 characters):\n{body[-3000:]}")


def _choose_scenario(drv, path: str) -> None:
    wait = WebDriverWait(drv, WAIT)
    box = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".st-key-scenario input")))
    _idle(drv)
    if box.get_attribute("value") != path:
        box.click()
        # Typed, so that the list shows it: the dropdown renders only the options in view,
        # and with more scenarios shipped the one wanted can be below them.
        box.send_keys(path)
        wait.until(EC.element_to_be_clickable(
            (By.XPATH, f"//*[@role='option'][normalize-space(.)='{path}']"))).click()
    _idle(drv)


def _inner_scroll(drv, element) -> list[int]:
    """``[scrollHeight, clientHeight]`` of a table's own scroller (the grid is a canvas)."""
    drv.execute_script("arguments[0].scrollIntoView()", element)
    return WebDriverWait(drv, WAIT).until(lambda d: d.execute_script(
        "const s = arguments[0].querySelector('.dvn-scroller');"
        "return s && s.clientHeight > 0 ? [s.scrollHeight, s.clientHeight] : null", element))


def test_compare_table_is_shown_in_full(tmp_path: Path) -> None:
    """The comparison's table sat in a box ten rows high with its own scroll bar: of the
    31 rows customs_union minus baseline prints, 21 were out of view and out of a
    printout of the page. Now the table is as tall as its rows, and each column as wide
    as its longest cell. The page opens on the policy's run, made with ``--set``: its
    value is in the form (a warning had said the form did not show it)."""
    shutil.copytree(REPO / "scenarios", tmp_path / "scenarios")
    # Both runs made by the CLI first: the page reuses them, so no run waits here.
    sigma_set = ["--set", "parameters.trade.sigma=4.5"]
    for name, sets in (("baseline", []), ("customs_union", sigma_set)):
        done = _cli(["run", f"scenarios/{name}.yaml", "--replications", str(REPLICATIONS),
                     "--no-plots", "--quiet", "--out", "results", *sets], tmp_path)
        assert done.returncode == 0, done.stderr
    with _explorer(tmp_path) as drv:
        sigma = WebDriverWait(drv, WAIT).until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, ".st-key-customs_union--parameters-trade-sigma input")))
        _idle(drv)
        assert sigma.get_attribute("value") == "4.5"
        WebDriverWait(drv, WAIT).until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, ".st-key-opened-run")))
        assert not drv.find_elements(By.CSS_SELECTOR, "[data-testid='stAlertContentWarning']")
        _choose_scenario(drv, "scenarios/customs_union.yaml")
        _set_number(drv, "customs_union--replications", str(REPLICATIONS))
        _idle(drv)
        WebDriverWait(drv, WAIT).until(EC.element_to_be_clickable(
            (By.CSS_SELECTOR, ".st-key-compare button"))).click()
        table = WebDriverWait(drv, WAIT).until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, ".st-key-compare-table")))
        _idle(drv)
        inner = _inner_scroll(drv, table)
        # A table of more than ten rows, else this checks nothing.
        assert inner[0] > 12 * 35, f"the comparison has too few rows to test: {inner}"
        assert inner[0] <= inner[1], f"the compare table scrolls inside: {inner}"
        _check_column_widths(drv, table)


# Each column's heading and cells, with their widths in the grid's own font.
_CELL_TEXTS = """
const t = arguments[0];
const grid = t.querySelector('[style*="--gdg-base-font-style"]');
const css = getComputedStyle(grid);
const ctx = document.createElement('canvas').getContext('2d');
ctx.font = css.getPropertyValue('--gdg-base-font-style') + ' '
    + css.getPropertyValue('--gdg-font-family');
const head = document.createElement('canvas').getContext('2d');
head.font = css.getPropertyValue('--gdg-header-font-style') + ' '
    + css.getPropertyValue('--gdg-font-family');
const cols = {};
for (const th of t.querySelectorAll('th[role=columnheader]'))
    cols[th.getAttribute('aria-colindex')] = [
        th.textContent, head.measureText(th.textContent).width, []];
for (const td of t.querySelectorAll('td[role=gridcell]'))
    cols[td.getAttribute('aria-colindex')][2].push(
        [td.textContent, ctx.measureText(td.textContent).width]);
return [ctx.font, Object.values(cols)];
"""


def _check_column_widths(drv, table) -> None:
    """The widths the page gives (clipped_widths) against Chromium's measure of every cell.

    The comparison's country column read "bloc member": the grid sizes a column to its
    first nine rows and its last, and "bloc members" is second to last.
    """
    from scosim.explore.table_widths import CELL_PADDING, clipped_widths, measured_rows

    def filled(d):
        # The grid fills its accessible table (the th and td read here) after it draws: on
        # a loaded machine (CI's whole suite) that came after the scroll sizes were read.
        got = d.execute_script(_CELL_TEXTS, table)
        return got if got[1] and all(cells for _, _, cells in got[1]) else None

    font, columns = WebDriverWait(drv, WAIT).until(filled)
    assert "14px" in font, font  # the font text_width's classes were measured in
    frame = pd.DataFrame({h: [c for c, _ in cells] for h, _, cells in columns})
    given = clipped_widths(frame)
    assert "bloc members" in set(frame["country"]) and "country" in given
    for heading, heading_px, cells in columns:
        texts, px = [c for c, _ in cells], [w for _, w in cells]
        widest = max(px)
        if heading in given:  # wide enough for Chromium's widest cell and the heading
            assert given[heading] >= max(widest, heading_px) + 2 * CELL_PADDING, (
                heading, given, widest)
        else:  # the grid measures the heading or a cell at least as wide as every other
            measured = max(heading_px, *(px[i] for i in measured_rows(px)))
            assert widest <= measured + 0.5, (heading, texts[px.index(widest)])
