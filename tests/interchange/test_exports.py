"""QTI 2.1 packages are well-formed with the right interactions and scoring; Blackboard lines have the right shape."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

import pytest

from lti_tool import REPO_ROOT
from lti_tool.content.interchange import export_quiz, load_quiz

QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
SHIPPED_QUIZZES = ["img-supervision-check", "portfolio-arcp-check"]
INTERACTION = {"single": "choiceInteraction", "multiple": "choiceInteraction", "truefalse": "choiceInteraction",
               "numeric": "textEntryInteraction", "text": "textEntryInteraction", "match": "matchInteraction",
               "order": "orderInteraction", "reflection": "extendedTextInteraction"}


def package(quiz_id: str) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(export_quiz(load_quiz(REPO_ROOT, quiz_id), "qti").data))


@pytest.mark.parametrize("quiz_id", SHIPPED_QUIZZES)
def test_qti_package_has_manifest_test_and_one_wellformed_item_per_question(quiz_id):
    quiz = load_quiz(REPO_ROOT, quiz_id)
    with package(quiz_id) as zipped:
        names = set(zipped.namelist())
        manifest = ET.fromstring(zipped.read("imsmanifest.xml"))
        assert manifest.tag == f"{CP}manifest"
        hrefs = [resource.get("href") for resource in manifest.iter(f"{CP}resource")]
        assert set(hrefs) == names - {"imsmanifest.xml"}
        assert names == {"imsmanifest.xml", f"{quiz_id}.xml"} | {f"items/{q.id}.xml" for q in quiz.questions}
        test = ET.fromstring(zipped.read(f"{quiz_id}.xml"))
        refs = [ref.get("identifier") for ref in test.iter(f"{QTI}assessmentItemRef")]
        assert refs == [q.id for q in quiz.questions]
        for question in quiz.questions:
            item = ET.fromstring(zipped.read(f"items/{question.id}.xml"))
            assert item.tag == f"{QTI}assessmentItem" and item.get("identifier") == question.id
            body = item.find(f"{QTI}itemBody")
            assert body.find(f".//{QTI}{INTERACTION[question.type]}") is not None
            declaration = item.find(f"{QTI}responseDeclaration")
            assert declaration.get("identifier") == "RESPONSE"
            score = item.find(f"{QTI}outcomeDeclaration[@identifier='SCORE']")
            assert score.get("normalMaximum") == str(question.points)
            if question.type == "reflection":
                assert item.find(f"{QTI}responseProcessing") is None
            else:
                assert item.find(f"{QTI}responseProcessing") is not None


def item(quiz_id: str, question_id: str) -> ET.Element:
    with package(quiz_id) as zipped:
        return ET.fromstring(zipped.read(f"items/{question_id}.xml"))


def test_qti_single_choice_names_options_by_id_marks_correct_and_gives_option_feedback():
    element = item("portfolio-arcp-check", "q-arcp-outcome-5")
    choices = [c.get("identifier") for c in element.iter(f"{QTI}simpleChoice")]
    assert choices == ["o1", "o3", "o5", "o6"]
    interaction = element.find(f".//{QTI}choiceInteraction")
    assert interaction.get("maxChoices") == "1"
    assert [v.text for v in element.iter(f"{QTI}value") if v.text != "0"] == ["o5"]
    feedback = {f.get("identifier"): "".join(f.itertext()) for f in element.iter(f"{QTI}modalFeedback")}
    assert feedback["o5"].startswith("Correct. Outcome 5 means incomplete evidence")
    assert feedback["GENERAL"].startswith("Panels usually set a short period")


def test_qti_partial_multiple_maps_each_option_and_numeric_uses_absolute_tolerance():
    multiple = item("portfolio-arcp-check", "q-sle-vs-aop")
    entries = {e.get("mapKey"): e.get("mappedValue") for e in multiple.iter(f"{QTI}mapEntry")}
    assert entries == {"mini-cex": "0.666667", "cbd": "0.666667", "hat": "0.666667", "msf": "-0.666667",
                       "dops": "-0.666667"}
    numeric = item("portfolio-arcp-check", "q-domains-count")
    equal = numeric.find(f".//{QTI}equal")
    assert equal.get("toleranceMode") == "absolute" and equal.get("tolerance") == "0 0"
    assert numeric.find(f".//{QTI}correctResponse/{QTI}value").text == "11"


def test_qti_match_pairs_and_order_sequence_use_our_ids():
    match = item("portfolio-arcp-check", "q-match-outcomes")
    pairs = [v.text for v in match.find(f".//{QTI}correctResponse")]
    assert pairs[0] == "m-outcome-1 m-outcome-1-meaning" and len(pairs) == 5
    order = item("portfolio-arcp-check", "q-reflection-order")
    assert [v.text for v in order.find(f".//{QTI}correctResponse")] == ["what", "so-what", "now-what"]
    text = item("portfolio-arcp-check", "q-platform-name")
    assert {e.get("mapKey") for e in text.iter(f"{QTI}mapEntry")} == {"risr/advance", "risr advance", "risradvance"}
    assert {e.get("caseSensitive") for e in text.iter(f"{QTI}mapEntry")} == {"false"}


@pytest.mark.parametrize("quiz_id", SHIPPED_QUIZZES)
def test_blackboard_export_is_one_tab_delimited_line_per_question_with_its_type_code(quiz_id):
    quiz = load_quiz(REPO_ROOT, quiz_id)
    lines = export_quiz(quiz, "blackboard").data.decode("utf-8").splitlines()
    codes = {"single": "MC", "multiple": "MA", "truefalse": "TF", "numeric": "NUM", "text": "FIB", "match": "MAT",
             "order": "ORD", "reflection": "ESS"}
    assert [line.split("\t")[0] for line in lines] == [codes[q.type] for q in quiz.questions]
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


def test_blackboard_export_flattens_markdown_to_plain_text():
    lines = export_quiz(load_quiz(REPO_ROOT, "img-supervision-check"), "blackboard").data.decode("utf-8")
    assert "The GMC's Fair to refer? research (2019)" in lines
    assert "*" not in lines.split("\n")[0]
