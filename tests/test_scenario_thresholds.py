"""The warning on an exit threshold given in percent prints the value as given."""

from __future__ import annotations

from scosim.scenario.thresholds import percent_slip


def test_a_refused_threshold_is_printed_with_every_digit() -> None:
    # -0.1 is the plausible bound and passes; -0.1000001 lies beyond it. Until 2026-12-06
    # %g printed it as "-0.1 is a threshold of -10 %", the value that passes.
    assert percent_slip(-0.1, "--lo") is None
    msg = percent_slip(-0.1000001, "--lo")
    assert msg is not None
    assert msg.startswith("--lo -0.1000001 is a threshold of -10.00001 % of real expenditure")
    assert "did you mean -0.001000001 (-0.1000001 %)?" in msg


def test_a_round_threshold_reads_as_before() -> None:
    msg = percent_slip(-0.55, "parameters.council.exit_threshold")
    assert msg == ("parameters.council.exit_threshold -0.55 is a threshold of -55 % of real "
                   "expenditure (thresholds are fractions): did you mean -0.0055 (-0.55 %)?")
