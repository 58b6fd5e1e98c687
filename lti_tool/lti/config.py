"""pylti1p3's tool configuration, read from the database (platforms, deployments, the tool's signing key)."""

from __future__ import annotations

from pylti1p3.deployment import Deployment as LibDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Deployment, Platform


def find_platform(session: Session, issuer: str, client_id: str | None) -> Platform | None:
    """The registration for (issuer, client_id); without a client_id only when the issuer has one registration."""
    query = select(Platform).where(Platform.issuer == issuer)
    if client_id:
        return session.scalars(query.where(Platform.client_id == client_id)).first()
    found = session.scalars(query.limit(2)).all()
    return found[0] if len(found) == 1 else None


def to_registration(platform: Platform) -> Registration:
    """pylti1p3's view of a platform for login and launch. Without the tool's signing key: neither signs anything
    (service tokens and deep-linking responses load the key themselves)."""
    registration = Registration()
    registration.set_issuer(platform.issuer).set_client_id(platform.client_id)
    registration.set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
    registration.set_key_set_url(platform.keyset_url)
    if platform.auth_audience:
        registration.set_auth_audience(platform.auth_audience)
    return registration


class DatabaseToolConf(ToolConfAbstract):
    """Every issuer may have many client ids (Blackboard's issuer is the same for every customer).

    One instance serves one request; it remembers the platforms it looked up, so login and launch read each
    registration once however many times pylti1p3 and our checks ask for it.
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._platforms: dict[tuple[str, str | None], Platform | None] = {}

    def remember(self, platform: Platform) -> None:
        """A platform already loaded (the one a login state was issued for)."""
        self._platforms[(platform.issuer, platform.client_id)] = platform

    def platform(self, issuer: str, client_id: str | None) -> Platform | None:
        if (issuer, client_id) not in self._platforms:
            self._platforms[(issuer, client_id)] = find_platform(self.session, issuer, client_id)
        return self._platforms[(issuer, client_id)]

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args, **kwargs) -> Registration | None:  # type: ignore[override]
        platform = self.platform(iss, None)
        return to_registration(platform) if platform else None

    def find_registration_by_params(self, iss: str, client_id: str, *args, **kwargs) -> Registration | None:  # type: ignore[override]
        platform = self.platform(iss, client_id)
        return to_registration(platform) if platform else None

    def find_deployment(self, iss: str, deployment_id: str) -> LibDeployment | None:
        return self.find_deployment_by_params(iss, deployment_id, "")

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args, **kwargs
    ) -> LibDeployment | None:
        platform = self.platform(iss, client_id or None)
        if platform is None:
            return None
        row = self.session.scalars(
            select(Deployment).where(Deployment.platform_id == platform.id, Deployment.deployment_id == deployment_id)
        ).first()
        if row is None or not row.is_active:
            return None
        return LibDeployment().set_deployment_id(row.deployment_id)
