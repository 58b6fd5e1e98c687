"""Where the registered platforms live on the web, for the headers that let them frame the tool and receive its
forms; and a signal when a platform changes, so a cache of those origins can be emptied."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from ..models import Platform


def platform_urls(session: Session) -> list[str]:
    """Every platform's login URL and the sites learnt from its launches (a Learn site behind Blackboard's
    shared issuer)."""
    found: list[str] = []
    for login_url, learnt in session.execute(select(Platform.auth_login_url, Platform.frame_origins)):
        found.append(login_url)
        found.extend(o for o in (learnt or []) if isinstance(o, str))
    return found


def on_platform_change(makers: Iterable[sessionmaker[Session]], changed: Callable[[], None]) -> None:
    """Call ``changed`` after a session of ``makers`` commits a change to a platform (not when it rolls back)."""

    def after_flush(session: Session, _context: Any) -> None:
        if any(isinstance(o, Platform) for o in (*session.new, *session.dirty, *session.deleted)):
            session.info["platforms_changed"] = True

    def after_commit(session: Session) -> None:
        if session.info.pop("platforms_changed", False):
            changed()

    def after_rollback(session: Session) -> None:
        session.info.pop("platforms_changed", None)

    for maker in makers:
        event.listen(maker, "after_flush", after_flush)
        event.listen(maker, "after_commit", after_commit)
        event.listen(maker, "after_rollback", after_rollback)
