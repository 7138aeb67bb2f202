import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run and machine, so a CI result does
# not depend on luck; HYPOTHESIS_PROFILE=explore draws fresh ones to hunt for failures
# (add what it finds as an @example).
settings.register_profile("fixed", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))


def _no_constants_from_loaded_modules() -> None:
    """Keep Hypothesis from drawing constants out of whichever project modules are loaded.

    Hypothesis (6.131 and later) mixes into its draws constants it finds in the local
    modules in ``sys.modules`` at the time. scosim imports much lazily, so that set,
    and with it a derandomized test's examples, depended on the tests that ran before
    (tests/test_hypothesis_order.py). There is no setting for it; the internal hook is
    replaced only if it is there, and that test fails if the dependence comes back.
    """
    from hypothesis.internal.conjecture import providers

    if hasattr(providers, "_get_local_constants") and hasattr(providers, "Constants"):
        none = providers.Constants()
        providers._get_local_constants = lambda: none


if settings().derandomize:
    _no_constants_from_loaded_modules()

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Rules written by "users" in tests live in tests/ and are imported by dotted path.
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def geometry_run(tmp_path_factory):
    """customs_union_variable_geometry.yaml with Pakistan committed (vg_union_forms.yaml),
    7 runs in 3 batches, no plots.

    Several batch files, so per-batch reads must be merged across files; states
    vote no year after year and a union of two forms (as scored, Pakistan would
    withdraw from a union with China alone, and nothing would form).
    """
    from scosim.runner import run

    out = tmp_path_factory.mktemp("results")
    res = run(FIXTURES / "model" / "vg_union_forms.yaml", replications=7,
              batch_size=3, out=out, progress=False, plots=False)
    assert len(res.manifest["batches"]) == 3
    return Path(res.path)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the figures a test leaves open (a plot function's caller keeps its figure):
    more than 20 at once makes matplotlib warn, and a later test that turns warnings into
    errors then failed on another test's figures."""
    yield
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


@pytest.fixture
def model_fixture():
    """Path of a YAML fixture under tests/fixtures/model/."""

    def get(name: str) -> Path:
        return FIXTURES / "model" / name

    return get


@pytest.fixture
def count_batches(monkeypatch):
    """Patch ``runner.run_batch`` to record batch ids, optionally Ctrl-C on call k.

    ``count_batches(fail_on_call=None)`` returns the list the ids are appended to.
    """
    import scosim.runner as runner

    def patch(fail_on_call=None):
        calls = []
        real = runner.run_batch

        def counted(spec):
            calls.append(spec.batch_id)
            if fail_on_call is not None and len(calls) == fail_on_call:
                raise KeyboardInterrupt
            return real(spec)

        monkeypatch.setattr(runner, "run_batch", counted)
        return calls

    return patch


#: The worked example's package (docs/proposals.md): ``pyproject.toml`` and ``scosim_visa/``.
VISA_PKG = Path(__file__).resolve().parent / "plugin_pkgs" / "scosim-visa"


def visa_entry_points() -> str:
    """``entry_points.txt`` of the example package, from its ``pyproject.toml``."""
    import tomllib

    groups = tomllib.loads((VISA_PKG / "pyproject.toml").read_text())["project"]["entry-points"]
    return "".join(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()) + "\n"
                   for group, eps in groups.items())


def forget_visa_modules() -> None:
    """Drop the example package's modules (and what their import registered).

    Every registry keeps the first origin it saw for a name: a proposal type, mechanism or
    rule the fake ``.dist-info`` of :func:`visa_plugin` loaded stayed registered with that
    origin, so tests/test_visa_package.py's real pip install, later in the same session,
    read ``scosim_visa 0.1`` where it installed ``scosim-visa 0.1.0``.
    """
    from scosim.model.decision_rules import _REGISTRY as decisions
    from scosim.model.slots import _REGISTRY as mechanisms
    from scosim.proposals import _REGISTRY as types
    from scosim.rules.registry import _REGISTRY as rules

    def from_visa(obj: object) -> bool:
        return str(getattr(obj, "__module__", "")).split(".")[0] == "scosim_visa"

    for name in [m for m in sys.modules if m == "scosim_visa" or m.startswith("scosim_visa.")]:
        sys.modules.pop(name, None)
    for name in [n for n, o in decisions._origins.items() if o != "builtin"]:
        decisions._items.pop(name, None)
        decisions._origins.pop(name, None)
    for registry in (types, mechanisms):
        for name in [n for n, obj in registry._items.items() if from_visa(obj)]:
            registry._items.pop(name, None)
            registry._origins.pop(name, None)
    for hooks in rules.values():
        for name in [n for n, fn in hooks.items() if from_visa(fn)]:
            hooks.pop(name, None)


@pytest.fixture
def visa_plugin(tmp_path, monkeypatch):
    """Install tests/plugin_pkgs/scosim-visa as a distribution with its entry points.

    A ``.dist-info`` folder (METADATA + entry_points.txt) on ``sys.path`` is what
    pip leaves in site-packages; ``importlib.metadata`` then finds the entry points
    (those of the package's ``pyproject.toml``; tests/test_visa_package.py installs it
    with pip itself).
    """
    dist = tmp_path / "scosim_visa-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: scosim_visa\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(visa_entry_points())
    monkeypatch.syspath_prepend(str(VISA_PKG))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    forget_visa_modules()


@pytest.fixture
def failing_baseline(tmp_path, monkeypatch):
    """``(small_cu.yaml, broken.yaml)`` in ``tmp_path``: the second's vote rule raises.

    The baseline fails only once the model votes, after validation: what a compare
    meets when its second run fails (tests of compare's and the explorer's cleanup).
    """
    module = "cc_failing_rule"
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / f"{module}.py").write_text(
        "def vote(*args, **kwargs):\n    raise ValueError('no vote today')\n")
    model = Path(__file__).resolve().parent / "fixtures" / "model"
    for name in ("small_base.yaml", "small_cu.yaml"):
        (tmp_path / name).write_text((model / name).read_text())
    broken = tmp_path / "broken.yaml"
    broken.write_text("extends: small_cu.yaml\nname: broken_base\n"
                      f"parameters:\n  rules: {{vote: '{module}:vote'}}\n")
    yield tmp_path / "small_cu.yaml", broken
    sys.modules.pop(module, None)


@pytest.fixture
def check_scaled_preview():
    """Check that a proposal's preview of a batch is, row by row, each run's preview alone.

    ``check(scenario)``: after the first year, runs 0, 1 and 2 have their security efforts
    halved, kept and raised by half (so their security terms differ: asserted), and the
    first proposal's preview of the batch must equal each run's own preview bit for bit
    (gain, scores and info). The shipped scenarios' runs share one security state, so the
    contract kit alone cannot see a preview that mixes runs.
    """
    import numpy as np

    from scosim.model.model import SCOModel
    from scosim.security.mechanism import security_state

    scale = {0: 0.5, 1: 1.0, 2: 1.5}

    def preview(sc, runs):
        model = SCOModel(sc, runs=runs)
        model.step()  # the state the next year's vote previews from
        _, state, _ = security_state(model)
        f = np.array([scale[r] for r in runs])[:, None, None]
        state.efforts[...] = np.clip(state.efforts * f, 0.0, 1.0)
        arr = model.arrangements[0]
        return arr.preview(model, arr.invitees(model))

    def check(sc) -> None:
        batch = preview(sc, [0, 1, 2])
        # The index change (the damage avoided is a millionth of income: relative to it).
        sec = batch.info["security_index_gain"]
        assert np.abs(sec[0] - sec[1]).max() > 1e-3 and np.abs(sec[2] - sec[1]).max() > 1e-3
        dmg = batch.scores["security"]
        assert np.abs(dmg[0] - dmg[1]).max() > 1e-3 * np.abs(dmg).max() > 0
        for k in range(3):
            alone = preview(sc, [k])
            np.testing.assert_array_equal(alone.gain[0], batch.gain[k])
            for key in alone.scores:
                np.testing.assert_array_equal(alone.scores[key][0], batch.scores[key][k])
            for key in alone.info:
                np.testing.assert_array_equal(alone.info[key][0], batch.info[key][k])

    return check


@pytest.fixture
def kept_figures(monkeypatch):
    """Figures the plot functions would close (``scosim.plots.plt.close``), kept open for
    inspection and closed after the test."""
    from scosim import plots

    kept: list = []
    close = plots.plt.close
    monkeypatch.setattr(plots.plt, "close", kept.append)
    yield kept
    for fig in kept:
        close(fig)


@pytest.fixture
def forget_test_plugins():
    """Unregister the proposal types and mechanisms a test's scenarios named, after it.

    Registries hold every class a scenario named: a test's plug-in, left there, would
    clash with a later test's or lend its declarations (units, indicators) to later
    tests' tables.
    """
    from scosim.model.slots import _REGISTRY as mechanisms
    from scosim.proposals import _REGISTRY as types

    saved = [(r, set(r._items)) for r in (types, mechanisms)]
    yield
    for r, before in saved:
        # Built-ins loaded lazily meanwhile stay registered; only the test's go.
        for name in [n for n in r._items if n not in before and r._origins.get(n) != "builtin"]:
            r._items.pop(name, None)
            r._origins.pop(name, None)


@pytest.fixture(scope="module")
def cal():
    """The 2023 calibration (the CET schedule's tests)."""
    from scosim.data import load_calibration

    return load_calibration("2023")


@pytest.fixture(scope="module")
def weights(cal):
    """:func:`scosim.mechanisms.cet_schedule.composition_weights` of the 2023 calibration."""
    from scosim.mechanisms.cet_schedule import composition_weights

    return composition_weights(cal.trade_matrix(), cal.vector("fuel_exports_pct") / 100.0)


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped scenarios, used with relative paths like a user's checkout.

    The explorer's tests share it; a test file that needs other scenarios defines its own
    ``workdir``, which pytest uses instead.
    """
    import shutil

    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    return tmp_path
