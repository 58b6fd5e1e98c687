"""The published modules an instructor can add to a course, and binding a course link to one of them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound
from ..models import Edition, Module, ModuleVersion, ResourceLink

GRADABLE_KINDS = frozenset({"module", "session"})


@dataclass(frozen=True)
class CatalogueEntry:
    slug: str
    kind: str
    title: str
    summary: str
    version: int
    estimated_minutes: int

    @property
    def gradable(self) -> bool:
        """Modules and session modules get a grade-book column; the handbook does not."""
        return self.kind in GRADABLE_KINDS

    @property
    def has_editions(self) -> bool:
        return self.kind == "session"


def published_modules(session: Session) -> list[CatalogueEntry]:
    rows = session.execute(select(Module, ModuleVersion).join(ModuleVersion, ModuleVersion.id ==
                                                              Module.current_version_id)).all()
    entries = [CatalogueEntry(slug=m.slug, kind=m.kind, title=v.title, summary=v.summary, version=v.number,
                              estimated_minutes=v.estimated_minutes) for m, v in rows]
    return sorted(entries, key=lambda e: (e.kind == "handbook", e.title.lower()))


def find_module(session: Session, slug: str) -> CatalogueEntry:
    for entry in published_modules(session):
        if entry.slug == slug:
            return entry
    raise NotFound(f"There is no published module “{slug}”.")


def needs_binding(session: Session, resource_link_pk: int | None) -> bool:
    """A graded course link (it has a grade column) that points at no module: an instructor should choose one.

    Ungraded links without a module (Blackboard's course-tool placement) open the tutor dashboard instead.
    """
    link = session.get(ResourceLink, resource_link_pk) if resource_link_pk is not None else None
    return link is not None and not link.module_slug and bool(link.lineitem_url)


def bind_resource_link(session: Session, *, course_id: int, resource_link_pk: int, module_slug: str,
                       edition_id: int | None) -> ResourceLink:
    """Point a course link at a module (and, for a session module, one edition); learners then land there."""
    link = session.get(ResourceLink, resource_link_pk)
    if link is None or link.course_id != course_id:
        raise NotFound("That course link is not known here.")
    entry = find_module(session, module_slug)
    if entry.has_editions:
        edition = session.get(Edition, edition_id) if edition_id is not None else None
        if edition is None or edition.course_id != course_id or edition.module_slug != module_slug:
            raise Conflict(f"Choose which edition of “{entry.title}” this link opens.")
    elif edition_id is not None:
        raise Conflict(f"“{entry.title}” has no editions.")
    link.module_slug = module_slug
    link.edition_id = edition_id
    session.flush()
    return link
