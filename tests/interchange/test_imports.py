"""GIFT banks from elsewhere and text2qti files become Markdown quizzes that pass ``content check``."""

from __future__ import annotations

from datetime import timedelta

from lti_tool.content.interchange import import_quiz
from lti_tool.content.parse import parse_quiz
from tests.support.quiz_banks import MOODLE_BANK, TEXT2QTI


def parsed(result):
    problems: list = []
    quiz = parse_quiz(result.path, result.markdown, problems)
    assert problems == []
    return quiz


def test_moodle_gift_bank_imports_with_ids_from_titles_or_stems_types_answers_and_feedback(content_dir):
    result = import_quiz(MOODLE_BANK, "gift", "arcp-bank", "ARCP bank", content_dir)
    assert result.problems == (), result.markdown
    quiz = parsed(result)
    ids = [q.id for q in quiz.questions]
    assert ids == ["arcp-o5", "sle", "terms-and-meanings", "refl-court",
                   "describe-one-change-you-will-make-before-your-next-es",
                   "describe-one-change-you-will-make-before-your-next-es-2",
                   "how-many-framework-areas-are-there", "name-the-trainers-framework-body"]
    o5, sle, terms, court, reflection, _, areas, body = quiz.questions
    assert o5.type == "single" and [o.correct for o in o5.options] == [False, False, True, False]
    assert o5.options[0].feedback == "Outcome 1 needs the evidence to be present."
    assert o5.explanation == "Outcome definitions are set out in the Gold Guide."
    assert sle.type == "multiple" and sle.scoring == "partial"
    assert [o.correct for o in sle.options] == [True, True, True, False]
    assert sle.options[3].feedback == "MSF is an Assessment of Performance."
    assert terms.type == "match" and terms.options[0].match_text == "Immigration Health Surcharge"
    assert court.type == "truefalse" and [o.correct for o in court.options] == [False, True]
    assert court.options[0].feedback == "AoMRC/GMC guidance: they can currently be required by a court."
    assert court.options[1].feedback == "Right."
    assert reflection.type == "reflection" and reflection.points == 0
    assert areas.type == "numeric" and (areas.numeric.value, areas.numeric.tolerance) == (7, 1)
    assert body.type == "text" and body.accepted == ("Academy of Medical Educators", "AoME")


def test_an_imported_quiz_says_it_has_not_been_reviewed_and_is_due_for_review_at_once(content_dir):
    quiz = parsed(import_quiz(MOODLE_BANK, "gift", "arcp-bank", "ARCP bank", content_dir))
    assert quiz.reviewed_by == "Not reviewed yet (imported)"
    assert quiz.next_review == quiz.last_reviewed + timedelta(days=1)


def test_text2qti_file_imports_with_types_points_answers_and_feedback(content_dir):
    result = import_quiz(TEXT2QTI, "text2qti", "arcp-check-in", "ARCP check-in", content_dir)
    assert result.problems == (), result.markdown
    quiz = parsed(result)
    assert quiz.intro == "Formative; unlimited attempts."
    single, multiple, numeric, interval, text, reflection, truefalse = quiz.questions
    assert single.id == "outcome-5" and single.title == "Outcome 5" and single.points == 2
    assert single.stem.endswith("is missing. Which outcome is most likely?")
    assert [o.correct for o in single.options] == [False, False, True, False]
    assert single.options[2].feedback == 'Correct: "incomplete evidence presented".'
    assert single.explanation == "Outcome definitions come from the Gold Guide."
    assert multiple.type == "multiple" and [o.correct for o in multiple.options] == [True, True, False]
    assert numeric.type == "numeric" and numeric.numeric.value == 11
    assert (interval.numeric.value, interval.numeric.tolerance) == (1.415, 0.005)
    assert text.type == "text" and text.accepted == ("risr/advance", "Kaizen")
    assert reflection.type == "reflection"
    assert truefalse.type == "truefalse" and [o.id for o in truefalse.options] == ["true", "false"]


def test_import_reports_an_existing_file_and_an_id_already_used_by_another_quiz(content_dir):
    same_file = import_quiz(MOODLE_BANK, "gift", "portfolio-arcp-check", "Clash", content_dir)
    assert [p.message for p in same_file.problems] == [
        "quizzes/portfolio-arcp-check.md already exists: choose another quiz id"]
    (content_dir / "quizzes" / "portfolio-arcp-check.md").rename(content_dir / "quizzes" / "arcp.md")
    same_id = import_quiz(MOODLE_BANK, "gift", "portfolio-arcp-check", "Clash", content_dir)
    assert any("quiz id 'portfolio-arcp-check' is already used" in p.message for p in same_id.problems)


def test_import_of_a_question_without_answers_in_gift_becomes_a_reflection(content_dir):
    result = import_quiz("::q1:: Only a prompt {}\n\n::q2:: Pick {=Yes ~No}\n", "gift", "tiny", "Tiny", content_dir)
    quiz = parsed(result)
    assert [q.type for q in quiz.questions] == ["reflection", "single"]
