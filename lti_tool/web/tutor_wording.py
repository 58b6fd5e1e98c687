"""What the tutor pages say: the names of states, the roster line and the learner timeline, in one place.

The read models in ``learning/`` return codes and facts; these turn them into the words a tutor reads.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..learning import learner_detail as detail
from ..learning.course_matrix import CourseMatrix
from ..learning.matrix_cells import (
    COMPLETED,
    COMPLETED_NOT_PASSED,
    COMPLETED_PASSED,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
)

BUCKET_LABELS = {
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    COMPLETED_PASSED: "Completed",
    COMPLETED_NOT_PASSED: "Completed, not passed",
    OVERDUE: "Overdue",
}
STATE_FILTER_LABELS = {COMPLETED: "Completed (passed or not)", **BUCKET_LABELS}
SORT_LABELS = {"name": "Name", "state": "State", "score": "Score", "last_activity": "Last activity"}
# What "Grade …" says of a score's trip to the platform's grade book; an unknown status is shown as it is.
SYNC_LABELS = {"sent": "sent", "pending": "waiting to send", "failed": "not sent", "superseded": "replaced"}


def percent(value: float | None) -> str:
    return f"{value * 100:.0f}%" if value is not None else "–"


def when(value: datetime | None) -> str:
    return f"{value:%d %b %Y %H:%M}" if value else "–"


def sync_label(status: str) -> str:
    return SYNC_LABELS.get(status, status)


def ago(then: datetime, now: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"


def roster_status(matrix: CourseMatrix, now: datetime | None = None) -> tuple[str, bool]:
    """The line above the matrix saying where the list of people comes from; True when it is a problem."""
    now = now or datetime.now(UTC)
    if matrix.roster_error:
        return (f"The roster could not be loaded from Blackboard: {matrix.roster_error}. Only people who have "
                "opened the tool are listed.", True)
    if matrix.roster_synced_at is None:
        return ("The roster has not been loaded from Blackboard yet: only people who have opened the tool are "
                "listed, so “not started” may miss people.", True)
    return f"Roster from Blackboard, updated {ago(matrix.roster_synced_at, now)}.", False


def timeline_sentence(event: detail.TimelineEvent) -> str:
    """One line of a learner's timeline, without its time."""
    what, said = {
        detail.STARTED: ("Started", f"version {event.version}"),
        detail.PAGE_VIEWED: ("Viewed page", event.subject),
        detail.ATTEMPT_STARTED: ("Started attempt", event.subject),
        detail.COMPLETED: ("Completed", ""),
    }.get(event.kind, ("", ""))
    if event.kind == detail.ATTEMPT_SUBMITTED:
        score = f"{event.score:.0%}" if event.score is not None else "no score"
        what, said = "Submitted attempt", f"{event.subject}: {score}, {'passed' if event.passed else 'not passed'}"
    elif event.kind == detail.GRADE_SYNC:
        what = "Grade sent to Blackboard" if event.status == "sent" else "Grade sync"
        said = event.status + (f": {event.error}" if event.error else "")
    return f"{what}: {said}" if said else what
