"""mesa's unused submodules are deferred (scosim._mesa), and still work when used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scosim._mesa import _deferred

ROOT = Path(__file__).resolve().parents[1]
#: What mesa's experimental, space and discrete_space modules import and scosim does not.
UNUSED = ("scipy.spatial", "networkx")


def _child(code: str, cwd: Path = ROOT) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=cwd, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_a_cli_run_loads_neither_scipy_spatial_nor_networkx(tmp_path):
    """A whole `scosim run` (with plots) never executes the deferred submodules."""
    got = _child(
        "import json, sys\n"
        "from scosim.cli import main\n"
        f"rc = main(['run', {str(ROOT / 'scenarios/customs_union.yaml')!r}, "
        f"'--replications', '3', '--out', {str(tmp_path)!r}, '--quiet'])\n"
        "import mesa\n"
        "print(json.dumps({'rc': rc, 'loaded': [m for m in sys.modules if m in "
        f"{UNUSED!r}], 'space_run': 'MultiGrid' in mesa.space.__dict__}}))\n",
        cwd=tmp_path,
    )
    assert got["rc"] == 0
    assert got["loaded"] == []
    assert not got["space_run"]  # the module object is there, its code has not run


def test_the_deferred_submodules_work_when_used():
    """First use runs the real module into the same object; imports from it work."""
    got = _child(
        "import json, sys\n"
        "import scosim.model.model\n"
        "import mesa\n"
        "before = 'networkx' in sys.modules\n"
        "grid = mesa.space.MultiGrid\n"
        "from mesa.space import MultiGrid\n"
        "from mesa.experimental.continuous_space import ContinuousSpace\n"
        "from mesa.discrete_space import OrthogonalMooreGrid\n"
        "print(json.dumps({'before': before, 'same': grid is MultiGrid,\n"
        "  'module': sys.modules['mesa.space'] is mesa.space,\n"
        "  'after': 'networkx' in sys.modules and 'scipy.spatial' in sys.modules,\n"
        "  'devs': hasattr(mesa.experimental, 'devs'),\n"
        "  'grid': OrthogonalMooreGrid.__module__, 'cs': ContinuousSpace.__name__}))\n"
    )
    assert got == {"before": False, "same": True, "module": True, "after": True,
                   "devs": True, "grid": "mesa.discrete_space.grid",
                   "cs": "ContinuousSpace"}


def test_dir_of_a_deferred_submodule_lists_what_the_eager_module_has():
    """dir() (tab completion, help) runs the module first, and leaves no hook behind."""
    code = (
        "import json, sys\n"
        "{first}\n"
        "import mesa\n"
        "names = {{m: dir(sys.modules[m]) for m in ('mesa.space', 'mesa.experimental',\n"
        "                                          'mesa.discrete_space')}}\n"
        "print(json.dumps({{'names': names,\n"
        "  'loaded': 'networkx' in sys.modules and 'scipy.spatial' in sys.modules}}))\n"
    )
    deferred = _child(code.format(first="import scosim.model.model"))
    eager = _child(code.format(first="import mesa"))
    assert "MultiGrid" in eager["names"]["mesa.space"]
    for name, listed in eager["names"].items():
        assert deferred["names"][name] == listed, name
    assert deferred["loaded"] and eager["loaded"]


def test_mesa_imported_first_is_left_alone():
    """A plug-in that imports mesa before scosim gets mesa's usual, eager import."""
    got = _child(
        "import json, sys, mesa\n"
        "import scosim.model.model as m\n"
        "print(json.dumps({'same': m.mesa is mesa,\n"
        "  'space_run': 'MultiGrid' in sys.modules['mesa.space'].__dict__}))\n"
    )
    assert got == {"same": True, "space_run": True}


def test_a_deferred_module_runs_once_on_first_use_and_retries_after_a_failure(tmp_path):
    """The hook runs the code once; a failing first run leaves it to run again."""
    import importlib.machinery

    (tmp_path / "scosim_probe_mod.py").write_text(
        "import builtins\n"
        "builtins.scosim_probe_runs = getattr(builtins, 'scosim_probe_runs', 0) + 1\n"
        "if builtins.scosim_probe_runs == 1:\n"
        "    raise RuntimeError('first run fails')\n"
        "VALUE = 42\n"
    )
    import builtins

    spec = importlib.machinery.PathFinder.find_spec("scosim_probe_mod", [str(tmp_path)])
    assert spec is not None
    module = _deferred(spec)
    try:
        assert getattr(builtins, "scosim_probe_runs", 0) == 0
        assert module.__name__ == "scosim_probe_mod"  # set from the spec: no run
        assert getattr(builtins, "scosim_probe_runs", 0) == 0
        with pytest.raises(RuntimeError, match="first run fails"):
            _ = module.VALUE
        assert module.VALUE == 42
        assert module.VALUE == 42
        assert builtins.scosim_probe_runs == 2
        with pytest.raises(AttributeError, match="no attribute 'MISSING'"):
            _ = module.MISSING
        assert builtins.scosim_probe_runs == 2
    finally:
        if hasattr(builtins, "scosim_probe_runs"):
            del builtins.scosim_probe_runs


def test_threads_touching_a_deferred_module_at_once_wait_for_one_run(tmp_path):
    """A second thread waits for the first run to finish instead of seeing half a module."""
    import importlib.machinery
    import threading

    (tmp_path / "scosim_slow_mod.py").write_text(
        "import builtins, time\n"
        "builtins.scosim_slow_runs = getattr(builtins, 'scosim_slow_runs', 0) + 1\n"
        "time.sleep(0.3)\n"
        "VALUE = 7\n"
    )
    import builtins

    spec = importlib.machinery.PathFinder.find_spec("scosim_slow_mod", [str(tmp_path)])
    module = _deferred(spec)
    got: list[object] = []
    barrier = threading.Barrier(3)

    def touch() -> None:
        barrier.wait()
        try:
            got.append(module.VALUE)
        except AttributeError as exc:  # what a half-run module would give
            got.append(exc)

    threads = [threading.Thread(target=touch) for _ in range(3)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert got == [7, 7, 7]
        assert builtins.scosim_slow_runs == 1
    finally:
        if hasattr(builtins, "scosim_slow_runs"):
            del builtins.scosim_slow_runs


def test_mesa_logging_names_the_same_modules_and_classes_without_walking_the_stack():
    """mesa's loggers get the names mesa's own frame walk gives, with no frame walk."""
    got = _child(
        "import inspect, json, logging\n"
        "def refuse(*a, **k):\n"
        "    raise AssertionError('frame walk')\n"
        "inspect.stack = inspect.getouterframes = refuse\n"
        "import scosim.model.model\n"
        "import mesa\n"
        "records = []\n"
        "class Keep(logging.Handler):\n"
        "    def emit(self, record):\n"
        "        records.append((record.name, record.getMessage()))\n"
        "log = logging.getLogger('MESA')\n"
        "log.setLevel(logging.DEBUG)\n"
        "log.addHandler(Keep())\n"
        "mesa.Model(seed=3)\n"
        "print(json.dumps({'logger': mesa.model._mesa_logger.name, 'records': records,\n"
        "                  'bound': mesa.mesa_logging is __import__('sys').modules[\n"
        "                      'mesa.mesa_logging']}))\n"
    )
    assert got["logger"] == "MESA.mesa.model"
    assert got["bound"]
    names = {name for name, _ in got["records"]}
    assert "MESA.mesa.model" in names
    assert any(msg.startswith("calling Model.__init__ with ") for _, msg in got["records"])
