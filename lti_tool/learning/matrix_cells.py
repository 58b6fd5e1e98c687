"""What one cell of the tutor's course matrix says: a person's state in one module (or one edition of it).

The states and buckets here are codes; the words a tutor reads for them live in ``web/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..numbers import positive_int_or_none

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"
COMPLETED_PASSED, COMPLETED_NOT_PASSED, OVERDUE = "completed_passed", "completed_not_passed", "overdue"

# Summary buckets are exclusive: overdue wins over not started / in progress.
BUCKETS = (NOT_STARTED, IN_PROGRESS, COMPLETED_PASSED, COMPLETED_NOT_PASSED, OVERDUE)
BUCKET_RANK = {bucket: rank for rank, bucket in enumerate(BUCKETS)}
# A state filter is a bucket, or ``completed`` for both completed buckets.
STATE_FILTERS = (COMPLETED, *BUCKETS)
SORTS = ("name", "state", "score", "last_activity")
ROLES = ("learner", "tutor", "admin")


@dataclass(frozen=True)
class MatrixFilters:
    """What a tutor asked to see. ``role`` defaults to learners; supervisors who take a module as Instructors
    can be listed with ``role="tutor"``. ``failed_attempts`` counts submitted, not-passed attempts at ``quiz``
    (at any one quiz when no quiz is chosen)."""

    state: str | None = None
    module: str | None = None
    edition_id: int | None = None
    role: str = "learner"
    search: str = ""
    quiz: str | None = None
    failed_attempts: int | None = None
    sort: str = "name"
    descending: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> MatrixFilters:
        """Filters from query-string values; values the tool does not know are ignored, not errors."""

        def text(name: str) -> str:
            return (params.get(name) or "").strip()

        def positive_int(name: str) -> int | None:
            value = text(name)
            return positive_int_or_none(value)

        return cls(
            state=text("state") if text("state") in STATE_FILTERS else None,
            module=text("module") or None,
            edition_id=positive_int("edition"),
            role=text("role") if text("role") in ROLES else "learner",
            search=text("q")[:200],
            quiz=text("quiz") or None,
            failed_attempts=positive_int("failed_attempts"),
            sort=text("sort") if text("sort") in SORTS else "name",
            descending=text("dir") == "desc",
        )

    def as_params(self, **changes: Any) -> dict[str, str]:
        """The query string that reproduces these filters (with ``changes``), for links and exports."""
        chosen = replace(self, **changes)
        params = {
            "state": chosen.state or "", "module": chosen.module or "",
            "edition": str(chosen.edition_id or ""), "role": "" if chosen.role == "learner" else chosen.role,
            "q": chosen.search, "quiz": chosen.quiz or "",
            "failed_attempts": str(chosen.failed_attempts or ""),
            "sort": "" if chosen.sort == "name" else chosen.sort, "dir": "desc" if chosen.descending else "",
        }
        return {key: value for key, value in params.items() if value}


@dataclass(frozen=True)
class Column:
    """A module in the course, or one edition of a session module."""

    module_slug: str
    module_title: str
    edition_id: int | None = None
    edition_name: str = ""
    due_at: datetime | None = None

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.module_slug, self.edition_id)

    @property
    def label(self) -> str:
        return f"{self.module_title} ({self.edition_name})" if self.edition_name else self.module_title

    def missing_bucket(self, now: datetime) -> str:
        """The bucket of someone with no progress here: overdue once the edition's due date has passed."""
        return OVERDUE if self.due_at is not None and self.due_at < now else NOT_STARTED


@dataclass(frozen=True)
class GradeSyncState:
    id: int
    status: str
    last_error: str | None


@dataclass(frozen=True)
class Cell:
    state: str
    overdue: bool = False
    passed: bool | None = None
    score: float | None = None
    attempts: int = 0
    best_score: float | None = None
    last_activity_at: datetime | None = None
    completed_at: datetime | None = None
    version: int | None = None
    grade_sync: GradeSyncState | None = None

    @property
    def bucket(self) -> str:
        if self.state == COMPLETED:
            return COMPLETED_NOT_PASSED if self.passed is False else COMPLETED_PASSED
        return OVERDUE if self.overdue else self.state


@dataclass(frozen=True)
class LearnerRow:
    user_id: int
    name: str
    email: str
    sourcedid: str
    role: str
    source: str
    cells: dict[tuple[str, int | None], Cell]
    failed_attempts: dict[str, int] = field(default_factory=dict)


def state_and_overdue(stored: str, due_at: datetime | None, now: datetime) -> tuple[str, bool]:
    """A stored progress state as (not started | in progress | completed, overdue): the learner domain may store
    ``overdue`` itself, and an edition whose due date has passed makes anything not completed overdue."""
    state = stored if stored in (NOT_STARTED, COMPLETED) else IN_PROGRESS
    return state, stored == OVERDUE or (state != COMPLETED and due_at is not None and due_at < now)


def bucket_matches(bucket: str, state: str) -> bool:
    """Whether a cell in ``bucket`` is what the state filter ``state`` asks for."""
    return bucket in (COMPLETED_PASSED, COMPLETED_NOT_PASSED) if state == COMPLETED else bucket == state
