"""Reading a rendered quiz form the way a person does: by question title and the text of each label.

The form's names and values are opaque tokens that change with every attempt, so tests that post answers find
them here from the HTML: ``answer_fields`` turns answers written in content ids (``{"terms": {"cnst": "cnst"}}``)
into the fields the form would send.
"""

from __future__ import annotations

import html as html_entities
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select

from lti_tool.models import Question, QuizVersion

TAG = re.compile(r"<[^>]+>")
HEADING = re.compile(r"^Question \d+: (?P<title>.*)$")


def plain(html: str) -> str:
    """The text a label shows for some HTML, spaces collapsed."""
    return " ".join(html_entities.unescape(TAG.sub("", html)).split())


@dataclass
class Control:
    tag: str
    name: str
    id: str
    type: str = ""
    value: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)  # a select's (value, text)


@dataclass
class ShownQuestion:
    field: str
    title: str = ""
    controls: list[Control] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # control id -> label text

    def control(self, label: str) -> Control:
        wanted = plain(label)
        matches = [c for c in self.controls if plain(self.labels.get(c.id, "")) == wanted]
        assert len(matches) == 1, f"no single control labelled {wanted!r} in {self.title!r}"
        return matches[0]

    @property
    def name(self) -> str:
        return f"q-{self.field}"


class QuizFormParser(HTMLParser):
    """Every ``fieldset[data-question]`` of the page with its heading, controls and labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.questions: list[ShownQuestion] = []
        self.hidden: list[Control] = []
        self._current: ShownQuestion | None = None
        self._text: list[str] | None = None
        self._label_for: str | None = None
        self._heading = False
        self._select: Control | None = None
        self._option_value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "fieldset" and "data-question" in a:
            self._current = ShownQuestion(a["data-question"])
            self.questions.append(self._current)
        elif tag == "h2" and self._current is not None and not self._current.title:
            self._heading, self._text = True, []
        elif tag == "label" and self._current is not None:
            self._label_for, self._text = a.get("for", ""), []
        elif tag in ("input", "textarea"):
            control = Control(tag, a.get("name", ""), a.get("id", ""), a.get("type", tag), a.get("value", ""))
            (self._current.controls if self._current is not None else self.hidden).append(control)
        elif tag == "select" and self._current is not None:
            self._select = Control("select", a.get("name", ""), a.get("id", ""))
            self._current.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option_value, self._text = a.get("value", ""), []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset":
            self._current = None
        elif tag == "h2" and self._heading and self._current is not None:
            heading = " ".join("".join(self._text or []).split())
            found = HEADING.match(heading)
            self._current.title = found.group("title") if found else heading
            self._heading, self._text = False, None
        elif tag == "label" and self._label_for is not None and self._current is not None:
            self._current.labels[self._label_for] = "".join(self._text or [])
            self._label_for, self._text = None, None
        elif tag == "option" and self._select is not None and self._option_value is not None:
            self._select.choices.append((self._option_value, " ".join("".join(self._text or []).split())))
            self._option_value, self._text = None, None
        elif tag == "select":
            self._select = None


def shown_questions(html: str) -> list[ShownQuestion]:
    parser = QuizFormParser()
    parser.feed(html)
    return parser.questions


@dataclass(frozen=True)
class OptionKey:
    slug: str
    text_html: str
    match_text: str
    is_correct: bool
    position: int


@dataclass(frozen=True)
class QuestionKey:
    """What a test needs of a question to answer it, detached from the database (safe across threads)."""

    slug: str
    title: str
    type: str
    settings: dict[str, Any]
    options: tuple[OptionKey, ...]

    @classmethod
    def of(cls, question: Question) -> QuestionKey:
        return cls(question.slug, question.title, question.type, dict(question.settings or {}), tuple(
            OptionKey(o.slug, o.text_html, o.match_text or "", bool(o.is_correct), o.position)
            for o in question.options))


def correct_answer(question: Question | QuestionKey, reflection: str) -> Any:
    """The right answer to ``question`` in content ids (a reflection gets the sentence given)."""
    options = sorted(question.options, key=lambda o: o.position)
    kind = question.type
    if kind in ("single", "truefalse"):
        return next(o.slug for o in options if o.is_correct)
    if kind == "multiple":
        return [o.slug for o in options if o.is_correct]
    if kind == "numeric":
        return f"{float(question.settings['answer']):g}"
    if kind == "text":
        return question.settings["accepted"][0]
    if kind == "match":
        return {o.slug: o.slug for o in options}
    if kind == "order":
        return {o.slug: rank for rank, o in enumerate(options, 1)}
    return reflection


def _fields(shown: ShownQuestion, question: Question | QuestionKey, answer: Any) -> dict[str, Any]:
    options = {o.slug: o for o in question.options}
    kind = question.type
    if kind in ("single", "truefalse"):
        return {shown.name: shown.control(options[answer].text_html).value}
    if kind == "multiple":
        return {shown.name: [shown.control(options[slug].text_html).value for slug in answer],
                f"{shown.name}--present": "1"}
    if kind == "match":
        fields = {}
        for term, meaning in answer.items():
            select = shown.control(options[term].text_html)
            wanted = plain(options[meaning].match_text) if meaning else ""
            fields[select.name] = next(v for v, text in select.choices if plain(text) == wanted) if meaning else ""
        return {**fields, f"{shown.name}--present": "1"}
    if kind == "order":
        fields = {shown.control(options[item].text_html).name: str(position) for item, position in answer.items()}
        return {**fields, f"{shown.name}--present": "1"}
    return {shown.name: answer}


Questions = QuizVersion | Iterable[Question | QuestionKey]


def _by_title(quiz: Questions) -> dict[str, Question | QuestionKey]:
    questions = list(quiz.questions if isinstance(quiz, QuizVersion) else quiz)
    by_title = {q.title: q for q in questions}
    assert len(by_title) == len(questions), "question titles must tell the questions apart"
    return by_title


def answer_fields(html: str, quiz: Questions, answers: dict[str, Any]) -> dict[str, Any]:
    """The form fields that give ``answers`` (question id -> answer in option ids) to the questions shown."""
    by_title = _by_title(quiz)
    fields: dict[str, Any] = {}
    for shown in shown_questions(html):
        question = by_title[shown.title]
        if question.slug in answers:
            fields.update(_fields(shown, question, answers[question.slug]))
    return fields


def field_of(html: str, quiz: Questions, question_slug: str) -> str:
    """The opaque field token of one question in the rendered form (what autosave posts as ``question``)."""
    title = next(title for title, q in _by_title(quiz).items() if q.slug == question_slug)
    return next(shown.field for shown in shown_questions(html) if shown.title == title)


def csrf(html: str) -> str:
    """The CSRF token a rendered form carries."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def form_fields(db: Any, html: str, answers: dict) -> dict:
    """The fields the rendered form sends for ``answers`` (written in content ids), for the one published quiz."""
    return answer_fields(html, db.scalars(select(QuizVersion)).one(), answers)


def open_quiz(client: Any, arranged: Any) -> str:
    """Start the demo module's quiz as this signed-in launch; the open quiz form."""
    quiz = f"/course/{arranged.course_id}/module/img-demo/quiz/demo-check/"
    start = client.get(quiz).get_data(as_text=True)
    client.post(quiz + "start", data={"csrf_token": csrf(start)})
    return client.get(quiz).get_data(as_text=True)
