"""Bad input, tried from the outside (second round): what tests/test_audit_inputs.py missed.

Each test reproduces a defect found by running the real CLI in a scratch directory
and checks the fix: one clear message naming what is wrong, exit status 2, no
traceback, and nothing left under the results root.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from scosim.cli import main
from scosim.results import PARTIAL_PREFIX
from scosim.runner import run

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL_BASE = FIXTURES / "model" / "small_base.yaml"  # 6 replications, 4 years
SMALL_CU = FIXTURES / "model" / "small_cu.yaml"  # extends it


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    """A finished run of ``small_base`` (2 replications, no plots)."""
    out = tmp_path_factory.mktemp("finished") / "results"
    return run(SMALL_BASE, out=out, replications=2, progress=False, plots=False).path


def _runs(root: Path) -> list[str]:
    """Every run directory (finished or partial) under a results root."""
    return sorted(str(p.parent.relative_to(root)) for p in root.glob("*/*/manifest.json"))


# ------------------------------------------------------------------ damaged manifests


@pytest.mark.parametrize("text", ["[]", "null", '"complete"'])
def test_a_manifest_that_is_json_but_not_an_object_is_named(tmp_path, capsys, finished_run,
                                                             text):
    """A manifest.json holding ``[]`` or ``null`` (valid JSON, not an object) ended show,
    list and compare in "AttributeError: 'list' object has no attribute 'get'"."""
    root = tmp_path / "results"
    damaged = root / "small_base" / "damaged"
    shutil.copytree(finished_run, damaged)
    (damaged / "manifest.json").write_text(text)
    good = root / "small_base" / finished_run.name
    shutil.copytree(finished_run, good)

    assert main(["show", str(damaged)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"scosim: error: {damaged / 'manifest.json'} is damaged: it holds "
                          f"{text}, not a JSON object")
    assert "Traceback" not in err
    assert main(["compare", str(damaged), str(good), "--out", str(root), "--quiet"]) == 2
    assert "is damaged: it holds" in capsys.readouterr().err
    assert main(["list", "--out", str(root)]) == 0
    listed = capsys.readouterr().out
    assert "damaged manifest" in listed and finished_run.name in listed
    assert not (root / "compare").exists()


def test_a_partial_run_with_a_damaged_manifest_is_not_resumed_and_does_not_stop_a_run(
        tmp_path, capsys):
    """``scosim run`` looks for an interrupted run to resume; one whose manifest held
    ``[]`` stopped it with an AttributeError."""
    root = tmp_path / "results"
    partial = root / "small_base" / f"{PARTIAL_PREFIX}20250101T000000-x"
    partial.mkdir(parents=True)
    (partial / "manifest.json").write_text("[]")
    assert main(["run", str(SMALL_BASE), "--out", str(root), "--replications", "2",
                 "--quiet", "--no-plots"]) == 0
    assert "resumed" not in capsys.readouterr().err
    assert (partial / "manifest.json").read_text() == "[]"  # left as it was


# ------------------------------------------------------------------ compare runs nothing in vain


def _year_file(tmp_path: Path, start: int, end: int) -> Path:
    path = tmp_path / "later.yaml"
    path.write_text(f"extends: {SMALL_BASE}\nname: later\nyears: {{start: {start}, end: {end}}}\n")
    return path


@pytest.mark.parametrize(("case", "message"), [
    ("missing baseline", "no finished run 'nope' under"),
    ("other seed", "policy and baseline have different seed (3 vs 7)"),
    ("no common year", "policy (2025-2028) and baseline (2031-2034) simulate no common year"),
    ("year outside", "--year 2040 is not a year both runs simulated (2025-2028)"),
])
def test_compare_refuses_before_it_runs_a_scenario_file(tmp_path, capsys, finished_run, case,
                                                        message):
    """A policy YAML file was run (and its run left under --out) before the comparison
    found the baseline missing, of another seed, of other years, or --year outside them."""
    root = tmp_path / "results"
    base = root / "small_base" / finished_run.name
    shutil.copytree(finished_run, base)  # seed 7, 2 replications, 2025-2028
    args = {
        "missing baseline": [str(SMALL_CU), "nope", "--replications", "2"],
        "other seed": [str(SMALL_CU), str(base), "--replications", "2", "--seed", "3"],
        "no common year": [str(SMALL_CU), str(_year_file(tmp_path, 2031, 2034))],
        "year outside": [str(SMALL_CU), str(SMALL_BASE), "--year", "2040"],
    }[case]
    before = _runs(root)
    assert main(["compare", *args, "--out", str(root), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert _runs(root) == before
    assert not (root / "compare").exists()


# ------------------------------------------------------------------ explore's address


@pytest.fixture
def no_server(monkeypatch):
    """``os.execve`` replaced: a test that reached the server start fails, not hangs."""
    import os

    def execve(*args: object) -> None:
        raise AssertionError("the server was started")

    monkeypatch.setattr(os, "execve", execve)


@pytest.mark.parametrize(("port", "said"), [
    ("-1", "argument --port: -1 is not a port number: give 1-65535"),
    ("99999", "argument --port: 99999 is not a port number: give 1-65535"),
    ("0", "argument --port: 0 is not a port number: give 1-65535"),
])
def test_explore_refuses_a_port_number_out_of_range(capsys, no_server, port, said):
    """``--port -1`` or ``99999`` started the server, which stopped on a traceback
    ("OverflowError: bind(): port must be 0-65535")."""
    pytest.importorskip("streamlit")
    with pytest.raises(SystemExit) as info:
        main(["explore", "--scenarios", str(FIXTURES / "model"), "--port", port])
    assert info.value.code == 2
    assert said in capsys.readouterr().err


def test_explore_refuses_a_host_or_port_it_cannot_listen_on(tmp_path, capsys, no_server):
    """An unknown --host ended in a traceback (socket.gaierror) from inside Streamlit; a
    port in use was Streamlit's "Port N is not available", exit status 1; an --out that
    is a file was found only when a run on the page failed."""
    import socket

    pytest.importorskip("streamlit")
    pytest.importorskip("plotly")
    scenarios = ["explore", "--scenarios", str(FIXTURES / "model")]
    assert main([*scenarios, "--host", "no-such-host.invalid", "--port", "18781"]) == 2
    assert capsys.readouterr().err.startswith(
        "scosim: error: --host no-such-host.invalid: not an address of this machine (")
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        assert main([*scenarios, "--port", str(port)]) == 2
    assert capsys.readouterr().err == (
        f"scosim: error: --host 127.0.0.1 --port {port}: in use by another program; give "
        "another --port\n")
    afile = tmp_path / "afile"
    afile.write_text("")
    assert main([*scenarios, "--out", str(afile)]) == 2
    assert capsys.readouterr().err.startswith(f"scosim: error: --out {afile} is a file")


# ------------------------------------------------------------------ an empty --out


OUT_COMMANDS = [
    ["run", str(SMALL_BASE), "--replications", "2", "--quiet", "--no-plots"],
    ["list"],
    ["show", "small_base"],
    ["compare", str(SMALL_CU), str(SMALL_BASE), "--quiet"],
    ["sweep", str(SMALL_BASE), "--param", "parameters.trade.sigma=4:6", "--method", "lhs",
     "--n", "2", "--output", "gdp_usd:KAZ", "--quiet"],
    ["hindcast", "--replications", "1"],
    ["explore", "--scenarios", str(FIXTURES / "model")],
]


@pytest.mark.parametrize("command", OUT_COMMANDS)
def test_an_empty_out_is_refused_by_every_command(tmp_path, monkeypatch, capsys, no_server,
                                                  command):
    """``--out ""`` (a variable left unset) wrote a run into the current directory and
    made ``scosim list`` say "no runs under /"."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main([*command, "--out", ""])
    assert info.value.code == 2
    assert capsys.readouterr().err == (
        f"scosim {command[0]}: error: --out is empty; give a results directory (or leave "
        "the option out for the default)\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", OUT_COMMANDS)
def test_a_non_utf8_out_is_refused_before_anything_runs(tmp_path, monkeypatch, capsys,
                                                         no_server, command):
    """A directory name with a byte that is not UTF-8 failed in the first batch
    ("UnicodeEncodeError ... surrogates not allowed"): the results record paths in UTF-8."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main([*command, "--out", os.fsdecode(b"res\xff")])
    assert info.value.code == 2
    assert capsys.readouterr().err == (
        f"scosim {command[0]}: error: --out 'res\\xff' is not valid UTF-8 (the results "
        "record their paths in UTF-8); choose a directory name in UTF-8\n")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ numbers the model cannot take


@pytest.mark.parametrize("value", ["1.5", "3"])
def test_a_trust_gain_above_one_is_refused(tmp_path, capsys, value):
    """``trust_gain: 3`` was accepted and moved trust out of [0, 1] (``trust + gain x
    (1 - trust)`` overshoots): trust_received ran from -37 to 77 in a customs union run."""
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {SMALL_CU}\nname: s\nparameters:\n  council: {{trust_gain: "
                    f"{value}}}\n")
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"scosim: error: {path}:4: parameters.council.trust_gain: {value} is out of range: "
        "must be <= 1.0 (allowed: 0 <= trust_gain <= 1)\n")
    # Only the field: the file's extends path may contain the digit (a clone's temp name).
    path.write_text(path.read_text().replace(f"trust_gain: {value}", "trust_gain: 1"))
    assert main(["validate", str(path)]) == 0  # all of the gap closed in a year


@pytest.mark.parametrize(("body", "said"), [
    ("parameters:\n  growth: {mode: fixed, rate: 3}\n",
     "4: parameters.growth.rate: every value must be in (-1, 1] (a fraction a year: 0.03 "
     "means 3 %), got 3"),
    ("parameters:\n  growth: {mode: fixed, rate: {2025: 0.03, 2027: 500}}\n",
     "4: parameters.growth.rate: every value must be in (-1, 1] (a fraction a year: 0.03 "
     "means 3 %), got 500"),
    ("events:\n  - {type: gdp_shock, year: 2026, countries: [KAZ], size: 5}\n",
     "4: events[0].size: 5 is out of range: must be <= 1 (a doubling); size is a fraction: "
     "0.05 means 5 %"),
    ("events:\n  - {type: gdp_shock, year: 2026, countries: [KAZ], size: 1.0e+300}\n",
     "4: events[0].size: 1e+300 is out of range: must be <= 1 (a doubling)"),
])
def test_a_growth_rate_or_gdp_shock_written_as_a_percentage_is_refused(tmp_path, capsys, body,
                                                                       said):
    """``rate: 3`` or a shock ``size: 5`` meant as percent ran at 300 % a year or a sixfold
    GDP without a word; ``rate: 500`` or ``size: 1e300`` passed validation and the run
    then failed, exit 1, on "growth factors must be finite and > 0"."""
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {SMALL_CU}\nname: s\n{body}")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"scosim: error: {path}:{said}") and err.count("\n") == 1


# ------------------------------------------------------------------ compare of what is not a run


def test_compare_of_a_folder_or_a_file_says_what_it_is(tmp_path, capsys, finished_run):
    """``scosim show`` said what a scenario's folder or a stray file is; ``scosim compare``
    said "no finished run 'results/x' under results/", and given the folder twice, "the
    same run"."""
    root = tmp_path / "results"
    run_dir = root / "small_base" / finished_run.name
    shutil.copytree(finished_run, run_dir)
    folder = run_dir.parent
    assert main(["compare", str(folder), str(run_dir), "--out", str(root), "--quiet"]) == 2
    assert capsys.readouterr().err == (
        f"scosim: error: {folder} is a directory but not a run (it has no manifest.json); "
        f"it holds 1 run(s), e.g. {run_dir}\n")
    assert main(["compare", str(tmp_path), str(tmp_path), "--out", str(root), "--quiet"]) == 2
    assert capsys.readouterr().err.startswith(
        f"scosim: error: {tmp_path} is a directory but not a run")
    afile = tmp_path / "notes.txt"
    afile.write_text("")
    assert main(["compare", str(run_dir), str(afile), "--out", str(root), "--quiet"]) == 2
    assert capsys.readouterr().err.startswith(
        f"scosim: error: {afile} is a file, not a run directory")
    assert not (root / "compare").exists()


def test_a_grid_of_one_value_per_range_is_refused(tmp_path, capsys):
    """``--method grid --n 1`` with ``sigma=4:6`` ran sigma 4 alone: HIGH was dropped."""
    out = tmp_path / "results"
    code = main(["sweep", str(SMALL_BASE), "--param", "parameters.trade.sigma=4:6",
                 "--method", "grid", "--n", "1", "--output", "gdp_usd:KAZ", "--out", str(out),
                 "--quiet", "--replications", "1"])
    assert code == 2
    assert capsys.readouterr().err == (
        "scosim: error: --n 1: a grid takes n evenly spaced values from LOW to HIGH of "
        "parameters.trade.sigma, so n must be 2 or more (1 would run LOW alone); to run one "
        "value, write parameters.trade.sigma=VALUE\n")
    assert not out.exists()


@pytest.mark.parametrize("out", ["afile", "afile/sub"])
def test_hindcast_names_an_out_that_is_a_file_before_it_runs_the_records(
        tmp_path, capsys, monkeypatch, out):
    """``--out`` naming a file was found after every record had run (7 s at the default
    10 replications), and said as "File exists: afile"."""
    import scosim.hindcast.report as report

    def records(*args: object) -> None:
        raise AssertionError("the records were run")

    monkeypatch.setattr(report, "run_hindcast", records)
    (tmp_path / "afile").write_text("")
    monkeypatch.chdir(tmp_path)
    assert main(["hindcast", "--out", out]) == 2
    assert capsys.readouterr().err == (
        f"scosim: error: --out {out}: afile is a file, not a directory; give a directory, "
        "or a path that does not exist yet\n")


# ------------------------------------------------------------------ runs in an object store


def test_show_of_a_url_whose_file_system_is_unknown_says_what_it_takes(capsys):
    """``scosim show foo://x/y`` said only "Protocol not known: foo"."""
    assert main(["show", "foo://x/y"]) == 2
    assert capsys.readouterr().err == (
        "scosim: error: foo://x/y: not a location scosim can read a run from (Protocol not "
        "known: foo); give a run directory, a run id, a scenario name or a run's URL such "
        "as s3://bucket/results/<scenario>/<run id>\n")


@pytest.mark.parametrize("command", [["show", "s3://bucket/results/x/y"],
                                     ["list", "--out", "s3://bucket/results"]])
def test_show_and_list_of_an_object_store_that_cannot_be_reached_are_one_line(
        tmp_path, monkeypatch, capsys, command):
    """botocore's EndpointConnectionError (not an OSError) went out of ``show`` and
    ``list`` as a traceback with exit status 1 (``run`` already said it in one line)."""
    import socket

    s3fs = pytest.importorskip("s3fs")
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-role lookup
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    s3fs.S3FileSystem.clear_instance_cache()
    try:
        code = main(command)
    finally:
        s3fs.S3FileSystem.clear_instance_cache()
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("scosim: error: the object store could not be used "
                          "(EndpointConnectionError: Could not connect to the endpoint URL: "
                          f"\"http://127.0.0.1:{port}/bucket")
    assert err.count("\n") == 1


# ------------------------------------------------------------------ files that never end


def test_a_scenario_file_above_the_size_limit_is_refused_unread(tmp_path, capsys):
    """A scenario file was read whole before any check: 16 MiB of NULs were read and
    then reported as a YAML error."""
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(16 * 2**20 + 1)  # one byte above scosim.scenario.loader.MAX_BYTES
    assert main(["validate", str(big)]) == 2
    assert capsys.readouterr().err == (
        f"scosim: error: {big}: <root>: more than 16 MiB: not a scenario file (scenarios are "
        "a few kB of YAML); give a scenario YAML file\n")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_as_a_scenario_or_its_parent_does_not_eat_the_memory(tmp_path):
    """``scosim validate /dev/zero`` (or a file that extends it) read until the kernel
    killed it for memory. Run in a child limited to 2 GiB of address space, so that the
    old behaviour fails this test (MemoryError) instead of the machine."""
    import resource
    import subprocess
    import sys

    child = tmp_path / "child.yaml"
    child.write_text("extends: /dev/zero\nname: c\n")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

    for scenario in ("/dev/zero", str(child)):
        done = subprocess.run([sys.executable, "-m", "scosim.cli", "validate", scenario],
                              capture_output=True, text=True, timeout=120, preexec_fn=limit)
        assert done.returncode == 2, done.stderr
        assert done.stderr == (
            "scosim: error: /dev/zero: <root>: more than 16 MiB: not a scenario file "
            "(scenarios are a few kB of YAML); give a scenario YAML file\n")


@pytest.mark.parametrize(("text", "line", "column", "code"), [
    (b"name: a\x00\n", 1, 8, "0000"),
    (b"name: t\n# a \x07 in a comment\n", 2, 5, "0007"),
    (b"\x00" * 50, 1, 1, "0000"),
])
def test_a_control_character_in_a_scenario_is_named_with_its_line(tmp_path, capsys, text, line,
                                                                  column, code):
    """A NUL or another control character in a scenario went out as a
    ``yaml.reader.ReaderError`` traceback with exit status 1."""
    path = tmp_path / "s.yaml"
    path.write_bytes(text)
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"scosim: error: {path}:{line}: <syntax>: character U+{code} at column {column} is not "
        "allowed in YAML (of the control characters, only tab, line feed and carriage return "
        "are); remove it\n")


# ------------------------------------------------------------------ a sweep's size


def test_a_grid_too_large_for_64_bit_integers_is_counted_and_refused(tmp_path, capsys):
    """The grid's size was np.prod of int64: 100,000 values of four ranges were counted as
    7,766,279,631,452,241,920 points, and 65,536 of four as 0, which passed the limit and
    then built the grid until the kernel killed scosim for memory."""
    from scosim.api_sweep import design_points

    four = {f"p{i}": (0.0, 1.0) for i in range(4)}
    assert design_points("grid", four, 65536) == 2**64
    out = tmp_path / "results"
    params = [a for name in ("parameters.trade.sigma=3:6", "parameters.council.vote_noise=0:1",
                             "parameters.weights.econ=0:1", "parameters.weights.trust=0:1")
              for a in ("--param", name)]
    code = main(["sweep", str(SMALL_BASE), *params, "--method", "grid", "--n", "100000",
                 "--output", "gdp_usd:KAZ", "--out", str(out), "--quiet"])
    assert code == 2
    assert capsys.readouterr().err.startswith(
        "scosim: error: sweep: 100,000,000,000,000,000,000 points x 1 replication")
    assert not out.exists()


# ------------------------------------------------------------------ recursion


def test_a_long_extends_chain_is_an_error_not_a_recursion_error(tmp_path, capsys):
    """1,500 files each extending the next ended in a RecursionError traceback; 64 load."""
    for n, prefix in ((64, "ok"), (1500, "long")):
        for i in range(n):
            parent = f"extends: {prefix}{i + 1}.yaml\n" if i < n - 1 else ""
            (tmp_path / f"{prefix}{i}.yaml").write_text(f"{parent}name: s{i}\n")
    assert main(["validate", str(tmp_path / "ok0.yaml")]) == 0
    capsys.readouterr()
    assert main(["validate", str(tmp_path / "long0.yaml")]) == 2
    assert capsys.readouterr().err == (
        f"scosim: error: {tmp_path / 'long63.yaml'}:1: extends: more than 64 files extend one "
        f"another from {tmp_path / 'long0.yaml'} (real chains: 2 or 3); extend a file nearer "
        "the baseline\n")


def test_an_override_nested_thousands_deep_is_an_error_not_a_recursion_error(capsys):
    """``--set description=[[[[...`` (5,000 brackets) ended in a RecursionError traceback:
    the file loader caps nesting, the override parser did not."""
    assert main(["validate", str(SMALL_BASE), "--set", "description=" + "[" * 5000]) == 2
    assert capsys.readouterr().err == (
        "scosim: error: <override>:1: description: value nests lists or mappings too deeply; "
        "a scenario nests at most 64 levels\n")
