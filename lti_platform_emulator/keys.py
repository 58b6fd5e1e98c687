"""The platform's signing keys and the one function that signs what it sends.

Tokens are signed with PyJWT directly, so security tests can mint deliberately broken
tokens (no kid, unknown kid, another algorithm, unsigned) with the same helper.
"""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from enum import Enum
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwk_thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint of an RSA JWK: SHA-256 over the required members, sorted."""
    required = {name: public_jwk[name] for name in ("e", "kty", "n")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


@dataclass(frozen=True)
class SigningKey:
    """An RSA private key with the kid it is published under."""

    private_key: rsa.RSAPrivateKey
    kid: str

    @classmethod
    def generate(cls) -> "SigningKey":
        return cls.from_private_key(
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
        )

    @classmethod
    def from_private_key(cls, private_key: rsa.RSAPrivateKey) -> "SigningKey":
        public_jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
        return cls(private_key=private_key, kid=jwk_thumbprint(public_jwk))

    @classmethod
    def from_pem(cls, pem: bytes | str) -> "SigningKey":
        data = pem.encode("ascii") if isinstance(pem, str) else pem
        private_key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise ValueError("the platform signs with RS256, so its key must be RSA")
        return cls.from_private_key(private_key)

    def public_jwk(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


class _KidDefault(Enum):
    FROM_KEY = "from-key"


KID_FROM_KEY = _KidDefault.FROM_KEY


def sign_id_token(
    claims: dict[str, Any],
    *,
    key: SigningKey | bytes | None,
    kid: str | None | _KidDefault = KID_FROM_KEY,
    alg: str = "RS256",
    headers: dict[str, Any] | None = None,
) -> str:
    """Sign claims as the platform would, or break the signature on purpose.

    `kid=None` leaves the kid out of the header. `alg="none"` with `key=None` gives an
    unsigned token. `alg="HS256"` with bytes (e.g. the platform's public PEM) gives the
    classic algorithm-confusion token, which PyJWT refuses to make for us.
    """
    header: dict[str, Any] = {"typ": "JWT", "alg": alg}
    if kid is KID_FROM_KEY:
        if isinstance(key, SigningKey):
            header["kid"] = key.kid
    elif kid is not None:
        header["kid"] = kid
    header.update(headers or {})
    if isinstance(key, SigningKey):
        extra = {name: value for name, value in header.items() if name not in ("alg",)}
        return jwt.encode(claims, key.private_key, algorithm=alg, headers=extra)
    signing_input = (
        _b64url(json.dumps(header, separators=(",", ":")).encode("utf-8"))
        + "."
        + _b64url(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
    )
    if alg == "none" and key is None:
        return signing_input + "."
    digests = {
        "HS256": hashlib.sha256,
        "HS384": hashlib.sha384,
        "HS512": hashlib.sha512,
    }
    if alg in digests and isinstance(key, bytes):
        mac = hmac.new(key, signing_input.encode("ascii"), digests[alg]).digest()
        return signing_input + "." + _b64url(mac)
    raise ValueError(
        f"cannot sign with alg={alg!r} and a key of type {type(key).__name__}"
    )
