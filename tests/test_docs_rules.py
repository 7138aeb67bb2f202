"""docs/rules.md is executable: its worked example and its plug-in story are tested.

The code and YAML blocks marked ``<!-- docs-test: module NAME -->`` or
``<!-- docs-test: scenario NAME -->`` in docs/rules.md are extracted verbatim,
written into ``tmp_path`` and run. The numbers the page quotes are asserted here,
so a change to the model or the calibration that moves them fails this test
(update the page, then the expected values below).
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scosim
from scosim.rules import registry
from scosim.rules.registry import RuleError, available_rules, resolve_rule

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "rules.md"
SCENARIOS = ROOT / "scenarios"



@pytest.fixture(autouse=True)
def _data_version_2019(monkeypatch):
    """The page's numbers are on calibration data version 2019 (docs/rules.md says so)."""
    monkeypatch.setenv("SCOSIM_DATA_VERSION", "2019")


BLOCK = re.compile(
    r"<!-- docs-test: (?P<kind>module|scenario) (?P<name>[\w.]+) -->\s*\n"
    r"```(?P<lang>\w+)\n(?P<body>.*?)^```",
    re.DOTALL | re.MULTILINE,
)


def _blocks() -> dict[str, tuple[str, str]]:
    """Marked blocks of docs/rules.md: file name -> (kind, text)."""
    found = {m["name"]: (m["kind"], m["body"]) for m in BLOCK.finditer(DOC.read_text())}
    assert found, "no <!-- docs-test: ... --> blocks found in docs/rules.md"
    return found


@pytest.fixture
def docs_example(tmp_path, monkeypatch):
    """Write the page's modules and scenario into tmp_path; modules importable from there.

    The repository's scenario files are copied next to the page's scenario so its
    ``extends: customs_union_consensus.yaml`` resolves as it would in ``scenarios/``.
    """
    blocks = _blocks()
    for name, (_, text) in blocks.items():
        (tmp_path / name).write_text(text)
    for f in SCENARIOS.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.syspath_prepend(str(tmp_path))
    modules = [Path(n).stem for n, (k, _) in blocks.items() if k == "module"]
    for mod in modules:
        monkeypatch.delitem(sys.modules, mod, raising=False)
    # Registration in the page's modules must not leak into other tests: work on a
    # copy of the registry (built-ins loaded first so the copy holds them).
    available_rules("vote")
    monkeypatch.setattr(
        registry, "_REGISTRY", {h: dict(r) for h, r in registry._REGISTRY.items()}
    )
    yield tmp_path
    for mod in modules:
        sys.modules.pop(mod, None)


def _votes(model, country: str) -> pd.DataFrame:
    """One row per run: the country's vote on the first proposal, with its detail."""
    ev = model.log.to_frame()
    v = ev[(ev["type"] == "vote") & (ev["country"] == country)]
    out = v.drop(columns=["type", "country", "proposal"])
    assert out["run"].is_unique, "expected a single vote per run"
    return out.set_index("run").sort_index()


def _runs_of(model, type_: str, country: str | None = None) -> set[int]:
    ev = model.log.to_frame()
    sel = ev["type"] == type_
    if country is not None:
        sel &= ev["country"] == country
    return set(ev.loc[sel, "run"].astype(int))


def _run(path: Path, **overrides):
    sc = scosim.load_scenario(path, overrides=overrides or None)
    return sc, scosim.run_model(sc)


def test_the_page_has_the_blocks_the_test_needs():
    blocks = _blocks()
    assert blocks["kaz_rules.py"][0] == "module"
    assert blocks["gain_rules.py"][0] == "module"
    assert blocks["kaz_china_cap.yaml"][0] == "scenario"
    assert "kaz_rules:veto_china_dominance" in blocks["kaz_china_cap.yaml"][1]


def test_worked_example_kaz_vetoes_exactly_where_china_dominates_or_utility_says_no(
    docs_example,
):
    path = docs_example / "kaz_china_cap.yaml"
    sc, m = _run(path)
    assert sc.rules_for("KAZ")["vote"] == "kaz_rules:veto_china_dominance"
    assert sc.rules_for("RUS")["vote"] == "always_yes"
    kaz = _votes(m, "KAZ")
    assert len(kaz) == m.R == 20
    assert (kaz["year"] == 2026).all() and (kaz["rule"] == "kaz_rules:veto_china_dominance").all()

    # The rule, read back from the log: no where China's share > 0.5 or utility + noise < 0.
    dominated = kaz["leader_share"] > 0.5
    utility_no = kaz["utility"] < 0.0
    expected_no = set(kaz.index[dominated | utility_no])
    assert _runs_of(m, "veto", "KAZ") == expected_no
    assert set(kaz.index[~kaz["yes"]]) == expected_no
    # Only Kazakhstan can block (the others always say yes); the union never forms.
    assert _runs_of(m, "veto") == expected_no
    assert _runs_of(m, "adopted") == set(range(m.R)) - expected_no

    # The numbers the page quotes.
    assert kaz["leader_share"].between(0.9957 - 5e-5, 0.9969 + 5e-5).all()
    assert kaz["term_econ"].between(0.00010 - 5e-6, 0.00031 + 5e-6).all()
    assert np.allclose(kaz["term_sovereignty"], 0.6) and np.allclose(kaz["term_trust"], 0.2)
    assert not (~utility_no).any()  # utility_vote would say no in every run too
    # The relative-gains gap to China differs by run and is what the page quotes.
    assert kaz["term_dominance"].between(0.00142 - 5e-6, 0.00178 + 5e-6).all()
    assert len(expected_no) == 20 and not _runs_of(m, "adopted")
    in_union = np.stack(m.records["in_customs_union"], axis=1)
    assert not in_union.any()
    # Each veto cost Kazakhstan the members' trust: 0.7 - trust_loss = 0.6.
    k = m.codes.index("KAZ")
    others = [m.codes.index(c) for c in ("CHN", "RUS", "IND", "PAK", "IRN", "KGZ", "TJK", "UZB")]
    assert np.allclose(m.trust[:, others, k], 0.6)


# The table of docs/rules.md section 5: (cet override, KAZ rule) ->
# (runs where KAZ's utility vote is yes, KAZ vetoes, runs adopted, China's share range).
CAP = "kaz_rules:veto_china_dominance"
TABLE = [
    ("weighted_mean", "utility_vote", set(), 20, set(), (0.9957, 0.9969)),
    ("weighted_mean", CAP, set(), 20, set(), (0.9957, 0.9969)),
    ("max", "utility_vote", 11, 9, 11, (0.889, 0.907)),
    ("max", CAP, 11, 20, set(), (0.889, 0.907)),
    (0.02, "utility_vote", set(), 20, set(), (0.0, 0.0)),
    (0.02, CAP, set(), 20, set(), (0.0, 0.0)),
]


@pytest.mark.parametrize(("cet", "kaz_rule", "util_yes", "n_veto", "adopted", "dom"), TABLE)
def test_worked_example_table(docs_example, cet, kaz_rule, util_yes, n_veto, adopted, dom):
    _, m = _run(
        docs_example / "kaz_china_cap.yaml",
        **{"proposals[0].cet": cet, "countries.KAZ.rules.vote": kaz_rule},
    )
    kaz = _votes(m, "KAZ")
    yes_by_utility = set(kaz.index[kaz["utility"] >= 0.0])
    vetoes = _runs_of(m, "veto", "KAZ")
    got_adopted = _runs_of(m, "adopted")
    if isinstance(util_yes, int):
        assert len(yes_by_utility) == util_yes
        assert len(got_adopted) == (adopted if isinstance(adopted, int) else len(adopted))
    else:
        assert yes_by_utility == util_yes
        assert got_adopted == adopted
    assert len(vetoes) == n_veto
    lo, hi = dom
    assert kaz["leader_share"].between(lo - 5e-4, hi + 5e-4).all()
    # Whatever the row, the veto runs are those the rule's definition gives.
    if kaz_rule == CAP:
        assert vetoes == set(kaz.index[(kaz["leader_share"] > 0.5) | (kaz["utility"] < 0)])
    else:
        assert vetoes == set(kaz.index[kaz["utility"] < 0])
    assert got_adopted == set(range(m.R)) - vetoes


def test_china_loses_at_a_two_percent_cet_so_the_cap_is_silent(docs_example):
    path = docs_example / "kaz_china_cap.yaml"
    _, m_cap = _run(path, **{"proposals[0].cet": 0.02})
    _, m_util = _run(
        path, **{"proposals[0].cet": 0.02, "countries.KAZ.rules.vote": "utility_vote"}
    )
    chn = _votes(m_cap, "CHN")
    assert (chn["term_econ"] < 0).all()  # China expects to lose: no dominance concern
    assert chn["term_econ"].between(-0.00028 - 5e-6, -0.00023 + 5e-6).all()
    assert np.array_equal(_votes(m_cap, "KAZ")["yes"], _votes(m_util, "KAZ")["yes"])


def test_every_member_voting_on_utility_the_cap_changes_who_vetoes_not_the_outcome(
    docs_example,
):
    path = docs_example / "kaz_china_cap.yaml"
    for kaz_rule, kaz_vetoes in ((CAP, 20), ("utility_vote", 20)):
        _, m = _run(path, **{"parameters.rules.vote": "utility_vote",
                             "countries.KAZ.rules.vote": kaz_rule})
        assert not _runs_of(m, "adopted")
        assert len(_runs_of(m, "rejected")) == 20
        assert len(_runs_of(m, "veto", "KAZ")) == kaz_vetoes
        per_run = m.log.to_frame().query("type == 'veto'").groupby("run").size()
        assert per_run.between(8, 9).all() and len(per_run) == 20


def test_per_run_version_gives_the_same_votes(docs_example):
    path = docs_example / "kaz_china_cap.yaml"
    for cet in ("weighted_mean", "max"):
        _, vec = _run(path, **{"proposals[0].cet": cet})
        _, scalar = _run(
            path,
            **{
                "proposals[0].cet": cet,
                "countries.KAZ.rules.vote": "kaz_rules:veto_china_dominance_per_run",
            },
        )
        assert np.array_equal(_votes(vec, "KAZ")["yes"], _votes(scalar, "KAZ")["yes"])


def test_registered_rule_from_the_page_is_usable_by_name_after_import(docs_example):
    # Before the module is imported the name is unknown, and validation says so.
    with pytest.raises(scosim.ScenarioError, match="unknown vote rule 'demanding_vote'"):
        scosim.load_scenario(
            docs_example / "kaz_china_cap.yaml",
            overrides={"countries.KAZ.rules.vote": "demanding_vote"},
        )
    import gain_rules  # noqa: F401  (the page's module, written to tmp_path)

    assert resolve_rule("vote", "demanding_vote") is gain_rules.demanding_vote
    _, m = _run(
        docs_example / "kaz_china_cap.yaml",
        **{"proposals[0].cet": "max", "countries.KAZ.rules.vote": "demanding_vote"},
    )
    kaz = _votes(m, "KAZ")
    assert (kaz["rule"] == "demanding_vote").all()
    # KAZ expects +0.196 % to +0.240 % from the high-CET union: above 0.1 %, always yes.
    assert kaz["yes"].all() and _runs_of(m, "adopted") == set(range(m.R))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("veto_china_dominanc", "unknown vote rule 'veto_china_dominanc'; registered vote rules:"),
        ("no_dominant_partnr", "(did you mean 'no_dominant_partner'?)"),
        ("kaz_rules.veto_china_dominance", "dotted paths are written 'package.module:function'"),
        ("kaz_rulez:veto_china_dominance", "module 'kaz_rulez' not found"),
        ("kaz_rules:nope", "'kaz_rules' has no attribute 'nope'; callables there: veto_china"),
        ("kaz_rules:CAP", "'CAP' is not callable (it is a float)"),
    ],
)
def test_error_messages_quoted_on_the_page(docs_example, spec, message):
    assert message in DOC.read_text().replace("\n", " ")
    with pytest.raises(scosim.ScenarioError) as err:
        scosim.load_scenario(
            docs_example / "kaz_china_cap.yaml", overrides={"countries.KAZ.rules.vote": spec}
        )
    text = str(err.value)
    assert "countries.KAZ.rules.vote" in text and message in text


def test_unknown_hook_message_quoted_on_the_page(docs_example):
    with pytest.raises(scosim.ScenarioError) as err:
        scosim.load_scenario(
            docs_example / "kaz_china_cap.yaml",
            overrides={"countries.KAZ.rules.vot": "utility_vote"},
        )
    line = str(err.value).split("countries.KAZ.rules.vot: ", 1)[1].splitlines()[0]
    assert line.startswith("unknown hook 'vot' (did you mean 'vote'?); hooks are: ")
    assert f"`{line}`" in DOC.read_text(), "docs/rules.md quotes an outdated list of hooks"


# ------------------------------------------------------------------ entry points
PKG = "scosim_docs_plugin"


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    """A fake installed distribution exposing rules through the ``scosim.rules`` group.

    ``site/`` holds the package and its ``.dist-info`` (METADATA + entry_points.txt),
    exactly what pip leaves in site-packages; putting ``site/`` on sys.path makes
    ``importlib.metadata`` discover it.
    """
    site = tmp_path / "site"
    pkg = site / PKG
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "rules.py").write_text(
        textwrap.dedent(
            '''
            """Rules shipped by a third-party package."""
            import numpy as np


            def cautious(ctx):
                """No to everything: a state that never signs up."""
                return np.zeros(ctx.n_runs, dtype=bool)


            def patient(ctx):
                """Never leaves."""
                return False
            '''
        )
    )
    dist = site / f"{PKG}-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {PKG}\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[scosim.rules]\n"
        f"vote.cautious = {PKG}.rules:cautious\n"
        f"defect.patient = {PKG}.rules:patient\n"
        f"vote.broken = {PKG}.missing_module:rule\n"
    )
    monkeypatch.syspath_prepend(str(site))  # also invalidates import caches
    yield site
    for name in [n for n in sys.modules if n == PKG or n.startswith(PKG + ".")]:
        sys.modules.pop(name, None)


def test_entry_point_rule_is_discovered(installed_plugin):
    fn = resolve_rule("vote", "cautious")
    assert fn.__module__ == f"{PKG}.rules" and fn.__name__ == "cautious"
    assert resolve_rule("defect", "patient").__name__ == "patient"
    assert "cautious" in available_rules("vote")
    assert "patient" in available_rules("defect") and "patient" not in available_rules("vote")


def test_broken_entry_point_is_reported_plainly(installed_plugin):
    with pytest.raises(RuleError, match=r"rule vote/broken from entry point .* failed to load"):
        resolve_rule("vote", "broken")


def test_entry_point_rule_validates_in_a_scenario_and_changes_the_outcome(installed_plugin):
    base = SCENARIOS / "customs_union_consensus.yaml"
    committed = {"parameters.rules.vote": "always_yes", "parameters.rules.defect": "patient"}
    sc1 = scosim.load_scenario(base, overrides={**committed, "years.end": 2029})
    m1 = scosim.run_model(sc1, runs=[0, 1, 2])
    sc2 = scosim.load_scenario(
        base,
        overrides={**committed, "years.end": 2029, "countries.KAZ.rules.vote": "cautious"},
    )
    assert sc2.rules_for("KAZ")["vote"] == "cautious"
    m2 = scosim.run_model(sc2, runs=[0, 1, 2])
    # Everyone committed: the union forms in every run and nobody leaves (patient) ...
    assert _runs_of(m1, "adopted") == {0, 1, 2} and not _runs_of(m1, "defection")
    in1 = np.stack(m1.records["in_customs_union"], axis=1)
    assert in1[:, -1, m1.codes.index("KAZ")].all()
    # ... but Kazakhstan on the plug-in's "cautious" rule blocks it everywhere.
    assert not _runs_of(m2, "adopted")
    assert _runs_of(m2, "veto") == {0, 1, 2} and set(
        m2.log.to_frame().query("type == 'veto'")["country"]
    ) == {"KAZ"}


def test_uninstalled_plugin_name_fails_validation(tmp_path):
    # No fixture: the fake distribution is not on sys.path, so "cautious" is unknown.
    with pytest.raises(scosim.ScenarioError, match="unknown vote rule 'cautious'"):
        scosim.load_scenario(
            SCENARIOS / "customs_union_consensus.yaml",
            overrides={"countries.KAZ.rules.vote": "cautious"},
        )
