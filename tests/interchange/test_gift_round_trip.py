"""Our quiz -> GIFT -> our Markdown keeps every id, type, answer and piece of feedback; GIFT escaping holds."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lti_tool import REPO_ROOT
from lti_tool.content.interchange import import_quiz, load_quiz
from lti_tool.content.interchange.gift import escape, quiz_to_gift, unescape
from lti_tool.content.interchange.markdown import option
from lti_tool.content.model import NumericAnswer, QuestionSource, QuizSource
from lti_tool.content.parse import load_tree, parse_quiz
from tests.support.shipped_content import SHIPPED_QUIZZES


def essentials(quiz: QuizSource) -> list[tuple]:
    """What must survive a round trip, question by question."""
    return [
        (q.id, q.title, q.type, q.points, q.scoring if q.type == "multiple" else "", q.required, q.stem.strip(),
         q.explanation.strip(), q.numeric and (q.numeric.value, q.numeric.tolerance, q.numeric.unit), q.accepted,
         tuple((o.id, o.text, o.correct, o.feedback, o.match_text) for o in q.options))
        for q in quiz.questions
    ]


def quiz_essentials(quiz: QuizSource) -> tuple:
    return (quiz.pass_mark, quiz.attempts, quiz.shuffle, quiz.pick, quiz.show_answers, quiz.intro.strip())


def reimport(quiz: QuizSource, content_dir) -> QuizSource:
    result = import_quiz(quiz_to_gift(quiz), "gift", f"{quiz.id}-copy", "Copy", content_dir)
    assert result.problems == ()
    problems: list = []
    back = parse_quiz(result.path, result.markdown, problems)
    assert problems == [] and back is not None
    return back


def test_quiz_with_every_question_type_survives_gift_round_trip(every_type_quiz, content_dir):
    back = reimport(every_type_quiz, content_dir)
    assert essentials(back) == essentials(every_type_quiz)
    assert quiz_essentials(back) == quiz_essentials(every_type_quiz)
    assert [o.pinned for o in back.questions[0].options] == [o.pinned for o in every_type_quiz.questions[0].options]


def test_every_shipped_quiz_file_is_in_the_shipped_round_trip_tests():
    assert len(SHIPPED_QUIZZES) == len(load_tree(REPO_ROOT).quiz_paths()) > 0


@pytest.mark.parametrize("quiz_id", SHIPPED_QUIZZES)
def test_shipped_quiz_survives_gift_round_trip_with_ids_types_answers_and_feedback(quiz_id, content_dir):
    original = load_quiz(REPO_ROOT, quiz_id)
    back = reimport(original, content_dir)
    assert essentials(back) == essentials(original)
    assert quiz_essentials(back) == quiz_essentials(original)


def test_gift_export_names_each_question_by_its_id_with_option_and_general_feedback(every_type_quiz):
    gift = quiz_to_gift(every_type_quiz)
    for question in every_type_quiz.questions:
        assert f"::{question.id}::[markdown]" in gift
    assert "####Panels set a short period" in gift and " #Correct. Outcome 5" in gift


def test_gift_escapes_its_special_characters_and_newlines_and_reads_them_back():
    text = "Dose ~5 mg/kg = 0.5 ml {max} at 10:30 #1 \\ back\nnext line"
    escaped = escape(text)
    assert escaped == "Dose \\~5 mg/kg \\= 0.5 ml \\{max\\} at 10\\:30 \\#1 \\\\ back\\nnext line"
    assert unescape(escaped) == text


def test_text_full_of_gift_symbols_round_trips_exactly(every_type_quiz, content_dir):
    quiz = every_type_quiz
    tricky = "Give ~5% = 0.5 ml {bolus} at 08:00 #A, then: review."
    first = quiz.questions[0]
    options = (option("a", "x = y ~ z {1}: #2", feedback="Because a:b = c ~ d #e {f}"),
               option("b", tricky, correct=True, feedback="Correct: #1 {ok}"),
               option("none", "None of the above", pinned=True))
    questions = (replace(first, stem=tricky + "\n\nSecond paragraph: ~ = #", options=options,
                         explanation="Note: {x} = ~y #z"),) + quiz.questions[1:]
    edited = replace(quiz, questions=questions, pick=5, intro="Intro: ~ = # {x}\n\nSecond paragraph.")
    back = reimport(edited, content_dir)
    assert essentials(back) == essentials(edited) and quiz_essentials(back) == quiz_essentials(edited)
    assert [o.pinned for o in back.questions[0].options] == [False, False, True]


def question(qid: str, kind: str, **changes) -> QuestionSource:
    base = QuestionSource(id=qid, title=qid, type=kind, type_given=True, points=1, points_given=True, scoring="all",
                          required=True, required_given=False, stem="Stem?", stem_line=1, explanation="",
                          explanation_line=1, options=(), numeric=None, accepted=(), path="x", line=1)
    return replace(base, **changes)


def test_gift_numeric_export_uses_value_and_tolerance(every_type_quiz):
    q = question("dose", "numeric", numeric=NumericAnswer(4.5, 0.5, "", 0))
    quiz = replace(every_type_quiz, questions=(q,))
    assert "{#4.5:0.5}" in quiz_to_gift(quiz)


def test_gift_matching_and_essay_export_use_arrows_and_empty_braces(every_type_quiz):
    gift = quiz_to_gift(every_type_quiz)
    assert "=IHS -> Immigration Health Surcharge" in gift
    reflection_line = next(line for line in gift.splitlines() if line.startswith("::q-reflection::"))
    assert reflection_line.endswith("{}")
