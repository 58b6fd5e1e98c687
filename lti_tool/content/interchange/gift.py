"""GIFT, Moodle's plain-text question format: export our quizzes, import GIFT banks as our Markdown.

Syntax: https://docs.moodle.org/en/GIFT_format. Questions are separated by blank lines; ``::title::`` names a
question (we put our question id there); answers sit in ``{...}``: ``=`` right, ``~`` wrong, ``%n%`` a weight,
``#`` feedback for the answer before it, ``####`` general feedback, ``->`` a matching pair, ``{#value:tol}``
numeric, ``{T}``/``{F}`` true/false, ``{}`` essay. ``~ = # { } :`` and the backslash are escaped with ``\\``;
a newline inside a text is written ``\\n`` so every question stays one paragraph.

What GIFT cannot say travels in ``// [btg] ...`` comment lines that Moodle ignores: the quiz's settings and
introduction; each question's title, points, type (ordering questions are exported as matching items to their
positions, which Moodle can grade), option ids, pinned options, scoring, ``required`` and the numeric unit.
Importing reads them back when present, so our quiz -> GIFT -> our Markdown keeps ids, types, answers and
feedback; a GIFT bank from elsewhere gets ids from its titles or stems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote, unquote

from ..model import NumericAnswer, OptionSource, QuestionSource, QuizSource
from ..question_types import question_type
from .markdown import IMPORTED, IdMaker, heading_title, option, slugify

SPECIAL = "\\~=#{}:"
META = "// [btg]"
META_TITLE = "// [btg-title]"
META_QUIZ = "// [btg-quiz]"
META_INTRO = "// [btg-intro]"
FORMAT_TAG = re.compile(r"^\[(?:markdown|html|plain|moodle)\]", re.IGNORECASE)


# ------------------------------------------------------------------------------------------ export


def escape(text: str) -> str:
    """GIFT's special characters escaped, newlines as ``\\n``, so any text is safe inside a question."""
    escaped = "".join("\\" + char if char in SPECIAL else char for char in text.strip())
    return escaped.replace("\r\n", "\n").replace("\n", "\\n")


def quiz_to_gift(quiz: QuizSource) -> str:
    """The whole quiz as a GIFT file (UTF-8 text)."""
    settings = [f"pass_mark={quiz.pass_mark}", f"attempts={quiz.attempts or 'unlimited'}", f"shuffle={quiz.shuffle}",
                f"show_answers={quiz.show_answers}"] + ([f"pick={quiz.pick}"] if quiz.pick is not None else [])
    header = [f"// Quiz {quiz.id}: {' '.join(quiz.title.split())}",
              "// Exported from Bridging the Gaps. Lines starting // [btg] keep ids and settings for re-import.",
              f"{META_QUIZ} {' '.join(settings)}"]
    if quiz.intro.strip():
        header.append(f"{META_INTRO} {escape(quiz.intro)}")
    parts = ["\n".join(header), f"$CATEGORY: $course$/{quiz.id}"]
    parts += [question_to_gift(question) for question in quiz.questions]
    return "\n\n".join(parts) + "\n"


def question_meta(question: QuestionSource) -> list[str]:
    settings = [f"type={question.type}", f"points={question.points}"]
    qtype = question_type(question.type)
    if qtype.partial_scoring:
        settings.append(f"scoring={question.scoring}")
    if not qtype.scored:
        settings.append(f"required={'true' if question.required else 'false'}")
    if question.options:
        settings.append("options=" + ",".join(o.id for o in question.options))
    if any(o.pinned for o in question.options):
        settings.append("pinned=" + ",".join(o.id for o in question.options if o.pinned))
    if question.numeric is not None and question.numeric.unit:
        settings.append("unit=" + quote(question.numeric.unit))
    return [f"{META} {question.id} {' '.join(settings)}", f"{META_TITLE} {' '.join(question.title.split())}"]


def question_to_gift(question: QuestionSource) -> str:
    head = f"::{escape(question.id)}::[markdown]{escape(question.stem)}"
    general = f"\n  ####{escape(question.explanation)}" if question.explanation.strip() else ""
    body = question_type(question.type).gift_answers(question, escape, general)
    return "\n".join(question_meta(question)) + "\n" + head + " " + body


# ------------------------------------------------------------------------------------------ import


@dataclass
class GiftQuestion:
    """One question as written in GIFT, with the meta comments that came before it."""

    title: str
    stem: str
    answers: str | None
    line: int
    meta: dict[str, str] = field(default_factory=dict)
    meta_id: str = ""
    meta_title: str = ""


def unescape(text: str) -> str:
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            out.append("\n" if following == "n" else following)
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def split_unescaped(text: str, separators: str) -> list[tuple[str, str]]:
    """Split at unescaped separator characters: [(separator before the piece, piece)], the first with ''."""
    pieces: list[tuple[str, str]] = []
    current, before, index = [], "", 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index:index + 2])
            index += 2
            continue
        if char in separators:
            pieces.append((before, "".join(current)))
            current, before = [], char
        else:
            current.append(char)
        index += 1
    pieces.append((before, "".join(current)))
    return pieces


def find_unescaped(text: str, target: str, start: int = 0) -> int:
    index = start
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text.startswith(target, index):
            return index
        index += 1
    return -1


def read_blocks(text: str) -> list[tuple[int, list[str], list[str]]]:
    """Blank-line separated blocks: (first line number, meta comment lines, question lines)."""
    blocks: list[tuple[int, list[str], list[str]]] = []
    meta: list[str] = []
    lines: list[str] = []
    start = 0
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        stripped = raw.strip()
        if not stripped:
            if lines:
                blocks.append((start, meta, lines))
                meta, lines = [], []
            continue
        if stripped.startswith("//"):
            if stripped.startswith((META + " ", META_TITLE)):
                meta.append(stripped)
            continue
        if stripped.startswith("$CATEGORY:") and not lines:
            continue
        if not lines:
            start = number
        lines.append(raw)
    if lines:
        blocks.append((start, meta, lines))
    return blocks


def parse_gift(text: str) -> list[GiftQuestion]:
    questions = []
    for line, meta_lines, lines in read_blocks(text):
        body = "\n".join(lines).strip()
        title = ""
        if body.startswith("::"):
            end = find_unescaped(body, "::", 2)
            if end > 0:
                title, body = unescape(body[2:end]).strip(), body[end + 2:].strip()
        open_at = find_unescaped(body, "{")
        close_at = find_unescaped(body, "}", open_at + 1) if open_at >= 0 else -1
        if open_at < 0 or close_at < 0:
            answers, stem = None, body
        else:
            answers = body[open_at + 1:close_at]
            after = body[close_at + 1:].strip()
            stem = body[:open_at].rstrip() + (" _____ " + after if after else "")
        stem = FORMAT_TAG.sub("", stem.strip(), count=1)
        question = GiftQuestion(title=title, stem=unescape(stem).strip(), answers=answers, line=line)
        for meta_line in meta_lines:
            if meta_line.startswith(META_TITLE):
                question.meta_title = meta_line[len(META_TITLE):].strip()
            else:
                words = meta_line[len(META):].split()
                if words:
                    question.meta_id = words[0]
                    question.meta.update(key_values(words[1:]))
        questions.append(question)
    return questions


@dataclass
class Answer:
    mark: str
    weight: float | None
    text: str
    feedback: str


def read_answers(answers: str) -> tuple[list[Answer], str]:
    """The answers inside ``{...}`` and the general feedback after ``####``."""
    general_at = find_unescaped(answers, "####")
    general = ""
    if general_at >= 0:
        general = unescape(answers[general_at + 4:]).strip()
        answers = answers[:general_at]
    parsed = []
    for mark, piece in split_unescaped(answers, "=~")[1:]:
        text, *feedbacks = [part for _, part in split_unescaped(piece, "#")]
        weight = None
        weighted = re.match(r"^\s*%(-?\d+(?:\.\d+)?)%", text)
        if weighted:
            weight = float(weighted.group(1))
            text = text[weighted.end():]
        parsed.append(Answer(mark, weight, text.strip(), unescape(feedbacks[0]).strip() if feedbacks else ""))
    return parsed, general


def quiz_settings(text: str) -> tuple[dict[str, str], str]:
    """Our quiz settings and introduction from ``// [btg-quiz]`` and ``// [btg-intro]`` lines, when present."""
    settings: dict[str, str] = {}
    intro = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(META_QUIZ):
            settings.update(key_values(stripped[len(META_QUIZ):].split()))
        elif stripped.startswith(META_INTRO):
            intro = unescape(stripped[len(META_INTRO):].strip())
    return settings, intro


def key_values(words: list[str]) -> dict[str, str]:
    """The ``key=value`` words of a metadata line; a word without ``=`` is skipped."""
    return dict(word.split("=", 1) for word in words if "=" in word)


def whole_number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def gift_to_quiz(text: str, quiz_id: str, title: str) -> QuizSource:
    """A quiz of every question in a GIFT text, ready to be written as our Markdown."""
    question_ids = IdMaker()
    questions = [build_question(q, question_ids) for q in parse_gift(text)]
    settings, intro = quiz_settings(text)
    pass_mark = whole_number(settings.get("pass_mark"))
    return QuizSource(id=quiz_id, title=title, pass_mark=70 if pass_mark is None else pass_mark,
                      attempts=whole_number(settings.get("attempts")), shuffle=settings.get("shuffle", "none"),
                      pick=whole_number(settings.get("pick")),
                      show_answers=settings.get("show_answers", "after_submit"), last_reviewed=date.today(),
                      intro=intro, intro_line=0, questions=tuple(questions), text=text, path=IMPORTED, line=0)


def build_question(gift: GiftQuestion, question_ids: IdMaker) -> QuestionSource:
    question_id = question_ids.make(gift.meta_id or gift.title or gift.stem, "question")
    answers, general = read_answers(gift.answers or "")
    raw = (gift.answers or "").strip()
    general_at = find_unescaped(raw, "####")
    head = (raw if general_at < 0 else raw[:general_at]).strip()
    kind, options, numeric, accepted = "reflection", [], None, []
    if not head:
        kind = "reflection"
    elif re.fullmatch(r"(?i)(T|TRUE|F|FALSE)\s*(#.*)?", head, re.DOTALL):
        kind, options = "truefalse", true_false_options(head)
    elif head.startswith("#"):
        kind, numeric = "numeric", numeric_answer(head[1:], gift.meta.get("unit", ""))
    elif any(find_unescaped(a.text, "->") >= 0 for a in answers):
        kind = "order" if gift.meta.get("type") == "order" else "match"
        options = pair_options(answers, kind, gift.meta.get("options", ""))
    elif any(a.mark == "~" for a in answers):
        options = choice_options(answers, gift.meta.get("options", ""), gift.meta.get("pinned", ""))
        weighted = any(a.weight is not None for a in answers)
        kind = "multiple" if weighted or sum(o.correct for o in options) > 1 else "single"
    else:
        kind, accepted = "text", [unescape(a.text) for a in answers if a.text]
    if gift.meta.get("type") in ("single", "multiple") and kind in ("single", "multiple"):
        kind = gift.meta["type"]
    qtype = question_type(kind)
    default_scoring = "partial" if qtype.partial_scoring and gift.meta_id == "" else "all"
    points = gift.meta.get("points", "")
    # A title that is already an id (``::arcp-o5::``) names nothing for a reader: head with the stem instead.
    readable_title = "" if gift.title == slugify(gift.title, "") else gift.title
    return QuestionSource(
        id=question_id, title=heading_title(gift.meta_title or readable_title, gift.stem), type=kind, type_given=True,
        points=0 if not qtype.scored else int(points) if points.isdigit() else 1, points_given=True,
        scoring=gift.meta.get("scoring", default_scoring), required=gift.meta.get("required", "true") != "false",
        required_given=True, stem=gift.stem, stem_line=gift.line, explanation=general, explanation_line=gift.line,
        options=tuple(options), numeric=numeric, accepted=tuple(accepted), path=IMPORTED, line=gift.line,
    )


def given_ids(meta_options: str, count: int) -> list[str] | None:
    ids = [i for i in meta_options.split(",") if i]
    return ids if len(ids) == count else None


def choice_options(answers: list[Answer], meta_options: str, meta_pinned: str) -> list[OptionSource]:
    ids = given_ids(meta_options, len(answers)) or [chr(ord("a") + i) if i < 26 else f"o{i + 1}"
                                                     for i in range(len(answers))]
    pinned = set(meta_pinned.split(","))
    return [option(option_id, unescape(a.text), correct=a.mark == "=" or (a.weight or 0) > 0, feedback=a.feedback,
                   pinned=option_id in pinned)
            for option_id, a in zip(ids, answers, strict=True)]


def true_false_options(head: str) -> list[OptionSource]:
    parts = [unescape(part).strip() for _, part in split_unescaped(head, "#")]
    is_true = parts[0].upper().startswith("T")
    wrong_feedback = parts[1] if len(parts) > 1 else ""
    right_feedback = parts[2] if len(parts) > 2 else ""
    return [option("true", "True", correct=is_true, feedback=right_feedback if is_true else wrong_feedback),
            option("false", "False", correct=not is_true, feedback=wrong_feedback if is_true else right_feedback)]


def numeric_answer(head: str, unit: str) -> NumericAnswer | None:
    """``7``, ``7:0.5``, ``1..5`` or several ``=value:tol`` answers (the first one wins)."""
    head = head.strip()
    if head.startswith("="):
        head = split_unescaped(head, "=~")[1][1]
    head = re.sub(r"^%\d+(?:\.\d+)?%", "", head.split("#")[0].strip())
    interval = re.fullmatch(r"(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)", head)
    if interval:
        low, high = float(interval.group(1)), float(interval.group(2))
        return NumericAnswer(value=(low + high) / 2, tolerance=abs(high - low) / 2, unit=unquote(unit), line=0)
    match = re.fullmatch(r"(-?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?", head)
    if match is None:
        return None
    return NumericAnswer(value=float(match.group(1)), tolerance=float(match.group(2) or 0), unit=unquote(unit), line=0)


def pair_options(answers: list[Answer], kind: str, meta_options: str) -> list[OptionSource]:
    pairs = []
    for answer in answers:
        arrow = find_unescaped(answer.text, "->")
        pairs.append((unescape(answer.text[:arrow]).strip(), unescape(answer.text[arrow + 2:]).strip()))
    if kind == "order":
        pairs.sort(key=lambda pair: float(pair[1]) if re.fullmatch(r"\d+(?:\.\d+)?", pair[1]) else 0.0)
    ids = given_ids(meta_options, len(pairs))
    if ids is None:
        maker = IdMaker()
        ids = [maker.make(term, "item") for term, _ in pairs]
    if kind == "order":
        return [option(option_id, term) for option_id, (term, _) in zip(ids, pairs, strict=True)]
    return [option(option_id, term, match_text=meaning) for option_id, (term, meaning) in zip(ids, pairs, strict=True)]
