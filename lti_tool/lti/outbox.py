"""The grade outbox worker: claim due rows safely among several workers, send them, record what happened.

Claiming: PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED``; SQLite (one writer at a time) an atomic conditional
UPDATE per row. A claim is a lease (``claimed_until``, ``claim_token``): a worker killed mid-send leaves a row
that another worker takes once the lease runs out. Re-sending the same row carries the same timestamp, and a
platform refusing it as "not newer" (409) already has it, so the row counts as sent, never as sent twice.
Outcomes: ``sent``; a retry with exponential backoff and jitter for time-outs, connection errors, 5xx and
429 (``Retry-After`` honoured); ``failed`` with the platform's status and message for other 4xx or after
GRADE_MAX_ATTEMPTS; ``superseded`` when a newer row for the same progress exists (the latest score wins).

Sending: a pass sends each platform's rows on up to ``sends_per_platform`` threads at once, sharing one HTTP
session (kept-alive connections) and the tokens in hand. A 429 pauses that platform: the pass sends it nothing
more, and its rows not yet sent go back to the outbox, due when the platform's ``Retry-After`` says. What a row's
send needs (its platform, offered scopes, a newer row) is read for the whole batch at once (``outbox_rows``), a
row with its column sends with no statement, and sent rows are recorded together.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from ..models import GradeStatus, GradeSync, utcnow
from .ags import forget_lineitem, post_score, resolve_lineitem
from .outbox_rows import Claim, finish, finish_sent, newer_row, read_claims
from .service_token import ServiceClient, ServiceError, TokensInHand

log = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]
FINISH_BATCH = 25  # sent rows recorded per statement and commit


@dataclass(frozen=True)
class OutboxSettings:
    timeout: float = 10.0
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    max_attempts: int = 12
    claim_seconds: float = 120.0
    batch_size: int = 50
    sends_per_platform: int = 4

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


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
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
    # SQLite runs one writer at a time: one conditional UPDATE claims, of the rows seen due, those still due.
    candidates = list(session.scalars(query))
    if candidates:
        session.execute(update(GradeSync).where(GradeSync.id.in_(candidates), *_due(now))
                        .values(claimed_until=until, claim_token=token)
                        .execution_options(synchronize_session=False))
    session.commit()
    held = set(session.scalars(select(GradeSync.id).where(GradeSync.id.in_(candidates),
                                                         GradeSync.claim_token == token))) if candidates else set()
    session.commit()
    return [(i, token) for i in candidates if i in held]


def backoff_seconds(attempts: int, settings: OutboxSettings, retry_after: float | None = None) -> float:
    """Exponential from GRADE_RETRY_BASE_SECONDS, capped, with jitter so workers do not retry in step."""
    if retry_after is not None:
        return min(retry_after, settings.retry_max_seconds)
    delay = min(settings.retry_base_seconds * 2.0 ** max(attempts - 1, 0), settings.retry_max_seconds)
    return delay * random.uniform(0.5, 1.0)


class ColumnLocks:
    """One lock per (course, resourceId) for a pass's threads: rows that must find or make the same column take
    turns, so the column is made once and the later rows reuse it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple[int, str], threading.Lock] = {}

    def __call__(self, course_id: int, resource_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault((course_id, resource_id), threading.Lock())


def process_row(session: Session, row_id: int, token: str, *, http: requests.Session,
                settings: OutboxSettings) -> SendOutcome:
    """Send one claimed row on its own; returns its outcome (sent, retry, failed, superseded or skipped)."""
    claims = read_claims(session, [(row_id, token)])
    if not claims:
        return SendOutcome.SKIPPED
    outcome, sent = send_claim(session, claims[0], http=http, settings=settings)
    if sent is not None:
        finish_sent(session, [sent])
    return outcome


def send_claim(session: Session, claim: Claim, *, http: requests.Session, settings: OutboxSettings,
               tokens: TokensInHand | None = None, columns: ColumnLocks | None = None,
               throttled: Callable[[float | None], None] | None = None) -> tuple[SendOutcome, dict[str, Any] | None]:
    """Send one claimed row. Every outcome but sent is recorded here; a sent row's record is returned for
    ``finish_sent`` to write with others.

    ``tokens``: the pass's tokens in hand; ``columns``: its column locks; ``throttled``: told the platform's
    Retry-After when it answers 429."""
    row, row_id, token = claim.row, claim.row.id, claim.token
    if claim.newer_id is not None:
        finish(session, row_id, token, status=GradeStatus.SUPERSEDED,
               last_error=f"Superseded by grade send {claim.newer_id} for the same progress.")
        return SendOutcome.SUPERSEDED, None
    attempts = row.attempts + 1
    try:
        if claim.platform is None:
            raise ServiceError("The course's platform registration no longer exists.", retryable=False)
        client = ServiceClient(session, claim.platform, http=http, timeout=settings.timeout, tokens=tokens)
        scopes = claim.scopes
        if row.lineitem_url or columns is None:
            lineitem_url = resolve_lineitem(session, client, row, scopes)
        else:
            with columns(row.course_id, row.resource_id):
                session.commit()  # end the read snapshot: see the column another thread has just remembered
                lineitem_url = resolve_lineitem(session, client, row, scopes)
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
            newer = newer_row(session, row)
            if newer is not None:
                finish(session, row_id, token, status=GradeStatus.SUPERSEDED, attempts=attempts,
                       last_error=f"Superseded by grade send {newer}; the platform already has a newer score.")
                return SendOutcome.SUPERSEDED, None
            # The platform already holds a score with this row's timestamp: an earlier send of this same row
            # got through (the worker died, or the answer was lost to a time-out). Delivered once; done.
            log.info("grade send %s: platform already had this score (%s)", row_id, exc.message)
        return SendOutcome.SENT, {"b_id": row_id, "b_token": token, "b_attempts": attempts, "b_sent_at": utcnow(),
                                  "b_url": lineitem_url}
    except ServiceError as exc:
        session.rollback()
        if exc.status == 429 and throttled is not None:
            throttled(exc.retry_after)
        if exc.retryable and attempts < settings.max_attempts:
            delay = backoff_seconds(attempts, settings, exc.retry_after)
            finish(session, row_id, token, attempts=attempts, last_error=exc.message[:2000],
                   last_status=exc.status, next_attempt_at=utcnow() + timedelta(seconds=delay))
            return SendOutcome.RETRY, None
        message = exc.message if not exc.retryable else f"Gave up after {attempts} attempts: {exc.message}"
        finish(session, row_id, token, status=GradeStatus.FAILED, attempts=attempts, last_error=message[:2000],
               last_status=exc.status)
        return SendOutcome.FAILED, None


def _retry_after_crash(session: Session, row_id: int, token: str, settings: OutboxSettings,
                       exc: Exception) -> SendOutcome:
    attempts = (session.scalar(select(GradeSync.attempts).where(GradeSync.id == row_id)) or 0) + 1
    message = f"Unexpected error in the tool: {type(exc).__name__}: {exc}"[:2000]
    if attempts >= settings.max_attempts:
        finish(session, row_id, token, status=GradeStatus.FAILED, attempts=attempts, last_error=message)
        return SendOutcome.FAILED
    finish(session, row_id, token, attempts=attempts, last_error=message,
           next_attempt_at=utcnow() + timedelta(seconds=backoff_seconds(attempts, settings)))
    return SendOutcome.RETRY


class PlatformSender:
    """One platform's share of a pass: its rows, its HTTP session, and whether it asked us to wait (429)."""

    def __init__(self, rows: list[Claim], http: requests.Session, pause_seconds: float) -> None:
        self.rows: queue.SimpleQueue[Claim] = queue.SimpleQueue()
        for row in rows:
            self.rows.put(row)
        self.http = http
        self.pause_seconds = pause_seconds
        self.resume_at: float | None = None

    def throttle(self, retry_after: float | None) -> None:
        """The platform answered 429: send it nothing more until its Retry-After (else the first retry delay)."""
        self.resume_at = time.monotonic() + (self.pause_seconds if retry_after is None else retry_after)

    def next_row(self) -> Claim | None:
        try:
            return self.rows.get_nowait()
        except queue.Empty:
            return None


def _send_rows(open_session: Callable[[], AbstractContextManager[Session]], sender: PlatformSender,
               settings: OutboxSettings, tokens: TokensInHand, columns: ColumnLocks, stop: threading.Event | None,
               result: PassResult, lock: threading.Lock) -> None:
    """One sending thread: take the platform's rows one at a time until none is left (or the pass must stop);
    the rows sent are recorded together, every ``FINISH_BATCH`` and at the end."""
    sent: list[dict[str, Any]] = []
    with open_session() as session:
        try:
            while (claim := sender.next_row()) is not None:
                row_id, token = claim.row.id, claim.token
                if (stop is not None and stop.is_set()) or sender.resume_at is not None:
                    # Hand the claim back untouched; after a 429, due when the platform said to come back.
                    later = {} if sender.resume_at is None else {"next_attempt_at": utcnow() + timedelta(
                        seconds=max(sender.resume_at - time.monotonic(), 0.0))}
                    finish(session, row_id, token, **later)
                    outcome = SendOutcome.SKIPPED
                else:
                    try:
                        outcome, done = send_claim(session, claim, http=sender.http, settings=settings,
                                                   tokens=tokens, columns=columns, throttled=sender.throttle)
                        sent += [done] if done is not None else []
                    except Exception as exc:  # a bug or a database hiccup must not kill the worker or strand it
                        log.exception("grade send %s: unexpected error", row_id)
                        session.rollback()
                        outcome = _retry_after_crash(session, row_id, token, settings, exc)
                if len(sent) >= FINISH_BATCH:
                    finish_sent(session, sent)
                    sent = []
                with lock:
                    result.add(outcome)
        finally:
            if sent:
                finish_sent(session, sent)


class HttpSessions:
    """One kept-alive HTTP session per platform, for as long as a worker runs."""

    def __init__(self, pool_size: int) -> None:
        self.pool_size = pool_size
        self._sessions: dict[int | None, requests.Session] = {}

    def for_platform(self, platform_id: int | None) -> requests.Session:
        if platform_id not in self._sessions:
            http = requests.Session()
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=self.pool_size)
            http.mount("https://", adapter)
            http.mount("http://", adapter)
            self._sessions[platform_id] = http
        return self._sessions[platform_id]

    def close(self) -> None:
        for http in self._sessions.values():
            http.close()
        self._sessions.clear()


def run_pass(factory: SessionFactory, settings: OutboxSettings, *, http: requests.Session | HttpSessions | None = None,
             stop: threading.Event | None = None, limit: int | None = None) -> PassResult:
    """Claim one batch of due rows and send them, each platform's on up to ``sends_per_platform`` threads;
    rows not yet started are handed back when asked to stop."""
    result = PassResult()
    own_http = http is None
    sessions = HttpSessions(settings.sends_per_platform) if http is None else http
    try:
        with factory() as session:
            claimed = claim_rows(session, settings, limit)
            claims = read_claims(session, claimed)
            result.skipped += len(claimed) - len(claims)
            _send_all(factory, session, claims, sessions, settings, stop, result)
    finally:
        if own_http and isinstance(sessions, HttpSessions):
            sessions.close()
    return result


def _send_all(factory: SessionFactory, session: Session, claims: list[Claim], sessions: requests.Session | HttpSessions,
              settings: OutboxSettings, stop: threading.Event | None, result: PassResult) -> None:
    """Each platform's rows on its own threads; a single thread's work is done here, in the claiming session."""
    if not claims:
        return
    by_platform: dict[int | None, list[Claim]] = {}
    for claim in claims:
        by_platform.setdefault(claim.platform.id if claim.platform else None, []).append(claim)
    tokens, columns, lock = TokensInHand(), ColumnLocks(), threading.Lock()
    senders = []
    for platform_id, rows in by_platform.items():
        http_session = sessions.for_platform(platform_id) if isinstance(sessions, HttpSessions) else sessions
        sender = PlatformSender(rows, http_session, settings.retry_base_seconds)
        senders += [sender] * min(settings.sends_per_platform, len(rows))
    if len(senders) == 1:  # one row, or one at a time: no thread to start
        _send_rows(lambda: nullcontext(session), senders[0], settings, tokens, columns, stop, result, lock)
        return
    threads = [threading.Thread(target=_send_rows, name="grade-send", daemon=True,
                                args=(factory, sender, settings, tokens, columns, stop, result, lock))
               for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_until_idle(factory: SessionFactory, settings: OutboxSettings, *, http: requests.Session | None = None,
                   stop: threading.Event | None = None) -> PassResult:
    """Passes until no row is due now (rows waiting for a later retry stay pending)."""
    total = PassResult()
    sessions = HttpSessions(settings.sends_per_platform) if http is None else None
    try:
        while stop is None or not stop.is_set():
            one = run_pass(factory, settings, http=http or sessions, stop=stop)
            for name in SendOutcome:
                setattr(total, name, getattr(total, name) + getattr(one, name))
            if one.handled + one.skipped == 0:
                break
    finally:
        if sessions is not None:
            sessions.close()
    return total


def run_worker(factory: SessionFactory, settings: OutboxSettings, *, poll_seconds: float, stop: threading.Event,
               on_pass: Callable[[PassResult], None] | None = None) -> None:
    """Drain the outbox every ``poll_seconds`` until ``stop`` is set; the row being sent is always finished."""
    http = HttpSessions(settings.sends_per_platform)
    try:
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
    finally:
        http.close()
