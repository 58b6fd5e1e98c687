"""Certificates: a learner downloads the PDF for a module they completed; anyone can check a code."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from ..db import get_session
from ..learning import certificates
from .auth import require_course_role
from .lti import tool_url

bp = Blueprint("certificates", __name__)


@bp.get("/course/<int:course_id>/module/<module_slug>/certificate.pdf")
@require_course_role("learner")
def download(launch, course_id: int, module_slug: str):
    """The signed-in learner's own certificate only: the user comes from the launch, never from the URL."""
    edition_id = request.args.get("edition", type=int)
    session = get_session()
    certificate = certificates.certificate_for_learner(session, launch.user_id, course_id, module_slug, edition_id)
    session.commit()
    pdf = certificates.certificate_pdf(certificate, tool_url("certificates.verify", code=certificate.code))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{module_slug}.pdf"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    })


@bp.get("/verify/<code>")
def verify(code: str):
    """Public: only what the certificate itself says (name, module, version, date), nothing about the course."""
    certificate = certificates.verify_code(get_session(), code)
    return render_template("certificates/verify.html", certificate=certificate,
                           completed_on=certificates.date_text(certificate.completed_at))
