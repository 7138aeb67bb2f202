"""The figures' words are the answer's and the model's (reviewer's finding 12)."""

from scosim.event_labels import event_label
from scosim.plot_votes import TERM_LABELS


def test_the_dominance_term_names_the_largest_participant():
    # docs/model.md: the gap to the largest participant (highest base-year GDP), not the
    # largest member: 0 for non-participants (scosim.mechanisms.voting.dominance).
    assert "largest participant" in TERM_LABELS["dominance"]
    assert "member" not in TERM_LABELS["dominance"]


def test_a_defection_is_named_as_the_answer_names_exits():
    # The answer's "Who left ...: on its own: IRN 15 (...)"; the legend said "defection".
    assert event_label("defection") == "left on its own"
    assert event_label("bloc_exit") == "left with its bloc"
