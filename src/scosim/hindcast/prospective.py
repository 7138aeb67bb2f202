"""A prospective, frozen test: the Council's predictions for decisions not yet taken.

The hindcast's held-out years are pseudo-out-of-sample: the model was built with them
known (docs/hindcasts.md, "How far the score can be trusted"). The only clean test is a
forecast filed before the outcome. This module files one: for each item of
:data:`ITEMS` (decisions of 2027, the year after the date of filing) the share of runs
in which it happens, run exactly as the hindcast runs its records
(:func:`scosim.hindcast.run.run_record`, the scenarios under
``scenarios/hindcasts/prospective/``), written with the date, the code's commit, the
seed, the replications, the reference forecasts fixed now (the same as the hindcast's:
p = 0, p = 1, the training base rate of the item's kind, persistence) and a sha256 of
the predictions, to a dated file ``predictions_<date>.json`` in :data:`DIRECTORY`
(the first, :data:`FROZEN`, filed on 2026-12-07).

A frozen file is a record: it is never edited. ``--check`` (and
``tests/test_hindcast_prospective.py``) verify that every frozen file in the directory
is intact (its hash) and that the code still reproduces the newest (by the date filed
in it); when the model changes so that it does not, a new dated file is added
(``--write``), and the old ones stay as records, hash-checked. No outcome is
in the file: none of these decisions had been taken on 2026-12-07, and the data hold
no outcome after 2025. How to score it: docs/hindcasts.md, "A prospective test".

Usage::

    python -m scosim.hindcast.prospective --check          # every file; the newest re-run
    python -m scosim.hindcast.prospective --check PATH     # one file
    python -m scosim.hindcast.prospective --write DIR/predictions_<date>.json  # never overwrites
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scosim.hindcast.baselines import base_rate_forecast, persistence_forecast
from scosim.hindcast.records import RECORDS, TRAIN_END, Record
from scosim.hindcast.run import default_dir, run_record

__all__ = ["FROZEN", "ITEMS", "REPLICATIONS", "Item", "check", "check_all", "digest",
           "filed_on", "frozen_files", "load", "main", "newest", "predict", "references",
           "score"]

#: Runs per item: the share of 200 runs resolves a probability to 0.005.
REPLICATIONS = 200

#: The scenarios of the prospective items.
DIRECTORY = default_dir() / "prospective"

#: The first frozen predictions, filed on 2026-12-07: the record to score once the 2027
#: decisions are known (docs/hindcasts.md, "A prospective test"). Later filings are
#: further files beside it (:func:`frozen_files`); none replaces it.
FROZEN = DIRECTORY / "predictions_2026-12-07.json"

_NAME = re.compile(r"predictions_(\d{4}-\d{2}-\d{2})\.json")


@dataclass(frozen=True)
class Item:
    """One decision not yet taken: its scenario ``name``, kind, year, series and question.

    ``series`` is the hindcast series (:attr:`scosim.hindcast.records.Record.series`) the
    item continues, which persistence reads; ``question`` says what counts as a 1.
    """

    name: str
    kind: str
    year: int
    series: str
    question: str


def _apply(code: str, what: str) -> Item:
    return Item(f"apply_{code.lower()}_2027", "application", 2027, f"apply_{code.lower()}",
                f"Does {what} apply for SCO membership (a formal application) in 2027?")


#: The items filed on 2026-12-07 (docs/hindcasts.md, "A prospective test"): the FTZ and
#: the Development Bank in the consensus form the hindcast scores, and an application by
#: every observer or dialogue partner in the data but Afghanistan (its observer status
#: in abeyance since August 2021), and by Turkmenistan. The 2024 membership and statuses
#: are assumed (the latest the data holds).
ITEMS: tuple[Item, ...] = (
    Item("ftz_2027", "adoption", 2027, "ftz",
         "Do the SCO heads of state adopt an agreement establishing an SCO free-trade "
         "area in 2027?"),
    Item("bank_2027", "adoption", 2027, "bank",
         "Is the SCO Development Bank's founding agreement (its charter and capital) "
         "adopted in 2027 with every member a party? (A subset of members: 0.)"),
    _apply("MNG", "Mongolia (observer)"),
    _apply("TKM", "Turkmenistan"),
    _apply("TUR", "Turkey (dialogue partner)"),
    _apply("AZE", "Azerbaijan (dialogue partner)"),
    _apply("ARM", "Armenia (dialogue partner)"),
    _apply("NPL", "Nepal (dialogue partner)"),
    _apply("LKA", "Sri Lanka (dialogue partner)"),
    _apply("KHM", "Cambodia (dialogue partner)"),
    _apply("EGY", "Egypt (dialogue partner)"),
    _apply("QAT", "Qatar (dialogue partner)"),
    _apply("SAU", "Saudi Arabia (dialogue partner)"),
    _apply("ARE", "the United Arab Emirates (dialogue partner)"),
    _apply("KWT", "Kuwait (dialogue partner)"),
    _apply("BHR", "Bahrain (dialogue partner)"),
    _apply("MDV", "Maldives (dialogue partner)"),
    _apply("MMR", "Myanmar (dialogue partner)"),
)


def predict(replications: int = REPLICATIONS, directory: Path | None = None,
            items: tuple[Item, ...] = ITEMS) -> list[dict[str, Any]]:
    """Each item's runs and share of runs in which it happens (adopted; applied).

    Only counts and ratios of whole numbers: nothing depends on a summation order.
    """
    directory = directory or DIRECTORY
    out = []
    for it in items:
        adopted, _ = run_record(Record(it.name, it.year, 0, kind=it.kind), directory,
                                replications)
        yes = int(np.asarray(adopted, bool).sum())
        out.append({"item": it.name, "kind": it.kind, "year": it.year,
                    "question": it.question, "runs": int(adopted.size), "yes": yes,
                    "p": yes / int(adopted.size)})
    return out


def references(items: tuple[Item, ...] = ITEMS) -> dict[str, dict[str, float]]:
    """The reference forecasts of each item, fixed from the record as it stood at filing.

    As in the hindcast (:mod:`scosim.hindcast.baselines`), on its headline items (coded
    ``observed``): the training base rate of the item's kind (years <= TRAIN_END) and
    persistence (the last recorded outcome of the same decision, 1 where there is none),
    beside p = 0 and p = 1.
    """
    past = [{"item": r.name, "record": r.name, "kind": r.kind, "year": r.year,
             "observed": float(r.adopted), "cluster": r.decision,
             "sample": "train" if r.year <= TRAIN_END else "held_out"}
            for r in RECORDS if r.kind in ("adoption", "application") and r.coding == "observed"]
    new = [{"item": it.name, "record": it.name, "kind": it.kind, "year": it.year,
            "observed": np.nan, "cluster": it.series, "sample": "prospective"}
           for it in items]
    df = pd.DataFrame(past + new)
    base = base_rate_forecast(df, rates_from=df.iloc[:len(past)])
    pers = persistence_forecast(df)
    return {it.name: {"consensus_always_fails": 0.0, "always_adopted": 1.0,
                      "base_rate": float(base[len(past) + k]),
                      "persistence": float(pers[len(past) + k])}
            for k, it in enumerate(items)}


def digest(doc: dict[str, Any]) -> str:
    """sha256 of a frozen record without its ``sha256`` field, as canonical JSON.

    Canonical: sorted keys, no spaces, Python's shortest round-trip floats. It covers the
    predictions and everything filed with them (date, commit, seed, runs, references).
    """
    body = {k: v for k, v in doc.items() if k != "sha256"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _seed(directory: Path, items: tuple[Item, ...]) -> int:
    """The seed every item's scenario runs with (one seed: the baseline's)."""
    from scosim.scenario import load_scenario

    seeds = {int(load_scenario(directory / f"{it.name}.yaml").seed) for it in items}
    if len(seeds) != 1:
        raise ValueError(f"the prospective scenarios run with different seeds {sorted(seeds)}")
    return seeds.pop()


def _commit() -> str:
    """The code's git commit (``+modified`` if dirty), or the installed version.

    Only a scosim checkout's own commit (:func:`scosim.checkout.code_commit`): installed
    from a wheel into a virtualenv inside another repository, git run beside the package
    answered with that repository's HEAD, and the frozen record filed it as scosim's.
    """
    from scosim.checkout import code_commit

    return code_commit()


def filed_on(path: Path) -> str | None:
    """The date in a frozen file's name (``predictions_<YYYY-MM-DD>.json``), else None."""
    m = _NAME.fullmatch(Path(path).name)
    return m.group(1) if m else None


def build(filed: str, replications: int = REPLICATIONS, directory: Path | None = None,
          items: tuple[Item, ...] = ITEMS) -> dict[str, Any]:
    """The record to freeze: date, commit, seed, replications, predictions, references, hash."""
    directory = directory or DIRECTORY
    preds = predict(replications, directory, items)
    doc = {"filed": filed, "commit": _commit(), "seed": _seed(directory, items),
           "replications": replications, "data_version": "2023",
           "scored": False, "outcomes": None,
           "note": ("Predictions filed before the decisions; a record, never edited. "
                    "Score with the Brier score against the references once the "
                    "outcomes are known (docs/hindcasts.md, 'A prospective test')."),
           "references": references(items), "predictions": preds}
    return {**doc, "sha256": digest(doc)}


class FrozenError(ValueError):
    """A frozen file that is missing, unreadable or altered."""


def load(path: Path) -> dict[str, Any]:
    """Read a frozen file, naming the file and field when it is not one."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FrozenError(f"{path}: not found; the frozen predictions are "
                          f"{FROZEN.name} under scenarios/hindcasts/prospective/") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FrozenError(f"{path}: not a JSON file of frozen predictions ({exc})") from None
    need = {"filed": str, "commit": str, "seed": int, "replications": int,
            "predictions": list, "sha256": str}
    if not isinstance(doc, dict):
        raise FrozenError(f"{path}: expected a JSON object with {', '.join(need)}")
    for key, kind in need.items():
        if not isinstance(doc.get(key), kind):
            raise FrozenError(f"{path}: field {key!r} is missing or not a {kind.__name__}")
    return doc


def frozen_files(directory: Path | None = None) -> list[Path]:
    """Every frozen file (``predictions_*.json``) in ``directory`` (default :data:`DIRECTORY`)."""
    return sorted((directory or DIRECTORY).glob("predictions_*.json"))


def newest(directory: Path | None = None) -> Path:
    """The frozen file filed last, by the ``filed`` date in the file (not its name)."""
    files = frozen_files(directory)
    if not files:
        raise FrozenError(f"{directory or DIRECTORY}: no frozen file predictions_*.json")
    return max(files, key=lambda f: (load(f)["filed"], f.name))


def _altered(path: Path, doc: dict[str, Any]) -> list[str]:
    if digest(doc) == doc["sha256"]:
        return []
    return [f"{path} is altered: its sha256 is {digest(doc)}, the file records "
            f"{doc['sha256']}. The frozen predictions are a record filed on {doc['filed']} "
            "and must not be edited: restore the file from git."]


def check_all(directory: Path | None = None, reproduce: bool = True) -> list[str]:
    """Problems with the frozen files: any altered (hash), or the newest not reproduced.

    Every ``predictions_*.json`` in the directory is a record and is hash-checked; only
    the newest (:func:`newest`) is what the current code must reproduce, since older ones
    were filed by older code.
    """
    files = frozen_files(directory)
    if not files:
        raise FrozenError(f"{directory or DIRECTORY}: no frozen file predictions_*.json")
    problems = [p for f in files for p in _altered(f, load(f))]
    if problems or not reproduce:
        return problems
    return check(newest(directory))


def check(path: Path = FROZEN, directory: Path | None = None) -> list[str]:
    """Problems with one frozen file: altered (hash), or no longer reproduced by the code.

    Returns an empty list when the file is intact and the code reproduces every
    prediction with the file's replications. ``directory`` holds the items' scenarios.
    """
    doc = load(path)
    problems = _altered(path, doc)
    if problems:
        return problems
    names = [p["item"] for p in doc["predictions"]]
    items = tuple(it for it in ITEMS if it.name in names)
    if [it.name for it in items] != names:
        problems.append(f"{path}: items {names} are not those of ITEMS in this code")
        return problems
    now = predict(doc["replications"], directory, items)
    changed = [f"{a['item']} {a['p']:.3f} -> {b['p']:.3f}"
               for a, b in zip(doc["predictions"], now, strict=True) if a != b]
    if changed:
        problems.append(
            f"the code no longer reproduces {path} ({'; '.join(changed)}). The frozen "
            f"predictions are a record filed on {doc['filed']} (code: {doc['commit']}) "
            "and must not be edited; if the model changed on purpose, add a new dated "
            "file (python -m scosim.hindcast.prospective --write "
            "scenarios/hindcasts/prospective/predictions_<date>.json, the date of "
            "filing); the old files stay as records, hash-checked, never edited.")
    return problems


def score(doc: dict[str, Any], outcomes: dict[str, int]) -> pd.DataFrame:
    """Score a frozen file once the outcomes are known: Council and references, Brier.

    Args:
        doc: The frozen record (:func:`load`), never edited.
        outcomes: Each item's outcome, 0 or 1, coded from the record by its question.

    Returns:
        One row per forecast (``council``, then the references as filed): ``brier``
        (the Council's with the runs' sampling variance removed,
        :func:`scosim.hindcast.scoring.brier_unbiased`; ``brier_plain`` its plain
        score) and ``bss``, the Council's Brier skill score against the row
        (``1 - council / reference``; NaN where the reference scores 0).
    """
    from scosim.hindcast.scoring import brier, brier_unbiased

    preds = doc["predictions"]
    names = [p["item"] for p in preds]
    missing = sorted(set(names) - set(outcomes))
    extra = sorted(set(outcomes) - set(names))
    if missing or extra:
        raise ValueError(f"outcomes must name exactly the filed items: missing {missing}, "
                         f"not filed {extra}")
    bad = {k: v for k, v in outcomes.items() if v not in (0, 1)}
    if bad:
        raise ValueError(f"outcomes must be 0 or 1, got {bad}")
    y = np.array([outcomes[n] for n in names], float)
    p = np.array([pr["p"] for pr in preds], float)
    n = np.array([pr["runs"] for pr in preds], float)
    council = brier_unbiased(p, y, n)
    rows = [{"forecast": "council", "brier": council, "brier_plain": brier(p, y),
             "bss": np.nan}]
    for ref in doc["references"][names[0]]:
        b = brier(np.array([doc["references"][nm][ref] for nm in names], float), y)
        rows.append({"forecast": ref, "brier": b, "brier_plain": b,
                     "bss": 1.0 - council / b if b > 0 else np.nan})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    """``--check`` the frozen files (or one), or ``--write`` a new dated one."""
    ap = argparse.ArgumentParser(prog="python -m scosim.hindcast.prospective",
                                 description=(__doc__ or "").splitlines()[0])
    act = ap.add_mutually_exclusive_group(required=True)
    act.add_argument("--check", nargs="?", const="", metavar="PATH",
                     help="verify one frozen file (default: every file's hash, and the "
                     "newest re-run)")
    act.add_argument("--write", metavar="PATH",
                     help="write a new frozen file predictions_<YYYY-MM-DD>.json (the date "
                     "of filing; never over one)")
    args = ap.parse_args(argv)
    try:
        if args.write:
            out = Path(args.write)
            if out.exists():
                print(f"{out} exists: a frozen file is never overwritten; choose a new "
                      "path", file=sys.stderr)
                return 2
            filed = filed_on(out)
            if filed is None:
                print(f"{out}: name a frozen file predictions_<YYYY-MM-DD>.json, the date "
                      "of filing", file=sys.stderr)
                return 2
            doc = build(filed)
            out.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            print(f"wrote {out} (sha256 {doc['sha256']})")
            return 0
        problems = check(Path(args.check)) if args.check else check_all()
    except FrozenError as exc:
        print(f"scosim.hindcast.prospective: {exc}", file=sys.stderr)
        return 2
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print(f"{args.check}: intact and reproduced by this code" if args.check else
              f"{len(frozen_files())} frozen file(s) intact; the newest, {newest().name}, "
              "reproduced by this code")
    return 1 if problems else 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
