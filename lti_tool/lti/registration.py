"""Registering platforms and switching deployments on and off; used by the CLI and the admin pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound
from ..models import Deployment, Platform, utcnow
from .urls import UnsafeUrl, check_url


@dataclass(frozen=True)
class Preset:
    name: str
    issuer: str
    auth_login_url: str
    auth_token_url: str
    keyset_url: str  # may contain {client_id}


# Values from the Anthology developer documentation (background/lti-and-blackboard.md §3.1); use what the
# developer portal shows if it differs (developer.anthology.com is seen too).
PRESETS = {
    "blackboard": Preset(
        "Blackboard Learn", "https://blackboard.com",
        "https://developer.blackboard.com/api/v1/gateway/oidcauth",
        "https://developer.blackboard.com/api/v1/gateway/oauth2/jwttoken",
        "https://developer.blackboard.com/api/v1/management/applications/{client_id}/jwks.json",
    ),
    "canvas": Preset(
        "Canvas", "https://canvas.instructure.com",
        "https://sso.canvaslms.com/api/lti/authorize_redirect",
        "https://sso.canvaslms.com/login/oauth2/token",
        "https://sso.canvaslms.com/api/lti/security/jwks",
    ),
}


def checked_urls(*, production: bool, **urls: str | None) -> dict[str, str | None]:
    """Each named URL through :func:`urls.check_url` (the same rules for the admin page, the CLI and Dynamic
    Registration); a :class:`Conflict` names the first one that fails."""
    checked: dict[str, str | None] = {}
    for field, value in urls.items():
        if value is None and field == "auth_audience":
            checked[field] = None
            continue
        try:
            checked[field] = check_url(value, production=production, what=f"platform's {URL_NAMES[field]}")
        except UnsafeUrl as exc:
            raise Conflict(str(exc)) from exc
    return checked


URL_NAMES = {"issuer": "issuer", "auth_login_url": "login URL", "auth_token_url": "token URL",
             "keyset_url": "keyset URL", "auth_audience": "token audience"}


def add_platform(session: Session, *, issuer: str, client_id: str, auth_login_url: str, auth_token_url: str,
                 keyset_url: str, name: str = "", auth_audience: str | None = None,
                 deployment_ids: tuple[str, ...] = (), production: bool = False) -> Platform:
    """Register (issuer, client_id). Deployments named here are active at once. ``production``: https only and
    no local or private addresses."""
    for field, value in (("issuer", issuer), ("client ID", client_id)):
        if not value or not value.strip():
            raise Conflict(f"The platform's {field} is required.")
    if len(client_id) > 255 or not client_id.isprintable():
        raise Conflict("The platform's client ID must be at most 255 printable characters.")
    urls = checked_urls(production=production, issuer=issuer, auth_login_url=auth_login_url,
                        auth_token_url=auth_token_url, keyset_url=keyset_url)
    auth_login_url, auth_token_url, keyset_url = (urls["auth_login_url"] or "", urls["auth_token_url"] or "",
                                                  urls["keyset_url"] or "")
    exists = session.scalars(select(Platform).where(Platform.issuer == issuer, Platform.client_id == client_id)).first()
    if exists:
        raise Conflict(f"A platform with issuer {issuer} and client ID {client_id} is already registered "
                       f"(id {exists.id}).")
    platform = Platform(issuer=issuer, client_id=client_id, name=name or issuer, auth_login_url=auth_login_url,
                        auth_token_url=auth_token_url, keyset_url=keyset_url, auth_audience=auth_audience)
    session.add(platform)
    session.flush()
    for deployment_id in deployment_ids:
        session.add(Deployment(platform_id=platform.id, deployment_id=deployment_id, is_active=True,
                               activated_at=utcnow()))
    session.flush()
    return platform


def add_from_preset(session: Session, preset: str, client_id: str, deployment_ids: tuple[str, ...] = (),
                    name: str = "", production: bool = False) -> Platform:
    if preset not in PRESETS:
        raise NotFound(f"Unknown preset {preset!r}; choose one of {', '.join(PRESETS)}.")
    p = PRESETS[preset]
    return add_platform(session, issuer=p.issuer, client_id=client_id, auth_login_url=p.auth_login_url,
                        auth_token_url=p.auth_token_url, keyset_url=p.keyset_url.format(client_id=client_id),
                        name=name or p.name, deployment_ids=deployment_ids, production=production)


def list_platforms(session: Session) -> list[Platform]:
    return list(session.scalars(select(Platform).order_by(Platform.id)))


def get_platform(session: Session, platform_id: int) -> Platform:
    platform = session.get(Platform, platform_id)
    if platform is None:
        raise NotFound(f"No platform with id {platform_id}.")
    return platform


def remove_platform(session: Session, platform_id: int) -> None:
    session.delete(get_platform(session, platform_id))
    session.flush()


def add_deployment(session: Session, platform_id: int, deployment_id: str, active: bool = True) -> Deployment:
    get_platform(session, platform_id)
    row = session.scalars(select(Deployment).where(Deployment.platform_id == platform_id,
                                                   Deployment.deployment_id == deployment_id)).first()
    if row is None:
        row = Deployment(platform_id=platform_id, deployment_id=deployment_id)
        session.add(row)
    set_fields(row, active)
    session.flush()
    return row


def set_deployment_active(session: Session, platform_id: int, deployment_id: str, active: bool) -> Deployment:
    row = session.scalars(select(Deployment).where(Deployment.platform_id == platform_id,
                                                   Deployment.deployment_id == deployment_id)).first()
    if row is None:
        raise NotFound(f"Platform {platform_id} has no deployment {deployment_id!r}.")
    set_fields(row, active)
    session.flush()
    return row


def set_fields(row: Deployment, active: bool) -> None:
    row.is_active = active
    row.activated_at = utcnow() if active else None
