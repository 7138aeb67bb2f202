"""An installed scosim says where the README and docs pages its answers cite are.

An outside review (2026-12-07): the wheel's answers and ``scosim transfers`` cited README
and docs/*.md, which the wheel did not ship. It ships them now (setup.py; the wheel itself
is checked in tests/test_extends_packaged.py) and says where, once, under the text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scosim import cited_docs
from scosim.cited_docs import cited_pages, docs_note

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run as a wheel would: no source tree; the shipped pages under ``tmp_path``."""
    monkeypatch.setattr(cited_docs, "source_root", lambda: None)
    monkeypatch.setattr(cited_docs, "PACKAGED", tmp_path / "shipped_docs")
    (tmp_path / "shipped_docs" / "docs").mkdir(parents=True)
    (tmp_path / "shipped_docs" / "README.md").write_text("x\n")
    return tmp_path / "shipped_docs"


def test_every_page_the_code_cites_is_a_docs_page_the_wheel_ships() -> None:
    """setup.py ships README.md and docs/*.md: a page cited but not there would be cited in
    vain (grep of the source, not the module's own list)."""
    cited = {m for f in (ROOT / "src" / "scosim").rglob("*.py")
             for m in re.findall(r"docs/[A-Za-z0-9_-]+\.md", f.read_text(encoding="utf-8"))}
    assert len(cited) > 5
    assert sorted(c for c in cited if not (ROOT / c).is_file()) == []


def test_in_a_checkout_nothing_is_added() -> None:
    assert cited_docs.source_root() is not None
    assert docs_note("see docs/rules.md and the README") == ""


def test_an_install_names_the_shipped_page(installed: Path) -> None:
    text = "Side payments (docs/rules.md, \"Side payments\"); README: it flips signs."
    assert cited_pages(text) == ["docs/rules.md", "README.md"]
    assert docs_note("no citation here; a READMEish word, docs/img/a.png") == ""
    one = docs_note("as docs/rules.md says")
    assert one == f"docs/rules.md, cited above, ships with this install: " \
        f"{installed / 'docs' / 'rules.md'}\n"
    both = docs_note(text)
    assert both == (f"The pages cited above ship with this install, under {installed}: "
                    "docs/rules.md, README.md.\n")


def test_an_install_without_the_pages_says_they_are_in_the_source(
        installed: Path) -> None:
    """A wheel built before they were shipped: no path that does not exist."""
    (installed / "README.md").unlink()
    note = docs_note("README: who vetoes turns on it")
    assert note.startswith("The page cited above is in the scosim ")
    assert note.endswith(" source, not in this install: README.md.\n")
    assert str(installed) not in note


def test_scosim_show_prints_the_note_when_installed(installed: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI's answer (``scosim show``, as ``run`` prints it) ends with the note."""
    from scosim.cli import main

    run = tmp_path / "run"
    run.mkdir()
    (run / "manifest.json").write_text('{"scenario": "x", "status": "complete"}')
    (run / "summary.txt").write_text("Who gains: CHN (docs/hindcasts.md).\n")
    assert main(["show", str(run)]) == 0
    out = capsys.readouterr().out
    assert out.endswith("Who gains: CHN (docs/hindcasts.md).\n"
                        f"docs/hindcasts.md, cited above, ships with this install: "
                        f"{installed / 'docs' / 'hindcasts.md'}\n")


def test_scosim_transfers_ends_with_the_note_after_the_file_it_wrote(
        installed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The README says the note is the last line: after ``written:``, not above it."""
    from scosim.cli import main

    out_root = tmp_path / "results"
    assert main(["run", str(ROOT / "scenarios" / "customs_union_consensus.yaml"),
                 "--replications", "2", "--no-plots", "--quiet",
                 "--out", str(out_root)]) == 0
    capsys.readouterr()
    assert main(["transfers", "customs_union_consensus", "--out", str(out_root)]) == 0
    lines = capsys.readouterr().out.rstrip("\n").split("\n")
    assert lines[-2].startswith("written: ")
    assert "cited above" in lines[-1] and "ship" in lines[-1]
