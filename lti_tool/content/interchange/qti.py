"""IMS QTI 2.1 content package: ``imsmanifest.xml``, an ``assessmentTest`` and one ``assessmentItem`` per question.

Spec: https://www.imsglobal.org/question/qtiv2p1/imsqti_infov2p1.html. Identifiers are our stable ids (an id
that starts with a digit gets an ``id-`` prefix, since QTI identifiers must not). Stems, options and feedback
go through the same Markdown renderer and allowlist as the site, then become XHTML elements.

Each question type adds its own interaction and partial-credit mapping (``qti_interaction``, ``qti_mapping``
in ``content/question_types/``): choices -> ``choiceInteraction``; numeric and text -> ``textEntryInteraction``
(numeric compared with an absolute tolerance, text answers mapped case-insensitively); match ->
``matchInteraction`` with ``directedPair`` responses; order -> ``orderInteraction``; reflection ->
``extendedTextInteraction`` (not scored). ``SCORE`` is set in points by explicit response processing; each
option's feedback and the explanation are ``modalFeedback`` shown through the ``FEEDBACK`` outcome.
"""

from __future__ import annotations

import io
import zipfile
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

from ..model import QuestionSource, QuizSource
from ..question_types import is_choice, is_reflection, question_type
from ..question_types.blocks import number_text
from ..render import render_markdown

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
QTI_SCHEMA = f"{QTI_NS} http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1p2.xsd"
CP_SCHEMA = f"{CP_NS} http://www.imsglobal.org/xsd/qti/qtiv2p1/qtiv2p1_imscpv1p2_v1p0.xsd"
GENERAL_FEEDBACK = "GENERAL"
VOID_TAGS = {"br", "hr", "img"}
ET.register_namespace("xsi", XSI_NS)


def qti_id(value: str) -> str:
    return value if value[:1].isalpha() else f"id-{value}"


class XhtmlBuilder(HTMLParser):
    """Sanitised HTML (from the renderer) as XHTML elements in the QTI namespace."""

    def __init__(self, parent: ET.Element) -> None:
        super().__init__(convert_charrefs=True)
        self.stack = [parent]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = ET.SubElement(self.stack[-1], tag, {k: v or "" for k, v in attrs if k in ("href", "src", "alt")})
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS:
            return
        while len(self.stack) > 1:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        parent = self.stack[-1]
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + data
        else:
            parent.text = (parent.text or "") + data


def add_html(parent: ET.Element, html: str) -> None:
    builder = XhtmlBuilder(parent)
    builder.feed(html)
    builder.close()


def add_block(parent: ET.Element, markdown: str) -> None:
    """Markdown as block content; plain text gets a ``<p>`` so QTI's block-only parents stay valid."""
    add_html(parent, render_markdown(markdown))


def sub(parent: ET.Element, tag: str, attributes: dict[str, str] | None = None, text: str | None = None
        ) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes or {})
    if text is not None:
        element.text = text
    return element


def set_score(parent: ET.Element) -> ET.Element:
    return sub(parent, "setOutcomeValue", {"identifier": "SCORE"})


def item_xml(question: QuestionSource) -> ET.Element:
    """One ``assessmentItem`` for the question."""
    item = ET.Element("assessmentItem", {
        "xmlns": QTI_NS, "identifier": qti_id(question.id), "title": question.title or question.id, "adaptive": "false",
        "timeDependent": "false", f"{{{XSI_NS}}}schemaLocation": QTI_SCHEMA,
    })
    kind = question.type
    ids = {o.id: qti_id(o.id) for o in question.options}
    qtype = question_type(kind)
    cardinality, base_type = qtype.qti_response
    declaration = sub(item, "responseDeclaration", {"identifier": "RESPONSE", "cardinality": cardinality,
                                                    "baseType": base_type})
    correct_values = qtype.correct_values(question, ids)
    if correct_values:
        correct = sub(declaration, "correctResponse")
        for value in correct_values:
            sub(correct, "value", text=value)
    mapping = response_mapping(question, ids)
    if mapping is not None:
        declaration.append(mapping)
    score = sub(item, "outcomeDeclaration", {"identifier": "SCORE", "cardinality": "single", "baseType": "float",
                                             "normalMaximum": str(question.points)})
    sub(sub(score, "defaultValue"), "value", text="0")
    has_feedback = any(o.feedback.strip() for o in question.options) or question.explanation.strip()
    if has_feedback and not is_reflection(kind):
        sub(item, "outcomeDeclaration", {"identifier": "FEEDBACK", "cardinality": "multiple",
                                         "baseType": "identifier"})
    body = sub(item, "itemBody")
    add_block(body, question.stem)
    qtype.qti_interaction(body, question, ids, add_html)
    if not is_reflection(kind):
        processing(sub(item, "responseProcessing"), question, bool(has_feedback), mapping is not None)
        for option in question.options:
            if option.feedback.strip() and is_choice(kind):
                feedback = sub(item, "modalFeedback", {"outcomeIdentifier": "FEEDBACK", "identifier": ids[option.id],
                                                       "showHide": "show"})
                add_block(feedback, option.feedback)
        if question.explanation.strip():
            feedback = sub(item, "modalFeedback", {"outcomeIdentifier": "FEEDBACK", "identifier": GENERAL_FEEDBACK,
                                                   "showHide": "show"})
            add_block(feedback, question.explanation)
    return item


def response_mapping(question: QuestionSource, ids: dict[str, str]) -> ET.Element | None:
    """Partial credit where the type gives it (multiple with ``scoring=partial``, match pairs, text answers)."""
    qtype = question_type(question.type)
    entries = qtype.qti_mapping(question, ids)
    if entries is None:
        return None
    mapping = ET.Element("mapping", {"defaultValue": "0", "lowerBound": "0",
                                     "upperBound": number_text(question.points)})
    for key, value in entries:
        entry = {"mapKey": key, "mappedValue": number_text(round(value, 6))}
        if not qtype.qti_case_sensitive:
            entry["caseSensitive"] = "false"
        sub(mapping, "mapEntry", entry)
    return mapping


def processing(rules: ET.Element, question: QuestionSource, has_feedback: bool, mapped: bool) -> None:
    points = number_text(question.points)
    if mapped:
        sub(set_score(rules), "mapResponse", {"identifier": "RESPONSE"})
    else:
        condition = sub(rules, "responseCondition")
        branch = sub(condition, "responseIf")
        tolerance = question_type(question.type).qti_tolerance(question)
        if tolerance is not None:
            both = f"{number_text(tolerance)} {number_text(tolerance)}"
            test = sub(branch, "equal", {"toleranceMode": "absolute", "tolerance": both})
        else:
            test = sub(branch, "match")
        sub(test, "variable", {"identifier": "RESPONSE"})
        sub(test, "correct", {"identifier": "RESPONSE"})
        sub(set_score(branch), "baseValue", {"baseType": "float"}, points)
        sub(set_score(sub(condition, "responseElse")), "baseValue", {"baseType": "float"}, "0")
    if has_feedback:
        setter = sub(rules, "setOutcomeValue", {"identifier": "FEEDBACK"})
        combined = sub(setter, "multiple")
        if is_choice(question.type):
            sub(combined, "variable", {"identifier": "RESPONSE"})
        sub(combined, "baseValue", {"baseType": "identifier"}, GENERAL_FEEDBACK)


def test_xml(quiz: QuizSource, hrefs: list[tuple[str, str]]) -> ET.Element:
    """An ``assessmentTest`` listing the items in order, so a platform can import the quiz as one test."""
    test = ET.Element("assessmentTest", {"xmlns": QTI_NS, "identifier": qti_id(quiz.id), "title": quiz.title,
                                         f"{{{XSI_NS}}}schemaLocation": QTI_SCHEMA})
    part = sub(test, "testPart", {"identifier": "part-1", "navigationMode": "nonlinear",
                                  "submissionMode": "simultaneous"})
    section = sub(part, "assessmentSection", {"identifier": "section-1", "title": quiz.title, "visible": "true"})
    for identifier, href in hrefs:
        sub(section, "assessmentItemRef", {"identifier": identifier, "href": href})
    return test


def manifest_xml(quiz: QuizSource, test_href: str, hrefs: list[tuple[str, str]]) -> ET.Element:
    manifest = ET.Element("manifest", {"xmlns": CP_NS, "identifier": f"manifest-{quiz.id}",
                                                   f"{{{XSI_NS}}}schemaLocation": CP_SCHEMA})
    metadata = ET.SubElement(manifest, "metadata")
    ET.SubElement(metadata, "schema").text = "QTIv2.1 Package"
    ET.SubElement(metadata, "schemaversion").text = "1.0.0"
    ET.SubElement(manifest, "organizations")
    resources = ET.SubElement(manifest, "resources")
    test = ET.SubElement(resources, "resource", {"identifier": f"resource-{quiz.id}",
                                                             "type": "imsqti_test_xmlv2p1", "href": test_href})
    ET.SubElement(test, "file", {"href": test_href})
    for identifier, _href in hrefs:
        ET.SubElement(test, "dependency", {"identifierref": f"resource-{identifier}"})
    for identifier, href in hrefs:
        resource = ET.SubElement(resources, "resource", {"identifier": f"resource-{identifier}",
                                                                     "type": "imsqti_item_xmlv2p1", "href": href})
        ET.SubElement(resource, "file", {"href": href})
    return manifest


def to_bytes(element: ET.Element) -> bytes:
    """Elements are built with plain tags and an ``xmlns`` attribute, which serialises as a default namespace."""
    document: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return document


def quiz_to_qti_package(quiz: QuizSource) -> bytes:
    """The zip: ``imsmanifest.xml``, ``<quiz-id>.xml`` (the test) and ``items/<question-id>.xml``."""
    buffer = io.BytesIO()
    hrefs = [(qti_id(q.id), f"items/{q.id}.xml") for q in quiz.questions]
    test_href = f"{quiz.id}.xml"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("imsmanifest.xml", to_bytes(manifest_xml(quiz, test_href, hrefs)))
        package.writestr(test_href, to_bytes(test_xml(quiz, hrefs)))
        for question, (_, href) in zip(quiz.questions, hrefs, strict=True):
            package.writestr(href, to_bytes(item_xml(question)))
    return buffer.getvalue()
