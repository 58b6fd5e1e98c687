"""Completion certificates: a PDF a learner can keep as portfolio or CPD evidence, and a public check of its code.

A certificate is issued once per completed progress (same progress, same row and code) and says what was
completed at the time: the name, module title and version, completion date, estimated hours and, where the
module's outcomes are mapped to them, the GMC trainer framework areas covered (background: GMC recognition of
trainers, https://www.gmc-uk.org/education/how-we-quality-assure/medical-schools/recognition-and-approval-of-trainers).

Fonts: DejaVu Sans from the Debian package ``fonts-dejavu-core`` (installed on this project's machines, CI
included) covers Latin, Greek, Cyrillic, Arabic and more; HarfBuzz (``uharfbuzz``) shapes Arabic and orders
right-to-left text. Characters the font lacks (e.g. Chinese), or every non-Latin-1 character when the font file
is absent and fpdf2's core Helvetica is used, are transliterated with ``anyascii``; the verify page always shows
the name exactly as stored.
"""

from __future__ import annotations

import base64
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import Forbidden, NotFound
from ..models import Certificate, ModuleVersion, Progress, User
from .completion import completion_stands

GMC_AREAS = {
    1: "Ensuring safe and effective patient care through training",
    2: "Establishing and maintaining an environment for learning",
    3: "Teaching and facilitating learning",
    4: "Enhancing learning through assessment",
    5: "Supporting and monitoring educational progress",
    6: "Guiding personal and professional development",
    7: "Continuing professional development as an educator",
}
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
DEJAVU_REGULAR = DEJAVU_DIR / "DejaVuSans.ttf"
DEJAVU_BOLD = DEJAVU_DIR / "DejaVuSans-Bold.ttf"
CODE_BYTES = 10  # 80 random bits, written as 16 base32 characters in four groups


class NotCompleted(Forbidden):
    code = "not_completed"
    title = "No certificate yet"

    def __init__(self, message: str) -> None:
        super().__init__(message, advice="Finish every page and pass the module's quiz, then download your "
                                         "certificate from the module page.")


def new_code() -> str:
    """An unguessable code that is easy to read out: ``ABCD-EFGH-JKLM-NPQR`` (base32, 80 bits)."""
    raw = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def module_needs_pass(version: ModuleVersion) -> bool:
    """A module with quizzes that count for completion is only complete once they are passed."""
    has_quiz = any(page.quiz_version_id is not None for page in version.pages)
    return has_quiz and (version.completion or {}).get("quizzes", "all") != "none"


def completed_progress(session: Session, user_id: int, course_id: int, module_slug: str,
                       edition_id: int | None = None) -> Progress:
    """The learner's completed progress in the module (in that edition when one is named, else the latest)."""
    query = select(Progress).where(Progress.user_id == user_id, Progress.course_id == course_id,
                                   Progress.module_slug == module_slug)
    if edition_id is not None:
        query = query.where(Progress.edition_key == edition_id)
    rows = session.scalars(query.order_by(Progress.completed_at.desc().nulls_last(), Progress.id.desc())).all()
    progress = next((row for row in rows if row.state == "completed"), rows[0] if rows else None)
    if progress is None or progress.state != "completed" or progress.completed_at is None:
        raise NotCompleted("You have not completed this module yet, so there is no certificate to download.")
    if not completion_stands(session, progress):
        raise NotCompleted("You have not read every page of this module yet, so there is no certificate to "
                           "download.")
    if module_needs_pass(progress.module_version) and not progress.passed:
        raise NotCompleted("You have finished this module but not yet passed its quiz, so there is no "
                           "certificate to download yet.")
    return progress


def gmc_areas_of(version: ModuleVersion) -> list[int]:
    areas = {area for outcome in version.outcomes or [] for area in outcome.get("gmc_areas") or []}
    return sorted(area for area in areas if area in GMC_AREAS)


def issue_certificate(session: Session, progress: Progress) -> Certificate:
    """The progress's certificate, created on first request (flushed; the caller commits). Concurrent requests
    get the same row: a clash rolls back only the savepoint the new row was written in."""
    existing = session.scalars(select(Certificate).where(Certificate.progress_id == progress.id)).one_or_none()
    if existing is not None:
        return existing
    version = progress.module_version
    user = session.get(User, progress.user_id)
    assert progress.completed_at is not None and user is not None
    certificate = Certificate(
        code=new_code(), progress_id=progress.id, learner_name=user.display_name[:300],
        module_title=version.title, module_version=version.number, completed_at=progress.completed_at,
        hours=round(version.estimated_minutes / 60, 2),
        details={"module_slug": progress.module_slug, "course_id": progress.course_id,
                 "edition_id": progress.edition_id, "gmc_areas": gmc_areas_of(version)},
    )
    try:
        with session.begin_nested():
            session.add(certificate)
    except IntegrityError:
        # Another request issued it first (same progress), or - in theory - the 80-bit code collided.
        existing = session.scalars(select(Certificate).where(Certificate.progress_id == progress.id)).one_or_none()
        if existing is not None:
            return existing
        return issue_certificate(session, progress)
    return certificate


def certificate_for_learner(session: Session, user_id: int, course_id: int, module_slug: str,
                            edition_id: int | None = None) -> Certificate:
    return issue_certificate(session, completed_progress(session, user_id, course_id, module_slug, edition_id))


def verify_code(session: Session, code: str) -> Certificate:
    certificate = session.scalars(select(Certificate).where(Certificate.code == code.strip().upper())).one_or_none()
    if certificate is None:
        raise NotFound("No certificate has this code. Check it was typed exactly as printed.")
    return certificate


# ------------------------------------------------------------------------------------------ PDF


@dataclass(frozen=True)
class CertificateFont:
    """The font family to write with and a test of which characters it can draw."""

    family: str
    regular: Path | None
    bold: Path | None

    @classmethod
    def available(cls) -> CertificateFont:
        if DEJAVU_REGULAR.is_file() and DEJAVU_BOLD.is_file():
            return cls("DejaVu", DEJAVU_REGULAR, DEJAVU_BOLD)
        return cls.core()

    @classmethod
    def core(cls) -> CertificateFont:
        return cls("Helvetica", None, None)


def printable(text: str, can_draw: Callable[[str], bool]) -> str:
    """``text`` with each character the font cannot draw transliterated (CJK syllables keep spaces between)."""
    from anyascii import anyascii  # here, not at the top: only a certificate needs it, not every worker

    out: list[str] = []
    previous_was_syllable = False
    for char in unicodedata.normalize("NFC", text):
        if can_draw(char):
            out.append(char)
            previous_was_syllable = False
            continue
        latin = "".join(c for c in anyascii(char) if can_draw(c))
        syllable = len(latin) > 1 and latin[0].isupper()
        if syllable and previous_was_syllable:
            out.append(" ")
        out.append(latin)
        previous_was_syllable = syllable
    return "".join(out)


def date_text(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def hours_text(hours: float) -> str:
    rounded = round(hours * 4) / 4
    shown = f"{rounded:g}"
    return f"{shown} hour{'' if rounded == 1 else 's'}"


def certificate_pdf(certificate: Certificate, verify_url: str, font: CertificateFont | None = None) -> bytes:
    """An A4 landscape certificate. The code is also in the PDF's subject and keywords, for machines."""
    from fpdf import FPDF  # here, not at the top: fpdf2 and its font tools weigh about 30 MiB per worker
    from fpdf.fonts import TTFFont

    font = font or CertificateFont.available()
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 18, 20)
    if font.regular is not None and font.bold is not None:
        pdf.add_font(font.family, "", str(font.regular))
        pdf.add_font(font.family, "B", str(font.bold))
        # HarfBuzz shaping joins Arabic letters and orders right-to-left runs inside a line.
        pdf.set_text_shaping(use_shaping_engine=True)
        added = pdf.fonts[font.family.lower()]
        assert isinstance(added, TTFFont)  # a font added from a file; only the built-in core fonts are not
        cmap = added.cmap

        def can_draw(char: str) -> bool:
            return ord(char) in cmap
    else:
        def can_draw(char: str) -> bool:
            return ord(char) < 256

    def text(value: str) -> str:
        return printable(value, can_draw)

    areas = [(number, GMC_AREAS[number]) for number in (certificate.details or {}).get("gmc_areas", [])
             if number in GMC_AREAS]
    pdf.set_title(text(f"Certificate of completion: {certificate.module_title}"))
    pdf.set_author("Bridging the Gaps")
    pdf.set_subject(f"Certificate {certificate.code}")
    pdf.set_keywords(f"certificate {certificate.code}")
    pdf.set_creator("Bridging the Gaps")
    pdf.set_creation_date(certificate.issued_at)
    pdf.add_page()
    width = pdf.epw
    pdf.set_draw_color(0, 94, 184)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_font(font.family, "B", 26)
    pdf.set_text_color(0, 48, 135)
    pdf.cell(width, 14, text("Certificate of completion"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(33, 43, 50)
    pdf.set_font(font.family, "", 13)
    pdf.cell(width, 10, "This is to certify that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font.family, "B", 22)
    pdf.multi_cell(width, 11, text(certificate.learner_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font.family, "", 13)
    pdf.cell(width, 9, "completed the module", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font.family, "B", 17)
    pdf.multi_cell(width, 9, text(certificate.module_title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font.family, "", 12)
    pdf.cell(width, 9, text(f"Version {certificate.module_version} · completed on "
                            f"{date_text(certificate.completed_at)} · estimated study time "
                            f"{hours_text(certificate.hours)}"),
             align="C", new_x="LMARGIN", new_y="NEXT")
    if areas:
        pdf.ln(3)
        pdf.set_font(font.family, "B", 12)
        pdf.cell(width, 8, "GMC trainer framework areas covered", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(font.family, "", 11)
        for number, name in areas:
            pdf.cell(width, 6.5, text(f"Area {number}: {name}"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.h - 42)
    pdf.set_font(font.family, "", 10)
    pdf.set_text_color(76, 98, 114)
    pdf.cell(width, 6, f"Verification code: {certificate.code}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width, 6, text(f"Check this certificate at {verify_url}"), align="C", new_x="LMARGIN",
             new_y="NEXT", link=verify_url)
    pdf.cell(width, 6, text(f"Issued by Bridging the Gaps on {date_text(certificate.issued_at)}"), align="C")
    return bytes(pdf.output())
