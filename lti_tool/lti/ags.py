"""Assignment and Grade Services: find or make a row's grade column, then post its score.

AGS 2.0: line items §3.2 (https://www.imsglobal.org/spec/lti-ags/v2p0/#line-item-service), scores §3.4
(https://www.imsglobal.org/spec/lti-ags/v2p0/#score-publish-service). Blackboard specifics
(background §3.4): AGS only sees columns the tool made; ``scoreMaximum`` always goes with ``scoreGiven``;
the comment is sent with EVERY score because Learn clears it when a score omits it
(https://github.com/hypothesis/lms/issues/5685).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem as LibLineItem
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..learning.grades import format_timestamp
from ..models import Edition, GradeStatus, GradeSync, LineItem, ResourceLink
from . import claims as c
from .gradebook import remembered_column
from .service_token import ServiceClient, ServiceError

SCORE_SCOPES = (c.SCOPE_LINEITEM, c.SCOPE_SCORE)


def token_scopes(offered: Iterable[str] | None) -> tuple[str, ...]:
    """The scopes to ask for when sending grades: only what the launch's AGS claim offered (Open edX offers
    ``lineitem.readonly`` without ``lineitem``; a strict platform answers ``invalid_scope`` to more). Nothing
    known (a link launched before the offer was kept): the score and line item scopes."""
    offered = set(offered or ())
    if not offered:
        return SCORE_SCOPES
    wanted = [scope for scope in (c.SCOPE_LINEITEM, c.SCOPE_SCORE) if scope in offered]
    if c.SCOPE_LINEITEM not in offered and c.SCOPE_LINEITEM_READONLY in offered:
        wanted.append(c.SCOPE_LINEITEM_READONLY)
    return tuple(wanted)


MAX_LINEITEM_PAGES = 50


def scores_url(lineitem_url: str) -> str:
    """``<lineitem>/scores``, keeping any query string the platform put on the line item URL (AGS §3.4)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def score_payload(row: GradeSync) -> dict[str, Any]:
    """The score body: scoreGiven only once completed; comment always; submittedAt once completed."""
    grade = (Grade().set_user_id(row.user_sub).set_score_maximum(row.score_maximum)
             .set_activity_progress(row.activity_progress).set_grading_progress(row.grading_progress)
             .set_timestamp(row.timestamp).set_comment(row.comment or ""))
    if row.score_given is not None:
        grade.set_score_given(row.score_given)
    if row.submitted_at is not None:
        grade.set_submitted_at(format_timestamp(row.submitted_at))
    body: dict[str, Any] = json.loads(grade.get_value())
    body["comment"] = row.comment or ""
    return body


def post_score(client: ServiceClient, lineitem_url: str, row: GradeSync,
               scopes: tuple[str, ...] = SCORE_SCOPES) -> None:
    client.request("POST", scores_url(lineitem_url), scopes, what="score",
                   data=json.dumps(score_payload(row)), headers={"Content-Type": c.MEDIA_SCORE})


def find_lineitem(client: ServiceClient, lineitems_url: str, resource_id: str,
                  scopes: tuple[str, ...] = SCORE_SCOPES) -> dict[str, Any] | None:
    """The platform's column with this resourceId, following ``Link: rel="next"`` pages."""
    url: str | None = lineitems_url
    params: dict[str, str] | None = {"resource_id": resource_id}
    for _ in range(MAX_LINEITEM_PAGES):
        if url is None:
            return None
        response = client.request("GET", url, scopes, what="line item search", params=params,
                                  headers={"Accept": c.MEDIA_LINEITEM_CONTAINER})
        items = response.json()
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("resourceId") == resource_id and item.get("id"):
                return item
        url, params = response.links.get("next", {}).get("url"), None
    return None


def create_lineitem(client: ServiceClient, lineitems_url: str, *, label: str, score_maximum: float,
                    resource_id: str, tag: str, end_date_time: str | None,
                    scopes: tuple[str, ...] = SCORE_SCOPES) -> dict[str, Any]:
    if c.SCOPE_LINEITEM not in scopes:
        raise ServiceError(f"There is no grade column for “{label}” and the platform did not offer this tool the "
                           "line item scope to create one; add the module with deep linking (or as a graded link).",
                           retryable=False)
    item = (LibLineItem().set_label(label).set_score_maximum(score_maximum).set_resource_id(resource_id)
            .set_tag(tag))
    if end_date_time:
        item.set_end_date_time(end_date_time)
    response = client.request("POST", lineitems_url, scopes, what="line item creation",
                              data=item.get_value(), headers={"Content-Type": c.MEDIA_LINEITEM,
                                                              "Accept": c.MEDIA_LINEITEM})
    body = response.json()
    if not isinstance(body, dict) or not body.get("id"):
        raise ServiceError("line item creation: the platform's answer has no id", status=response.status_code,
                           retryable=True)
    return body


def remember_lineitem(session: Session, *, course_id: int, url: str, label: str, resource_id: str, tag: str,
                      score_maximum: float, edition_id: int | None) -> None:
    """Keep a column so later rows (and other workers) reuse it instead of searching or creating again.

    Kept per (course, resourceId) in the tool's own ``LineItem`` table, never on the resource link the score came
    through (which may serve other modules too) nor on the edition (a domain row). Pending rows waiting for this
    resourceId's column get its URL. Commits. Two workers may find the same column at once; the second one's
    ``LineItem`` row is dropped.
    """
    session.execute(update(GradeSync).where(GradeSync.course_id == course_id, GradeSync.resource_id == resource_id,
                                            GradeSync.lineitem_url.is_(None), GradeSync.status == GradeStatus.PENDING)
                    .values(lineitem_url=url).execution_options(synchronize_session=False))
    session.commit()
    if session.scalars(select(LineItem.id).where(LineItem.course_id == course_id, LineItem.url == url)).first():
        return
    session.add(LineItem(course_id=course_id, url=url, label=label[:300], resource_id=resource_id, tag=tag,
                         score_maximum=score_maximum, edition_id=edition_id))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()


def forget_lineitem(session: Session, course_id: int, url: str) -> None:
    """Stop reusing a column the platform no longer has (commits): the links that named it forget it, and the
    pending rows given it go back to their resourceId's column, found or made anew."""
    session.execute(delete(LineItem).where(LineItem.course_id == course_id, LineItem.url == url))
    session.execute(update(ResourceLink).where(ResourceLink.course_id == course_id, ResourceLink.lineitem_url == url)
                    .values(lineitem_url=None))
    session.execute(update(GradeSync).where(GradeSync.course_id == course_id, GradeSync.lineitem_url == url,
                                            GradeSync.status == GradeStatus.PENDING)
                    .values(lineitem_url=None).execution_options(synchronize_session=False))
    session.commit()


def resolve_lineitem(session: Session, client: ServiceClient, row: GradeSync,
                     scopes: tuple[str, ...] = SCORE_SCOPES) -> str:
    """The column the row was given when written (``gradebook.column_for``); when that was its resourceId's
    column: the one the tool remembers, else found on the platform, else created (with the edition's due date)."""
    known = row.lineitem_url or remembered_column(session, row.course_id, row.resource_id)
    if known:
        return known
    if not row.lineitems_url:
        raise ServiceError("The course offers no line items service, so there is no grade column to send to.",
                           retryable=False)
    found = find_lineitem(client, row.lineitems_url, row.resource_id, scopes)
    edition = session.get(Edition, row.edition_id) if row.edition_id is not None else None
    if found is None:
        found = create_lineitem(
            client, row.lineitems_url, label=row.label or row.resource_id, score_maximum=row.score_maximum,
            resource_id=row.resource_id, tag=row.resource_id.split("/")[0],
            end_date_time=format_timestamp(edition.due_at) if edition else None, scopes=scopes,
        )
    url = str(found["id"])
    remember_lineitem(session, course_id=row.course_id, url=url, label=str(found.get("label") or row.label),
                      resource_id=row.resource_id, tag=str(found.get("tag") or ""),
                      score_maximum=float(found.get("scoreMaximum") or row.score_maximum),
                      edition_id=row.edition_id)
    return url
