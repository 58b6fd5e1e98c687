"""How long a module takes, computed from its words and activities, so ``estimated_minutes`` can be checked.

Reading at ``WORDS_PER_MINUTE`` over the page bodies and the text of the quizzes the pages host (introduction,
question texts, options, match meanings and explanations; option feedback is not counted, as a learner reads only
the feedback on the options they chose), plus ``MINUTES_PER_SCORED_QUESTION`` for each scored question and
``MINUTES_PER_REFLECTION`` for each reflection prompt. A quiz that draws ``pick`` questions counts that share of its
questions. The total is rounded up to ``ROUND_TO_MINUTES``.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

from markdown import Markdown
from markdown.extensions.tables import TableExtension

from .model import Content, ModuleSource, QuestionSource, QuizSource
from .question_types import is_reflection

WORDS_PER_MINUTE = 200
MINUTES_PER_SCORED_QUESTION = 1
MINUTES_PER_REFLECTION = 3
ROUND_TO_MINUTES = 5
TOLERANCE_SHARE = 0.25
TOLERANCE_MINIMUM_MINUTES = 5

TAG = re.compile(r"<[^>]*>")
WORD = re.compile(r"\w+(?:['’.-]\w+)*")


def reading_words(markdown_text: str) -> int:
    """Words a reader sees: the Markdown rendered to text, so link addresses and markup are not counted."""
    rendered = Markdown(extensions=[TableExtension()]).convert(markdown_text)
    return len(WORD.findall(html.unescape(TAG.sub(" ", rendered))))


@dataclass(frozen=True)
class Estimate:
    """The computed figure for a module and what it is made of."""

    words: float
    scored_questions: float
    reflections: float

    @property
    def raw_minutes(self) -> float:
        return (self.words / WORDS_PER_MINUTE + self.scored_questions * MINUTES_PER_SCORED_QUESTION
                + self.reflections * MINUTES_PER_REFLECTION)

    @property
    def minutes(self) -> int:
        return max(ROUND_TO_MINUTES, math.ceil(round(self.raw_minutes, 6) / ROUND_TO_MINUTES) * ROUND_TO_MINUTES)

    @property
    def allowed(self) -> tuple[int, int]:
        """The declared figures accepted: within 25 % of the computed one, or 5 minutes, whichever is larger."""
        margin = max(self.minutes * TOLERANCE_SHARE, TOLERANCE_MINIMUM_MINUTES)
        return max(1, math.ceil(self.minutes - margin)), math.floor(self.minutes + margin)

    def accepts(self, declared: int) -> bool:
        low, high = self.allowed
        return low <= declared <= high

    def describe(self) -> str:
        return (f"{round(self.words)} words at {WORDS_PER_MINUTE} words a minute, "
                f"{self.scored_questions:g} scored questions at {MINUTES_PER_SCORED_QUESTION} minute each, "
                f"{self.reflections:g} reflection prompts at {MINUTES_PER_REFLECTION} minutes each")


def question_words(question: QuestionSource) -> int:
    texts = [question.title, question.stem, question.explanation]
    for option in question.options:
        texts += [option.text, option.match_text]
    return reading_words("\n\n".join(text for text in texts if text))


def quiz_estimate(quiz: QuizSource) -> Estimate:
    questions = quiz.questions
    share = quiz.pick / len(questions) if quiz.pick and 0 < quiz.pick < len(questions) else 1.0
    return Estimate(
        words=reading_words(quiz.intro) + share * sum(question_words(question) for question in questions),
        scored_questions=share * sum(question.scored for question in questions),
        reflections=share * sum(is_reflection(question.type) for question in questions),
    )


def module_estimate(module: ModuleSource, content: Content) -> Estimate:
    """Page bodies plus the quizzes the module's pages host (a quiz that does not exist counts nothing)."""
    words: float = sum(reading_words(page.body) for page in module.pages)
    scored: float = 0
    reflections: float = 0
    for quiz_id in module.quiz_ids:
        quiz = content.quiz(quiz_id)
        if quiz is None:
            continue
        part = quiz_estimate(quiz)
        words += part.words
        scored += part.scored_questions
        reflections += part.reflections
    return Estimate(words, scored, reflections)
