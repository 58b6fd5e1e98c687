"""Platforms, deployments, the tool's own keys, and the short-lived state of an LTI launch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class Platform(Base):
    """A registration: one (issuer, client_id) pair and the platform's endpoints."""

    __tablename__ = "platform"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    auth_audience: Mapped[str | None] = mapped_column(String(1000))
    keyset_url: Mapped[str] = mapped_column(String(1000))
    frame_origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    jwks_cache: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    jwks_fetched_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="Deployment.id"
    )


class Deployment(Base):
    """A platform's deployment of the tool; refused until an admin activates it."""

    __tablename__ = "deployment"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"), index=True)
    deployment_id: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=False)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_at: Mapped[datetime | None]
    refused_launches: Mapped[int] = mapped_column(default=0)

    platform: Mapped[Platform] = relationship(back_populates="deployments")


class ToolKey(Base):
    """An RSA key of the tool. The newest unretired key signs; retired keys stay in the JWKS for a grace period."""

    __tablename__ = "tool_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(100), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]
    published_until: Mapped[datetime | None]


class OidcState(Base):
    """A login in flight: the state and nonce the tool issued, each usable once."""

    __tablename__ = "oidc_state"

    state: Mapped[str] = mapped_column(String(100), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(100), unique=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    target_link_uri: Mapped[str | None] = mapped_column(String(1000))
    storage_target: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]

    platform: Mapped[Platform] = relationship()


class AccessToken(Base):
    """An OAuth2 access token for a platform's services, shared by all workers until shortly before expiry."""

    __tablename__ = "access_token"
    __table_args__ = (UniqueConstraint("platform_id", "scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    scope_key: Mapped[str] = mapped_column(String(1000))
    token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]
