"""The grade outbox worker: claim due rows safely among several workers, send them, record what happened.

Claiming: PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED``; SQLite (one writer at a time) an atomic conditional
UPDATE per row. A claim is a lease (``claimed_until``, ``claim_token``): a worker killed mid-send leaves a row
that another worker takes once the lease runs out. Re-sending the same row carries the same timestamp, and a
platform refusing it as "not newer" (409) already has it, so the row counts as sent, never as sent twice.
Outcomes: ``sent``; a retry with exponential backoff and jitter for time-outs, connection errors, 5xx and
429 (``Retry-After`` honoured); ``failed`` with the platform's status and message for other 4xx or after
GRADE_MAX_ATTEMPTS; ``superseded`` when a newer row for the same progress exists (the latest score wins).
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import requests
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..models import Course, Deployment, GradeStatus, GradeSync, Platform, utcnow
from .ags import forget_lineitem, offered_scopes, post_score, resolve_lineitem
from .service_token import ServiceClient, ServiceError

log = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]


@dataclass(frozen=True)
class OutboxSettings:
    timeout: float = 10.0
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    max_attempts: int = 12
    claim_seconds: float = 120.0
    batch_size: int = 50

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> OutboxSettings:
        return cls(timeout=float(config["HTTP_TIMEOUT_SECONDS"]),
                   retry_base_seconds=float(config["GRADE_RETRY_BASE_SECONDS"]),
                   retry_max_seconds=float(config["GRADE_RETRY_MAX_SECONDS"]),
                   max_attempts=int(config["GRADE_MAX_ATTEMPTS"]),
                   claim_seconds=float(config["GRADE_CLAIM_SECONDS"]))


class SendOutcome(StrEnum):
    """What became of one claimed row in a pass; each names a ``PassResult`` counter."""

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SUPERSEDED = "superseded"
    SKIPPED = "skipped"


@dataclass
class PassResult:
    """What one pass over the outbox did."""

    sent: int = 0
    retry: int = 0
    failed: int = 0
    superseded: int = 0
    skipped: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retry + self.failed + self.superseded

    def add(self, outcome: SendOutcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def _due(now: datetime):
    return (GradeSync.status == GradeStatus.PENDING, GradeSync.next_attempt_at <= now,
            or_(GradeSync.claimed_until.is_(None), GradeSync.claimed_until < now))


def claim_rows(session: Session, settings: OutboxSettings, limit: int | None = None) -> list[tuple[int, str]]:
    """Take up to ``limit`` due rows for this worker; returns (row id, claim token) pairs, committed."""
    now = utcnow()
    limit = limit or settings.batch_size
    token = uuid.uuid4().hex
    until = now + timedelta(seconds=settings.claim_seconds)
    query = select(GradeSync.id).where(*_due(now)).order_by(GradeSync.next_attempt_at, GradeSync.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(query.with_for_update(skip_locked=True)))
        if ids:
            session.execute(update(GradeSync).where(GradeSync.id.in_(ids))
                            .values(claimed_until=until, claim_token=token)
                            .execution_options(synchronize_session=False))
        session.commit()
        return [(i, token) for i in ids]
    candidates = list(session.scalars(query))
    session.commit()
    claimed = []
    for row_id in candidates:
        result = session.execute(update(GradeSync).where(GradeSync.id == row_id, *_due(now))
                                 .values(claimed_until=until, claim_token=token)
                                 .execution_options(synchronize_session=False))
        session.commit()
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append((row_id, token))
    return claimed


def backoff_seconds(attempts: int, settings: OutboxSettings, retry_after: float | None = None) -> float:
    """Exponential from GRADE_RETRY_BASE_SECONDS, capped, with jitter so workers do not retry in step."""
    if retry_after is not None:
        return min(retry_after, settings.retry_max_seconds)
    delay = min(settings.retry_base_seconds * 2 ** max(attempts - 1, 0), settings.retry_max_seconds)
    return delay * random.uniform(0.5, 1.0)


def _finish(session: Session, row_id: int, token: str, **values: Any) -> bool:
    """Record the outcome only if this worker still holds the row's claim."""
    result = session.execute(update(GradeSync).where(GradeSync.id == row_id, GradeSync.claim_token == token)
                             .values(claimed_until=None, claim_token=None, **values)
                             .execution_options(synchronize_session=False))
    session.commit()
    held = result.rowcount == 1  # type: ignore[attr-defined]
    if not held:
        log.warning("grade send %s: claim lost before its outcome was recorded", row_id)
    return held


def _newer_row(session: Session, row: GradeSync) -> int | None:
    return session.scalars(select(GradeSync.id).where(GradeSync.progress_id == row.progress_id,
                                                      GradeSync.id > row.id,
                                                      GradeSync.status.in_((GradeStatus.PENDING, GradeStatus.SENT)))
                           .limit(1)).first()


def _platform_for(session: Session, course_id: int) -> Platform | None:
    return session.scalars(select(Platform).join(Deployment, Deployment.platform_id == Platform.id)
                           .join(Course, Course.deployment_id == Deployment.id)
                           .where(Course.id == course_id)).first()


def process_row(session: Session, row_id: int, token: str, *, http: requests.Session,
                settings: OutboxSettings) -> SendOutcome:
    """Send one claimed row; returns its outcome (sent, retry, failed, superseded or skipped)."""
    row = session.get(GradeSync, row_id, populate_existing=True)
    if row is None or row.claim_token != token or row.status != GradeStatus.PENDING:
        return SendOutcome.SKIPPED
    newer = _newer_row(session, row)
    if newer is not None:
        _finish(session, row_id, token, status=GradeStatus.SUPERSEDED,
                last_error=f"Superseded by grade send {newer} for the same progress.")
        return SendOutcome.SUPERSEDED
    platform = _platform_for(session, row.course_id)
    attempts = row.attempts + 1
    try:
        if platform is None:
            raise ServiceError("The course's platform registration no longer exists.", retryable=False)
        client = ServiceClient(session, platform, http=http, timeout=settings.timeout)
        scopes = offered_scopes(session, row)
        lineitem_url = resolve_lineitem(session, client, row, scopes)
        session.commit()  # keep a column found or made, whatever happens to the score
        try:
            post_score(client, lineitem_url, row, scopes)
        except ServiceError as exc:
            if exc.status == 404:
                # The column was deleted in the grade book (Blackboard deletes irrecoverably): stop reusing it, so
                # a resend finds or makes a new one.
                forget_lineitem(session, row.course_id, lineitem_url)
                raise ServiceError(f"{exc.message}. The grade column no longer exists on the platform; resend to "
                                   "make a new one.", status=404, retryable=False) from exc
            if exc.status != 409:
                raise
            newer = _newer_row(session, row)
            if newer is not None:
                _finish(session, row_id, token, status=GradeStatus.SUPERSEDED, attempts=attempts,
                        last_error=f"Superseded by grade send {newer}; the platform already has a newer score.")
                return SendOutcome.SUPERSEDED
            # The platform already holds a score with this row's timestamp: an earlier send of this same row
            # got through (the worker died, or the answer was lost to a time-out). Delivered once; done.
            log.info("grade send %s: platform already had this score (%s)", row_id, exc.message)
        _finish(session, row_id, token, status=GradeStatus.SENT, attempts=attempts, sent_at=utcnow(),
                lineitem_url=lineitem_url, last_error=None, last_status=None)
        return SendOutcome.SENT
    except ServiceError as exc:
        session.rollback()
        if exc.retryable and attempts < settings.max_attempts:
            delay = backoff_seconds(attempts, settings, exc.retry_after)
            _finish(session, row_id, token, attempts=attempts, last_error=exc.message[:2000],
                    last_status=exc.status, next_attempt_at=utcnow() + timedelta(seconds=delay))
            return SendOutcome.RETRY
        message = exc.message if not exc.retryable else f"Gave up after {attempts} attempts: {exc.message}"
        _finish(session, row_id, token, status=GradeStatus.FAILED, attempts=attempts, last_error=message[:2000],
                last_status=exc.status)
        return SendOutcome.FAILED


def _retry_after_crash(session: Session, row_id: int, token: str, settings: OutboxSettings,
                       exc: Exception) -> SendOutcome:
    attempts = (session.scalar(select(GradeSync.attempts).where(GradeSync.id == row_id)) or 0) + 1
    message = f"Unexpected error in the tool: {type(exc).__name__}: {exc}"[:2000]
    if attempts >= settings.max_attempts:
        _finish(session, row_id, token, status=GradeStatus.FAILED, attempts=attempts, last_error=message)
        return SendOutcome.FAILED
    _finish(session, row_id, token, attempts=attempts, last_error=message,
            next_attempt_at=utcnow() + timedelta(seconds=backoff_seconds(attempts, settings)))
    return SendOutcome.RETRY


def run_pass(factory: SessionFactory, settings: OutboxSettings, *, http: requests.Session | None = None,
             stop: threading.Event | None = None, limit: int | None = None) -> PassResult:
    """Claim one batch of due rows and send them, one at a time; stops early (between rows) when asked."""
    result = PassResult()
    own_http = http is None
    http = http or requests.Session()
    try:
        with factory() as session:
            for row_id, token in claim_rows(session, settings, limit):
                if stop is not None and stop.is_set():
                    _finish(session, row_id, token)  # hand the claim back untouched
                    continue
                try:
                    outcome = process_row(session, row_id, token, http=http, settings=settings)
                except Exception as exc:  # a bug or a database hiccup must not kill the worker or strand the row
                    log.exception("grade send %s: unexpected error", row_id)
                    session.rollback()
                    outcome = _retry_after_crash(session, row_id, token, settings, exc)
                result.add(outcome)
    finally:
        if own_http:
            http.close()
    return result


def run_until_idle(factory: SessionFactory, settings: OutboxSettings, *, http: requests.Session | None = None,
                   stop: threading.Event | None = None) -> PassResult:
    """Passes until no row is due now (rows waiting for a later retry stay pending)."""
    total = PassResult()
    while stop is None or not stop.is_set():
        one = run_pass(factory, settings, http=http, stop=stop)
        for name in SendOutcome:
            setattr(total, name, getattr(total, name) + getattr(one, name))
        if one.handled + one.skipped == 0:
            break
    return total


def run_worker(factory: SessionFactory, settings: OutboxSettings, *, poll_seconds: float, stop: threading.Event,
               on_pass: Callable[[PassResult], None] | None = None) -> None:
    """Drain the outbox every ``poll_seconds`` until ``stop`` is set; the row being sent is always finished."""
    with requests.Session() as http:
        while not stop.is_set():
            try:
                result = run_pass(factory, settings, http=http, stop=stop)
            except Exception:  # the database may be restarting: keep the worker alive and try again later
                log.exception("grade worker pass failed; trying again in %s s", poll_seconds)
                stop.wait(poll_seconds)
                continue
            if on_pass is not None and result.handled:
                on_pass(result)
            if result.handled == 0:
                stop.wait(poll_seconds)
