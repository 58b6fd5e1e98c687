"""The grade outbox's rows as one pass holds them: what the pass reads of its claimed rows in one statement, and
how outcomes are recorded, always under the claim (a row whose claim was lost is left to its new holder); sent
rows are recorded in batches, one statement and one commit for many scores."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, func, select, update
from sqlalchemy.orm import Session, aliased

from ..models import Course, Deployment, GradeStatus, GradeSync, Platform, ResourceLink
from .ags import token_scopes

log = logging.getLogger(__name__)


def finish(session: Session, row_id: int, token: str, **values: Any) -> bool:
    """Record the outcome only if this worker still holds the row's claim."""
    result = cast(CursorResult[Any], session.execute(
        update(GradeSync).where(GradeSync.id == row_id, GradeSync.claim_token == token)
        .values(claimed_until=None, claim_token=None, **values).execution_options(synchronize_session=False)))
    session.commit()
    held = result.rowcount == 1
    if not held:
        log.warning("grade send %s: claim lost before its outcome was recorded", row_id)
    return held


def finish_sent(session: Session, sent: list[dict[str, Any]]) -> None:
    """Record a batch of rows as sent in one statement and one commit (``finish`` row by row would cost a commit
    per score). A row whose claim was lost meanwhile is left to its new holder: if this worker dies before the
    batch is recorded, the rows are sent again after their lease, and the platform's 409 to the same timestamp
    makes them sent, never lost."""
    table = cast(Table, GradeSync.__table__)
    result = cast(CursorResult[Any], session.execute(
        update(table).where(table.c.id == bindparam("b_id"), table.c.claim_token == bindparam("b_token"))
        .values(status=GradeStatus.SENT, attempts=bindparam("b_attempts"), sent_at=bindparam("b_sent_at"),
                lineitem_url=bindparam("b_url"), last_error=None, last_status=None, claimed_until=None,
                claim_token=None), sent))
    session.commit()
    if session.get_bind().dialect.supports_sane_multi_rowcount and result.rowcount != len(sent):
        log.warning("grade sends %s: a claim was lost before the outcome was recorded", [s["b_id"] for s in sent])


def newer_row(session: Session, row: GradeSync) -> int | None:
    return session.scalars(select(GradeSync.id).where(GradeSync.progress_id == row.progress_id,
                                                      GradeSync.id > row.id,
                                                      GradeSync.status.in_((GradeStatus.PENDING, GradeStatus.SENT)))
                           .limit(1)).first()


@dataclass(frozen=True)
class Claim:
    """A claimed row as the pass read it, with what sending it needs: its platform, the token scopes its link (or
    course) offered, and the newer row for the same progress if there is one (then it is superseded unsent).
    The row and platform are detached from any session, so any of the pass's threads may send it."""

    row: GradeSync
    token: str
    platform: Platform | None
    scopes: tuple[str, ...]
    newer_id: int | None


def read_claims(session: Session, claimed: list[tuple[int, str]]) -> list[Claim]:
    """The claimed rows this worker still holds, and what sending them needs, in one statement."""
    if not claimed:
        return []
    tokens = dict(claimed)
    newer = aliased(GradeSync)
    newer_id = (select(func.min(newer.id))
                .where(newer.progress_id == GradeSync.progress_id, newer.id > GradeSync.id,
                       newer.status.in_((GradeStatus.PENDING, GradeStatus.SENT)))
                .correlate(GradeSync).scalar_subquery())
    found = session.execute(
        select(GradeSync, Platform, ResourceLink.ags_scopes, Course.ags_scopes, newer_id)
        .join(Course, Course.id == GradeSync.course_id)
        .outerjoin(Deployment, Deployment.id == Course.deployment_id)
        .outerjoin(Platform, Platform.id == Deployment.platform_id)
        .outerjoin(ResourceLink, ResourceLink.id == GradeSync.resource_link_pk)
        .where(GradeSync.id.in_(tokens)).order_by(GradeSync.id)
        .execution_options(populate_existing=True)).all()
    claims = []
    for row, platform, link_scopes, course_scopes, newer_row_id in found:
        for instance in (row, platform):
            if instance is not None and instance in session:
                session.expunge(instance)
        if row.claim_token == tokens[row.id] and row.status == GradeStatus.PENDING:
            claims.append(Claim(row, tokens[row.id], platform, token_scopes(link_scopes or course_scopes),
                                newer_row_id))
    return claims
