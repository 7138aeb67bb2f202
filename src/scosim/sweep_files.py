"""The files a sweep writes that carry its numbers: the design's outputs and the indices.

Kept apart from :mod:`scosim.api_sweep` (which re-exports :func:`write_design`) for size.
Each says what its numbers are without this code: the design's output columns their
unit, the indices their interval level and (Morris) their unit; the manifest's
:func:`sweep_versions` the code, data and scenario the numbers come from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd


def write_design(table: pd.DataFrame, path: Path, outputs: list[str]) -> None:
    """Write a sweep's points and outputs, each output column with its unit.

    The unit is the indicator's as stored (``US$``, not the billions printed): field
    metadata ``unit`` of the output's column, e.g.
    ``pyarrow.parquet.read_schema(path).field("gdp_usd:KAZ").metadata[b"unit"]``; an
    output whose indicator declares none has no ``unit``.

    Args:
        table: A column per parameter and per output, a row per point.
        path: The ``design_outputs.parquet`` to write.
        outputs: The output columns (``INDICATOR:COUNTRY[:YEAR]``).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from scosim.sweep_text import output_unit

    data = pa.Table.from_pandas(table, preserve_index=False)
    units = {o: output_unit(o) for o in outputs}
    # A file read without this code still says what its numbers are (raw US$ looked
    # like millions beside the figure's axis).
    schema = pa.schema([f.with_metadata({"unit": units[f.name]}) if units.get(f.name) else f
                        for f in data.schema], metadata=data.schema.metadata)
    pq.write_table(data.cast(schema), path)


def write_indices(res: Any, path: Path) -> None:
    """Write a sensitivity analysis's ``indices.csv``, saying its level and units.

    The indices as computed (full precision, US$ as such), then ``conf_level``, the
    level of the ``*_conf`` half-widths (0.95), and for Morris ``unit``: what ``mu``,
    ``mu_star``, ``mu_star_conf`` and ``sigma`` are in, e.g. ``"US$ per full range of
    the parameter"`` (a Morris effect of ``gdp_usd`` read 3.764e+12 with no unit).
    Sobol indices are shares of variance, without a unit.

    Args:
        res: A :class:`~scosim.experiments.sensitivity.SensitivityResult`.
        path: The ``indices.csv`` to write.
    """
    from scosim.sweep_text import output_unit

    table = res.indices.assign(conf_level=float(res.conf_level))
    if res.method == "morris":
        per = " per full range of the parameter"
        table["unit"] = [(output_unit(o) or "output units") + per for o in table["output"]]
    table.to_csv(path, index=False)


def sweep_versions(sc: Any, versions: dict[str, str]) -> dict[str, Any]:
    """What a sweep's manifest records of the code, data and scenario, as a run's does.

    The keys of ``scosim run``'s manifest: ``scenario_hash`` (of the scenario as
    loaded; the sweep's parameters vary it point by point), ``package_version``,
    ``code_version``, ``data_version``, ``network_version``, ``data_base_year`` and
    ``plugin_versions`` (``""`` with built-in plug-ins only), and beside it the same two
    structured fields: ``plugins`` (:func:`scosim.plugins.plugin_origins`: where each
    type, mechanism, rule and decision rule came from, and what they declare) and
    ``plugin_record`` (:func:`scosim.experiments.versions.plugin_record`: each plug-in
    scosim does not ship, with its distribution, version, entry point and code's hash),
    so a sweep made with a plug-in says which and can be made again. Until 2026-12-06 a
    sweep's manifest had the string alone. The versions are those the runs were checked
    against (``ScenarioModelFn.versions``), which the resume key hashes too.

    Args:
        sc: The loaded scenario.
        versions: :func:`scosim.experiments.versions.scenario_versions` of it.
    """
    from scosim.data import load_calibration
    from scosim.experiments.versions import PLUGINS, plugin_record
    from scosim.plugins import plugin_origins
    from scosim.scenario import scenario_hash

    return {
        "scenario_hash": scenario_hash(sc),
        "package_version": versions["package"],
        "code_version": versions.get("code", ""),
        "data_version": versions["data"],
        "network_version": versions["network"],
        "data_base_year": int(load_calibration().base_year),
        "plugins": plugin_origins(sc),
        "plugin_versions": versions.get(PLUGINS, ""),
        "plugin_record": plugin_record(sc),
    }
