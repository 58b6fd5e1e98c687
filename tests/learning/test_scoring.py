"""Scoring per question type, on unsaved rows: the rules, their edges, and what counts as an answer."""

from __future__ import annotations

import pytest

from lti_tool.learning.errors import InvalidAnswer
from lti_tool.learning.scoring import normalise, problem, score
from lti_tool.models import Option, Question


def question(kind: str, options=(), settings=None, points: int = 1) -> Question:
    q = Question(slug="q", position=0, type=kind, title="Q", points=points, settings=settings or {})
    for index, spec in enumerate(options):
        q.options.append(Option(slug=spec[0], position=index, text_html=spec[0], is_correct=spec[1],
                                match_text=spec[2] if len(spec) > 2 else ""))
    return q


SINGLE = question("single", [("a", False), ("b", True)])
MULTIPLE = [("a", True), ("b", True), ("c", False), ("d", False)]


def test_single_scores_only_the_correct_option():
    assert score(SINGLE, "b").fraction == 1.0
    assert score(SINGLE, "a").fraction == 0.0
    assert score(SINGLE, None).fraction == 0.0


def test_points_scale_with_the_questions_points():
    q = question("truefalse", [("true", False), ("false", True)], points=3)
    assert score(q, "false").points == 3
    assert score(q, "false").is_correct


def test_multiple_all_or_nothing_needs_exactly_the_correct_set():
    q = question("multiple", MULTIPLE)
    assert score(q, ["a", "b"]).fraction == 1.0
    assert score(q, ["a"]).fraction == 0.0
    assert score(q, ["a", "b", "c"]).fraction == 0.0


@pytest.mark.parametrize(("chosen", "expected"), [
    (["a", "b"], 1.0), (["a"], 0.5), (["a", "c"], 0.0), (["a", "b", "c"], 0.5), (["c", "d"], 0.0), ([], 0.0),
])
def test_multiple_partial_is_right_minus_wrong_over_right_total_never_negative(chosen, expected):
    q = question("multiple", MULTIPLE, {"scoring": "partial"})
    result = score(q, chosen)
    assert result.fraction == expected
    assert result.is_correct is (expected == 1.0)


@pytest.mark.parametrize(("typed", "right"), [
    ("4.5", True), ("4", True), ("5", True), ("5.0000001", False), ("3.99", False), (" 4.2 ", True),
    ("four", False), ("", False), ("nan", False), ("inf", False), ("\u22124", False),
])
def test_numeric_accepts_values_within_tolerance_inclusive(typed, right):
    q = question("numeric", settings={"answer": 4.5, "tolerance": 0.5})
    assert score(q, typed).is_correct is right


def test_numeric_minus_sign_is_understood():
    q = question("numeric", settings={"answer": -2.0, "tolerance": 0})
    assert score(q, "\u22122").is_correct


def test_text_ignores_case_and_extra_spaces():
    q = question("text", settings={"accepted": ["General Medical Council", "GMC"]})
    assert score(q, "  general   medical\tcouncil ").is_correct
    assert score(q, "gmc").is_correct
    assert not score(q, "GMCs").is_correct
    assert not score(q, "   ").is_correct


def test_match_gives_credit_per_correct_pair():
    q = question("match", [("x", False, "Meaning X"), ("y", False, "Meaning Y"), ("z", False, "Meaning Z")])
    assert score(q, {"x": "x", "y": "y", "z": "z"}).fraction == 1.0
    assert score(q, {"x": "y", "y": "x", "z": "z"}).fraction == pytest.approx(1 / 3)
    assert score(q, {}).fraction == 0.0


def test_match_counts_a_duplicate_meaning_text_as_correct_for_either_term():
    q = question("match", [("x", False, "Same"), ("y", False, "Same")])
    assert score(q, {"x": "y", "y": "x"}).fraction == 1.0


def test_order_gives_credit_per_item_in_its_correct_position():
    q = question("order", [("a", False), ("b", False), ("c", False), ("d", False)])
    assert score(q, {"a": 1, "b": 2, "c": 3, "d": 4}).is_correct
    assert score(q, {"a": 1, "b": 2, "c": 4, "d": 3}).fraction == 0.5
    assert score(q, {"a": 2, "b": 3, "c": 4, "d": 1}).fraction == 0.0


def test_reflection_is_never_scored():
    assert score(question("reflection"), "My thoughts") is None


def test_normalise_refuses_options_that_are_not_the_questions():
    with pytest.raises(InvalidAnswer):
        normalise(SINGLE, "zzz")
    with pytest.raises(InvalidAnswer):
        normalise(question("multiple", MULTIPLE), ["a", "zzz"])
    with pytest.raises(InvalidAnswer):
        normalise(question("order", [("a", False), ("b", False)]), {"a": "9"})


def test_problem_explains_what_is_missing_per_type():
    assert problem(SINGLE, None) == "Choose an answer"
    assert problem(question("numeric"), "4,5") == "Enter a number, like 4.5"
    assert problem(question("order", [("a", False), ("b", False)]), {"a": 1, "b": 1}) == "Use each position once"
    assert problem(question("reflection", settings={"required": False}), "") is None
    assert problem(question("reflection"), "  ") == "Write your reflection"
