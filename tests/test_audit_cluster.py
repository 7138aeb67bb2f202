"""Ensembles on a Dask cluster as a user runs them: what must fail cleanly, and what must not.

Workers are processes in directories of their own (a ``LocalCluster`` with
``processes=True``, each worker moved into an empty temporary directory, as in
tests/test_executors_cluster.py), and for versions real ``dask worker`` processes
that import a *copy* of the package (a bumped ``__version__``, or an edited
calibration table) through ``PYTHONPATH``, as a worker with another installation
would. Each test here failed on the code before its fix; the docstrings say how.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scosim.runner import VersionMismatch, check_versions, versions

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "model"

distributed = pytest.importorskip("distributed")


def _scenario_in(dest: Path) -> str:
    """The fixture scenario (and the file it extends) next to the client only."""
    for name in ("small_cu.yaml", "small_base.yaml"):
        shutil.copy(FIXTURES / name, dest / name)
    return "small_cu.yaml"


def _edited_tables(dest: Path) -> Path:
    """A copy of the packaged 2023 tables with one figure of countries.csv changed."""
    from scosim.data import calibration

    src = calibration.TABLES_DIR / "2023"
    out = dest / "tables"
    shutil.copytree(src, out / "2023")
    csv = out / "2023" / "countries.csv"
    text = csv.read_text()
    line = next(row for row in text.splitlines() if row.startswith("KAZ,"))
    fields = line.split(",")
    fields[4] = str(float(fields[4]) * 1.5)  # gdp_usd of Kazakhstan
    csv.write_text(text.replace(line, ",".join(fields)))
    return out


def test_an_edited_calibration_table_changes_the_data_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: the data version was the string in the tables' manifest.json, which an
    edit of a table leaves as it was, so a worker with edited data ran the batch."""
    import scosim.experiments.versions as vmod
    from scosim.data import calibration

    clean = versions()
    assert ", edited" not in clean["data"]
    monkeypatch.setattr(calibration, "TABLES_DIR", _edited_tables(tmp_path))
    edited = versions()
    assert edited["package"] == clean["package"]
    assert edited["data"].startswith(clean["data"] + ", edited: countries.csv (sha256 ")
    with pytest.raises(VersionMismatch, match=r"data version .*edited: countries\.csv.* here, "
                       r".* on the client\. To fix: restore the edited calibration tables"):
        check_versions(clean)
    vmod._edited_in.cache_clear()
    monkeypatch.undo()
    assert versions() == clean
