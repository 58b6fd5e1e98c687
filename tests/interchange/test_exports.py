"""QTI 2.1 packages are well-formed with the right interactions and scoring; Blackboard lines have the right shape.

Format details are tested on the fixture quiz with every question type; each shipped quiz must export too.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

import pytest

from lti_tool import REPO_ROOT
from lti_tool.content.interchange import export_quiz, load_quiz
from lti_tool.content.model import QuizSource
from lti_tool.content.question_types import QUESTION_TYPES
from tests.support.shipped_content import SHIPPED_QUIZZES

QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
INTERACTION = {"single": "choiceInteraction", "multiple": "choiceInteraction", "truefalse": "choiceInteraction",
               "numeric": "textEntryInteraction", "text": "textEntryInteraction", "match": "matchInteraction",
               "order": "orderInteraction", "reflection": "extendedTextInteraction"}
BLACKBOARD_CODES = {"single": "MC", "multiple": "MA", "truefalse": "TF", "numeric": "NUM", "text": "FIB",
                    "match": "MAT", "order": "ORD", "reflection": "ESS"}


def package(quiz: QuizSource) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(export_quiz(quiz, "qti").data))


def item(quiz: QuizSource, question_id: str) -> ET.Element:
    with package(quiz) as zipped:
        return ET.fromstring(zipped.read(f"items/{question_id}.xml"))


def test_the_fixture_quiz_has_every_question_type_and_each_table_here_names_every_type(every_type_quiz):
    assert set(INTERACTION) == set(BLACKBOARD_CODES) == set(QUESTION_TYPES)
    assert {q.type for q in every_type_quiz.questions} == set(QUESTION_TYPES)


def assert_wellformed_qti_package(quiz: QuizSource) -> None:
    with package(quiz) as zipped:
        names = set(zipped.namelist())
        manifest = ET.fromstring(zipped.read("imsmanifest.xml"))
        assert manifest.tag == f"{CP}manifest"
        hrefs = [resource.get("href") for resource in manifest.iter(f"{CP}resource")]
        assert set(hrefs) == names - {"imsmanifest.xml"}
        assert names == {"imsmanifest.xml", f"{quiz.id}.xml"} | {f"items/{q.id}.xml" for q in quiz.questions}
        test = ET.fromstring(zipped.read(f"{quiz.id}.xml"))
        refs = [ref.get("identifier") for ref in test.iter(f"{QTI}assessmentItemRef")]
        assert refs == [q.id for q in quiz.questions]
        for question in quiz.questions:
            element = ET.fromstring(zipped.read(f"items/{question.id}.xml"))
            assert element.tag == f"{QTI}assessmentItem" and element.get("identifier") == question.id
            body = element.find(f"{QTI}itemBody")
            assert body.find(f".//{QTI}{INTERACTION[question.type]}") is not None
            declaration = element.find(f"{QTI}responseDeclaration")
            assert declaration.get("identifier") == "RESPONSE"
            score = element.find(f"{QTI}outcomeDeclaration[@identifier='SCORE']")
            assert score.get("normalMaximum") == str(question.points)
            if question.type == "reflection":
                assert element.find(f"{QTI}responseProcessing") is None
            else:
                assert element.find(f"{QTI}responseProcessing") is not None


def test_qti_package_has_manifest_test_and_one_wellformed_item_per_question_of_every_type(every_type_quiz):
    assert_wellformed_qti_package(every_type_quiz)


@pytest.mark.parametrize("quiz_id", SHIPPED_QUIZZES)
def test_each_shipped_quiz_exports_as_a_wellformed_qti_package(quiz_id):
    assert_wellformed_qti_package(load_quiz(REPO_ROOT, quiz_id))


def test_qti_single_choice_names_options_by_id_marks_correct_and_gives_option_feedback(every_type_quiz):
    element = item(every_type_quiz, "q-single")
    choices = [c.get("identifier") for c in element.iter(f"{QTI}simpleChoice")]
    assert choices == ["o1", "o5", "o6", "none"]
    interaction = element.find(f".//{QTI}choiceInteraction")
    assert interaction.get("maxChoices") == "1"
    assert [v.text for v in element.iter(f"{QTI}value") if v.text != "0"] == ["o5"]
    feedback = {f.get("identifier"): "".join(f.itertext()) for f in element.iter(f"{QTI}modalFeedback")}
    assert feedback["o5"].startswith("Correct. Outcome 5 means incomplete evidence")
    assert feedback["GENERAL"].startswith("Panels set a short period")


def test_qti_partial_multiple_maps_each_option_and_numeric_uses_absolute_tolerance(every_type_quiz):
    multiple = item(every_type_quiz, "q-multiple")
    entries = {e.get("mapKey"): e.get("mappedValue") for e in multiple.iter(f"{QTI}mapEntry")}
    assert entries == {"mini-cex": "0.666667", "cbd": "0.666667", "hat": "0.666667", "msf": "-0.666667",
                       "dops": "-0.666667"}
    numeric = item(every_type_quiz, "q-numeric")
    equal = numeric.find(f".//{QTI}equal")
    assert equal.get("toleranceMode") == "absolute" and equal.get("tolerance") == "0.1 0.1"
    assert numeric.find(f".//{QTI}correctResponse/{QTI}value").text == "2.5"


def test_qti_match_pairs_order_sequence_and_text_answers_use_our_ids(every_type_quiz):
    match = item(every_type_quiz, "q-match")
    pairs = [v.text for v in match.find(f".//{QTI}correctResponse")]
    assert pairs == ["m-ihs m-ihs-meaning", "m-estr m-estr-meaning", "m-msf m-msf-meaning"]
    order = item(every_type_quiz, "q-order")
    assert [v.text for v in order.find(f".//{QTI}correctResponse")] == ["what", "so-what", "now-what"]
    text = item(every_type_quiz, "q-text")
    assert {e.get("mapKey") for e in text.iter(f"{QTI}mapEntry")} == {"risr/advance", "risr advance"}
    assert {e.get("caseSensitive") for e in text.iter(f"{QTI}mapEntry")} == {"false"}


def assert_blackboard_lines(quiz: QuizSource) -> None:
    lines = export_quiz(quiz, "blackboard").data.decode("utf-8").splitlines()
    assert [line.split("\t")[0] for line in lines] == [BLACKBOARD_CODES[q.type] for q in quiz.questions]
    for line, question in zip(lines, quiz.questions, strict=True):
        fields = line.split("\t")
        assert all(field.strip() for field in fields)
        if question.type in ("single", "multiple"):
            assert len(fields) == 2 + 2 * len(question.options)
            assert fields[3::2] == ["correct" if o.correct else "incorrect" for o in question.options]
        elif question.type == "match":
            assert len(fields) == 2 + 2 * len(question.options)
        elif question.type == "truefalse":
            assert fields[2] == next(o.id for o in question.options if o.correct)


def test_blackboard_export_is_one_tab_delimited_line_per_question_with_its_type_code(every_type_quiz):
    assert_blackboard_lines(every_type_quiz)


@pytest.mark.parametrize("quiz_id", SHIPPED_QUIZZES)
def test_each_shipped_quiz_exports_one_blackboard_line_per_question(quiz_id):
    assert_blackboard_lines(load_quiz(REPO_ROOT, quiz_id))


def test_blackboard_export_flattens_markdown_to_plain_text(every_type_quiz):
    first_line = export_quiz(every_type_quiz, "blackboard").data.decode("utf-8").split("\n")[0]
    assert "because the supervisor's report is missing" in first_line
    assert "*" not in first_line
