"""A cycle's steps, as a pure rule: planned → collecting input → internal assessment →
review with vendor → closed. One step ahead is the normal move; more is a skip and needs a
reason; closing without a single submitted response needs one too. Nothing goes back."""

from healthchecks.choices import CYCLE_STEPS, CycleStatus


def next_step(status: str) -> str | None:
    index = CYCLE_STEPS.index(CycleStatus(status))
    return CYCLE_STEPS[index + 1] if index + 1 < len(CYCLE_STEPS) else None


def later_steps(status: str) -> list[CycleStatus]:
    return CYCLE_STEPS[CYCLE_STEPS.index(CycleStatus(status)) + 1:]


def is_skip(current: str, target: str) -> bool:
    return target != next_step(current)


def move_problems(current: str, target: str, *, reason: str, responses: int) -> dict:
    """What rules the move out, as {field: message}; empty when it may go ahead."""
    if target not in CycleStatus.values:
        return {"to": "Choose a step of the health check."}
    if current == CycleStatus.CLOSED:
        return {"to": "This health check is closed."}
    if target not in later_steps(current):
        return {"to": f"A health check does not go back to "
                      f"“{CycleStatus(target).label.lower()}”."}
    reason = reason.strip()
    if is_skip(current, target) and not reason:
        skipped = ", ".join(f"“{s.label.lower()}”" for s in
                            CYCLE_STEPS[CYCLE_STEPS.index(CycleStatus(current)) + 1:
                                        CYCLE_STEPS.index(CycleStatus(target))])
        return {"reason": f"Say why the health check skips {skipped}."}
    passed_collection = CYCLE_STEPS.index(CycleStatus(current)) >= CYCLE_STEPS.index(
        CycleStatus.COLLECTING)
    if target == CycleStatus.CLOSED and responses == 0 and passed_collection and not reason:
        return {"reason": "Nobody answered: say why the health check closes without "
                          "responses."}
    return {}
