"""The state machine of a cycle, as a pure rule."""

from healthchecks.workflow import is_skip, move_problems, next_step


def test_steps_follow_in_order():
    assert next_step("planned") == "collecting"
    assert next_step("review") == "closed"
    assert next_step("closed") is None


def test_one_step_ahead_needs_no_reason():
    assert move_problems("collecting", "assessment", reason="", responses=4) == {}


def test_skipping_a_step_needs_a_reason_that_names_what_is_skipped():
    problems = move_problems("collecting", "review", reason="", responses=4)
    assert "internal assessment" in problems["reason"]
    assert move_problems("collecting", "review", reason="Done with the vendor", responses=4) == {}
    assert is_skip("planned", "assessment") and not is_skip("planned", "collecting")


def test_a_cycle_never_goes_back_and_a_closed_one_never_moves():
    assert "go back" in move_problems("assessment", "collecting", reason="x", responses=1)["to"]
    assert move_problems("closed", "planned", reason="x", responses=1)["to"]
    assert move_problems("planned", "nonsense", reason="", responses=0)["to"]


def test_closing_with_no_responses_needs_a_reason():
    assert "Nobody answered" in move_problems("review", "closed", reason="",
                                              responses=0)["reason"]
    assert move_problems("review", "closed", reason="Vendor exited", responses=0) == {}
    assert move_problems("review", "closed", reason="", responses=3) == {}
