"""The explorer shows the warnings its runs and comparisons raise, as the CLI prints them.

Until 2026-12-06 the page showed no Python warning: "parameters.network.instability.AFG
0.8 is above 0.332 ... a stress test" and "policy and baseline simulate different economies"
went to the Streamlit server's stderr, out of the reader's sight.
"""

from __future__ import annotations

import json
import shutil
import threading
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "src" / "scosim" / "explore" / "app.py"
#: small_cu.yaml with the network slot, Afghan instability above its ceiling, and a trade
#: elasticity the baseline does not share (compare warns of "different economies").
UNSTABLE = """extends: small_cu.yaml
name: small_unstable
parameters:
  trade: {sigma: 4.0}
  mechanisms: {network: corridor_network}
  network:
    instability: {AFG: 0.8}
"""


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Small scenarios (four years) in a scenarios/ folder, the page's working directory."""
    (tmp_path / "scenarios").mkdir()
    for name in ("small_base.yaml", "small_cu.yaml"):
        shutil.copy(REPO / "tests" / "fixtures" / "model" / name, tmp_path / "scenarios")
    (tmp_path / "scenarios" / "small_unstable.yaml").write_text(UNSTABLE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": "scenarios/small_unstable.yaml", "scenarios_dir": "scenarios",
         "out": "results"}))
    return tmp_path


def _shown(at) -> list[str]:
    """The page's warnings as the reader reads them (Markdown's escapes undone)."""
    return [w.value.replace("\\", "") for w in at.warning]


def test_page_shows_the_runs_and_the_comparisons_warnings(workdir: Path) -> None:
    testing = pytest.importorskip("streamlit.testing.v1")
    from scosim.network.params import instability_notes
    from scosim.scenario import load_scenario

    (note,) = instability_notes(load_scenario("scenarios/small_unstable.yaml"))
    at = testing.AppTest.from_file(str(APP), default_timeout=180).run()
    assert not at.exception
    assert not at.warning  # nothing run yet, nothing said
    at.number_input(key="small_unstable--replications").set_value(2).run()
    at.button(key="run").click().run()
    assert not at.exception
    # The run's warning, once, under its answer: the CLI's words.
    assert _shown(at).count(note) == 1, _shown(at)
    assert "is above 0.332" in note and "a stress test" in note
    assert at.session_state["last_run"]["warnings"] == [note]
    # The comparison: its runs' warning and compare_results' own, each once, also after
    # the page is drawn again (compare_results is read again on every pass). Another seed,
    # so that the policy is run again (a reused run is not run, and says nothing).
    at.number_input(key="small_unstable--seed").set_value(8).run()
    at.selectbox(key="baseline").set_value("scenarios/small_base.yaml").run()
    at.button(key="compare").click().run()
    assert not at.exception
    for _ in range(2):
        shown = _shown(at)
        economies = [w for w in shown if w.startswith(
            "policy and baseline simulate different economies (parameters.trade.sigma: "
            "4.0 vs 5.0")]
        assert len(economies) == 1 and shown.count(note) == 1, shown
        at.run()
    # A new session opens the latest run from the results folder (the compare's policy
    # run, seed 8): nothing is run, the warning comes from the run's manifest.
    opened = testing.AppTest.from_file(str(APP), default_timeout=180).run()
    assert not opened.exception
    assert opened.session_state["last_run"].get("opened")
    assert opened.number_input(key="small_unstable--seed").value == 8
    assert _shown(opened) == [note]


def test_markdown_text_shows_the_message_verbatim() -> None:
    """A warning is Markdown to st.warning: ``$...$`` became LaTeX and ``:x:`` an emoji."""
    pytest.importorskip("streamlit")
    from scosim.explore.page_warnings import markdown_text

    message = "outputs.summary: US$ 2 bn vs US$ 3 bn; *all* of exit_threshold [0, 1]"
    escaped = markdown_text(message)
    assert escaped.replace("\\", "") == message
    assert "\\$" in escaped and "\\*all\\*" in escaped and "\\:" in escaped


def _warn(text: str, category: type[Warning] | None = None) -> None:
    """Every warning of the test from this one line: the once-per-location registry's key.

    A :class:`~scosim.errors.ScosimWarning` unless told: this file is not scosim's, so a
    plain ``UserWarning`` raised here is a library's (for the log, not the page).
    """
    from scosim.errors import ScosimWarning

    warnings.warn(text, category or ScosimWarning, stacklevel=1)


def test_overlapping_sessions_keep_their_own_warnings_and_the_process_its_hook(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit runs each session in a thread: A enters, B enters, A exits, B exits.

    Until 2026-12-06 B's exit put back A's recorder for the whole process: B's last
    warning went to the log, and every later warning into A's stale list.
    """
    pytest.importorskip("streamlit")
    from scosim.explore.page_warnings import recorded

    shown: list[str] = []  # the process's hook as the sessions find it
    monkeypatch.setattr(warnings, "showwarning",
                        lambda message, *args, **kwargs: shown.append(str(message)))
    said: dict[str, list[str]] = {"A": [], "B": []}
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def session_a() -> None:
        try:
            with recorded(said["A"]):
                _warn("A before B")
                a_in.set()
                assert b_in.wait(10)
                for _ in range(2):  # twice from one line: kept once
                    _warn("both")
                _warn("A's library", FutureWarning)  # for the log, not the page
                # A library's UserWarning (raised outside scosim): for the log too.
                _warn("A's library's UserWarning", UserWarning)
        except BaseException as exc:
            failed.append(exc)
        finally:
            a_in.set()
            a_out.set()

    def session_b() -> None:
        try:
            assert a_in.wait(10)
            with recorded(said["B"]):
                _warn("both")  # A raises it from the same line too
                b_in.set()
                assert a_out.wait(10)
                _warn("B after A")
        except BaseException as exc:
            failed.append(exc)
        finally:
            b_in.set()

    threads = [threading.Thread(target=session_a), threading.Thread(target=session_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not failed, failed
    assert said == {"A": ["A before B", "both"], "B": ["both", "B after A"]}
    _warn("after both")  # the main thread's, in no section: to the process's hook
    assert shown == ["A's library", "A's library's UserWarning", "after both"]


def test_a_note_is_kept_as_a_note_and_shown_apart_from_the_warnings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``scosim: note:`` (indicators only one run records) is not drawn among the warnings."""
    pytest.importorskip("streamlit")
    from scosim.errors import ScosimNote
    from scosim.explore import page_warnings

    said: list[str] = []
    with page_warnings.recorded(said):
        _warn("a stress test")
        _warn("indicators only one run records: corridor_teu", ScosimNote)
    assert said == ["a stress test", "indicators only one run records: corridor_teu"]
    assert [isinstance(m, page_warnings.Note) for m in said] == [False, True]
    drawn: list[tuple[str, str]] = []
    monkeypatch.setattr(page_warnings.st, "warning", lambda t: drawn.append(("warning", t)))
    monkeypatch.setattr(page_warnings.st, "info", lambda t: drawn.append(("info", t)))
    page_warnings.show(said, "page-warnings-compare")
    assert [(k, t.replace("\\", "")) for k, t in drawn] == [
        ("warning", "a stress test"),
        ("info", "Note: indicators only one run records: corridor_teu")]
    drawn.clear()
    page_warnings.show([page_warnings.Note("only a note")], "page-warnings-run")
    assert [k for k, _ in drawn] == ["info"]  # no empty warnings container either
