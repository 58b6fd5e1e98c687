"""The grade port: the domain reports each progress change and writes no grade row itself."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.learning import grades
from lti_tool.learning.grades import ProgressChange
from lti_tool.learning.progress import record_page_view, start_or_resume
from lti_tool.lti.gradebook import connect
from lti_tool.models import GradeSync
from tests.support.learning_factories import module, pass_quiz, publish_demo_module


class RecordingGradeBook:
    def __init__(self) -> None:
        self.changes: list[ProgressChange] = []

    def progress_changed(self, session, change: ProgressChange) -> None:
        self.changes.append(change)


@pytest.fixture
def recording():
    book = RecordingGradeBook()
    grades.connect_grade_book(book)
    yield book
    connect()


def test_starting_and_completing_a_module_are_reported_to_the_grade_book_which_alone_writes_rows(db, learner,
                                                                                                 recording):
    publish_demo_module(db)
    progress = start_or_resume(db, learner, module(db)).progress
    for page in progress.module_version.pages:
        record_page_view(db, progress, page.slug)
    pass_quiz(db, progress)
    started, completed = recording.changes
    assert (started.completed, started.score, started.comment) == (False, None, "Started version 1 of Supervising IMGs")
    assert (completed.completed, completed.score) == (True, progress.score)
    assert completed.completed_at == progress.completed_at
    assert {(c.progress_id, c.user_id, c.course_id, c.module_slug, c.edition_id) for c in recording.changes} == {
        (progress.id, learner.user_id, learner.course_id, "img-demo", None)}
    assert db.scalars(select(GradeSync)).first() is None
