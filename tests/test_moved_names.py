"""Names split out of a module (size) stay importable from where they were, as the same objects.

Plug-ins, tools and notebooks import ``scosim.run_headline``, ``scosim.network.routing`` and
``scosim.experiments.sweep``; each piece split from them (:mod:`scosim.headline_rows`,
:mod:`scosim.exit_answer`, :mod:`scosim.network.freight_graph`,
:mod:`scosim.experiments.sweep_plot`) is re-exported there, and a monkeypatch or a ``wrap`` of
the old module's attribute (``benchmarks/trace_memory.py``, ``tests/test_sweep_checks.py``)
still reaches the callers that look it up there (``tests/test_sweep_checks.py`` checks that
for ``plot_sweep``).
"""

from __future__ import annotations

import importlib

import pytest

# (old module, new module, names that moved): the public names as they were before the split.
MOVED = [
    ("scosim.run_headline", "scosim.headline_rows",
     ("OTHERS", "SHOWN", "WELFARE_COLUMNS", "has_answer", "headline_table")),
    ("scosim.run_headline", "scosim.exit_answer", ("barred_lines", "exit_lines")),
    ("scosim.network.routing", "scosim.network.freight_graph",
     ("ACCESS", "LAYERS", "TRANSFER", "TRAVEL", "FreightGraph", "build_freight_graph")),
    ("scosim.experiments.sweep", "scosim.experiments.sweep_plot",
     ("add_footnote", "large_scale", "plot_sweep")),
]


@pytest.mark.parametrize(("old", "new", "names"), MOVED, ids=[f"{m[0]}<-{m[1]}" for m in MOVED])
def test_a_moved_name_is_the_same_object_where_it_was(old: str, new: str,
                                                      names: tuple[str, ...]) -> None:
    old_mod, new_mod = importlib.import_module(old), importlib.import_module(new)
    for name in names:
        assert getattr(old_mod, name) is getattr(new_mod, name), name
        assert name in old_mod.__all__, f"{old}.__all__ lacks {name}"
        assert name in new_mod.__all__, f"{new}.__all__ lacks {name}"


def test_the_old_modules_still_export_what_they_did() -> None:
    """Every name the three modules exported before the split (their ``__all__`` or, for the
    sweep module that had none, what ``scosim.experiments`` and the tests import)."""
    from scosim import run_headline
    from scosim.experiments import sweep
    from scosim.network import routing

    before = {
        run_headline: ("HEADLINE_FILE", "exit_lines", "has_answer", "headline_of_run",
                       "headline_table", "headline_text", "with_footer", "worked_out_headline",
                       "write_headline", "FROM_TABLES", "WITH_PLOTS", "OTHERS", "barred_lines"),
        routing: ("ACCESS", "LAYERS", "TRANSFER", "TRAVEL", "FreightGraph", "Routes",
                  "arc_weights", "build_freight_graph", "economy_costs", "least_cost_routes",
                  "path_money_days", "route_edges", "t_hat_from_costs"),
        sweep: ("BAND_SUFFIXES", "EXIT_COLUMN", "ModelFn", "Outcome", "ScenarioModelFn",
                "_check_bounds", "_run_points", "add_footnote", "design_specs", "evaluate",
                "grid", "ishigami", "large_scale", "latin_hypercube", "plot_sweep"),
    }
    for mod, names in before.items():
        missing = [n for n in names if not hasattr(mod, n)]
        assert not missing, f"{mod.__name__} no longer has {missing}"

