"""Per-question analysis of a quiz in a course: how many answered, the share correct, the wrong option chosen most.

Question and option ids are stable across quiz versions, so answers to every version count together.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..content.question_types import is_choice, is_reflection
from ..errors import NotFound
from ..models import Answer, Attempt, Progress, Question, Quiz, QuizVersion
from .responses import chosen_slugs, options_by_question, plain


@dataclass(frozen=True)
class QuestionStats:
    slug: str
    title: str
    type: str
    answered: int
    correct: int
    most_chosen_wrong: str | None
    most_chosen_wrong_count: int

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True)
class QuizAnalysis:
    quiz_slug: str
    quiz_title: str
    attempts: int
    questions: list[QuestionStats]


def question_analysis(session: Session, course_id: int, quiz_slug: str) -> QuizAnalysis:
    """Per question, over submitted attempts in this course: how many answered, the share correct and the wrong
    option chosen most often (choice questions). Question and option ids are stable across quiz versions."""
    quiz = session.scalars(select(Quiz).where(Quiz.slug == quiz_slug)).first()
    if quiz is None:
        raise NotFound("There is no quiz with this id.")
    submitted = (select(Attempt.id, Attempt.quiz_version_id)
                 .join(Progress, Progress.id == Attempt.progress_id)
                 .join(QuizVersion, QuizVersion.id == Attempt.quiz_version_id)
                 .where(Progress.course_id == course_id, QuizVersion.quiz_id == quiz.id,
                        Attempt.submitted_at.is_not(None))).subquery()
    attempt_count = session.scalar(select(func.count()).select_from(submitted)) or 0
    answers = session.execute(
        select(submitted.c.quiz_version_id, Answer.question_slug, Answer.response, Answer.is_correct)
        .join(Answer, Answer.attempt_id == submitted.c.id)
    ).all()
    version_ids = {row[0] for row in answers} | ({quiz.current_version_id} if quiz.current_version_id else set())
    questions = options_by_question(session, version_ids)
    current = quiz.current_version_id

    answered: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    wrong_choices: dict[str, Counter[str]] = defaultdict(Counter)
    wrong_text: dict[str, str] = {}
    for version_id, slug, response, is_correct in answers:
        answered[slug] += 1
        correct[slug] += 1 if is_correct else 0
        question, options = questions.get((version_id, slug), (None, {}))
        if question is None or not is_choice(question.type):
            continue
        for chosen in chosen_slugs(response):
            option = options.get(chosen)
            if option is not None and not option.is_correct:
                wrong_choices[slug][chosen] += 1
                wrong_text[chosen] = plain(option.text_html)

    ordered: dict[str, Question] = {}
    for (_version_id, slug), (question, _options) in sorted(
            questions.items(), key=lambda item: (item[0][0] != current, item[1][0].position)):
        ordered.setdefault(slug, question)
    stats = []
    for slug, question in sorted(ordered.items(), key=lambda item: item[1].position):
        if is_reflection(question.type):
            continue
        top = wrong_choices[slug].most_common(1)
        stats.append(QuestionStats(slug, question.title, question.type, answered[slug], correct[slug],
                                   wrong_text[top[0][0]] if top else None, top[0][1] if top else 0))
    title = next((q.quiz_version.title for q in ordered.values()), quiz_slug) if ordered else quiz_slug
    return QuizAnalysis(quiz_slug, title, attempt_count, stats)

