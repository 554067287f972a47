"""Field-by-field last-writer-wins, with the loser kept."""

from sync.merge import merge_fields

OLD, MID, NEW = "001000000000000:00000:a", "001000000000500:00000:b", "001000000001000:00000:c"


def test_a_later_edit_wins_and_the_old_value_is_reported():
    outcome = merge_fields({"title": "Light out"}, {"title": OLD}, {"title": "Light out on floor 2"}, NEW)
    assert outcome.winners == {"title": "Light out on floor 2"}
    assert [(c.field, c.old, c.new) for c in outcome.changes] == [("title", "Light out", "Light out on floor 2")]
    assert outcome.superseded == []


def test_an_earlier_edit_arriving_late_loses_but_is_kept():
    outcome = merge_fields({"title": "B"}, {"title": NEW}, {"title": "A"}, MID)
    assert outcome.winners == {}
    assert [(s.field, s.value, s.superseded_by) for s in outcome.superseded] == [("title", "A", NEW)]
    assert outcome.superseded[0].concurrent


def test_fields_merge_independently():
    outcome = merge_fields({"title": "T", "priority": "low"}, {"title": NEW, "priority": OLD},
                           {"title": "T2", "priority": "high"}, MID)
    assert outcome.winners == {"priority": "high"}
    assert [s.field for s in outcome.superseded] == ["title"]


def test_an_edit_made_without_seeing_the_current_value_is_flagged_concurrent():
    seen_then = {"title": OLD}
    outcome = merge_fields({"title": "B"}, {"title": MID}, {"title": "C"}, NEW, base=seen_then)
    assert outcome.changes[0].concurrent is True
    outcome = merge_fields({"title": "B"}, {"title": MID}, {"title": "C"}, NEW, base={"title": MID})
    assert outcome.changes[0].concurrent is False


def test_rewriting_the_same_value_still_takes_the_newer_stamp():
    outcome = merge_fields({"title": "Same"}, {"title": OLD}, {"title": "Same"}, NEW)
    assert outcome.winners == {"title": "Same"} and outcome.changes == []
