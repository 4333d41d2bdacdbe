"""sqld's authentication: none by default, or Ed25519-signed JWTs.

With keys configured, `Authorization` (or `x-authorization`) must carry `Bearer <jwt>`
signed by one of them (EdDSA only). `exp` is enforced with jsonwebtoken's 60 s leeway,
`nbf` is not checked (as sqld). Claims: legacy `a` = rw | ro | roa and `id` = the database;
or `p` = {"rw": {"ns": [...]}, "ro": ..., "rwa": ..., "roa": ...} per database.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from lumadb.libsql.errors import HranaError
from lumadb.libsql.stmt import Access

LEEWAY_SECONDS = 60
_VERIFIED_CACHE = 1024


@dataclass(frozen=True, slots=True)
class Grant:
    """What a verified token (or no auth at all) allows."""

    legacy: str | None = "rw"  # "a" claim: rw | ro | roa; None when the token uses `p`
    database: str | None = None  # "id" claim
    permissions: dict[str, tuple[str, ...]] | None = None  # "p" claim: kind -> databases

    def access_for(self, name: str) -> Access:
        if self.permissions is None:
            if self.database is not None and self.database != name:
                raise HranaError.namespace_missing(name)
            return Access(name, self.legacy == "rw")
        perms = self.permissions
        if name in perms.get("rw", ()) or name in perms.get("rwa", ()):
            return Access(name, True)
        if name in perms.get("ro", ()) or name in perms.get("roa", ()):
            return Access(name, False)
        raise HranaError.namespace_missing(name)  # sqld hides databases a token cannot see


NO_AUTH = Grant()


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_key(text: str) -> Any:
    """An Ed25519 public key from raw base64url (32 bytes), PEM, or a file holding either."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    text = text.strip()
    if "-----BEGIN" not in text and len(text) < 200 and Path(text).is_file():
        text = Path(text).read_text().strip()
    if "-----BEGIN" in text:
        key = load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the PEM key is not an Ed25519 public key")
        return key
    raw = _b64url(text)
    if len(raw) != 32:
        raise ValueError("a raw Ed25519 public key is 32 bytes of URL-safe base64")
    return Ed25519PublicKey.from_public_bytes(raw)


def split_pem_keys(values: tuple[str, ...]) -> list[str]:
    keys: list[str] = []
    for value in values:
        if value.count("-----BEGIN") > 1:
            keys.extend("-----BEGIN" + part for part in value.split("-----BEGIN")[1:])
        elif value.strip():
            keys.append(value)
    return keys


class Authenticator:
    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = [load_key(k) for k in split_pem_keys(keys)]
        self._verified: dict[str, tuple[dict, float | None]] = {}

    @property
    def enabled(self) -> bool:
        return bool(self.keys)

    def authenticate(self, headers: dict[str, str]) -> Grant:
        if not self.keys:
            return NO_AUTH  # any Authorization header is accepted and ignored, like sqld
        header = headers.get("authorization") or headers.get("x-authorization")
        if header is None:
            raise HranaError.unauthorized("Expected authorization header but none given")
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if not scheme or not token:
            raise HranaError.unauthorized("Auth string does not conform to '<scheme> <token>' form")
        if scheme.lower() != "bearer":
            raise HranaError.unauthorized("The authentication scheme in the `Authorization` HTTP header is not supported")
        claims = self._claims(token)
        return _grant(claims)

    def _claims(self, token: str) -> dict:
        cached = self._verified.get(token)
        if cached is None:
            claims = self._verify(token)
            exp = claims.get("exp")
            cached = (claims, float(exp) if exp is not None else None)
            if len(self._verified) >= _VERIFIED_CACHE:
                self._verified.pop(next(iter(self._verified)))
            self._verified[token] = cached
        claims, exp = cached
        if exp is not None and time.time() > exp + LEEWAY_SECONDS:
            raise HranaError.unauthorized("The JWT has expired")
        return claims

    def _verify(self, token: str) -> dict:
        from cryptography.exceptions import InvalidSignature

        invalid = HranaError.unauthorized("The JWT is invalid")
        parts = token.split(".")
        if len(parts) != 3:
            raise invalid
        try:
            header = orjson.loads(_b64url(parts[0]))
            claims = orjson.loads(_b64url(parts[1]))
            signature = _b64url(parts[2])
        except (binascii.Error, ValueError, orjson.JSONDecodeError):
            raise invalid from None
        if not isinstance(header, dict) or header.get("alg") != "EdDSA" or not isinstance(claims, dict):
            raise invalid
        signed = f"{parts[0]}.{parts[1]}".encode()
        for key in self.keys:
            try:
                key.verify(signature, signed)
                break
            except InvalidSignature:
                continue
        else:
            raise invalid
        exp = claims.get("exp")
        if exp is not None and (isinstance(exp, bool) or not isinstance(exp, int | float)):
            raise invalid
        return claims


def _grant(claims: dict) -> Grant:
    invalid = HranaError.unauthorized("The JWT is invalid")
    database = claims.get("id")
    if database is not None and not isinstance(database, str):
        raise invalid
    perms = claims.get("p")
    if perms is not None:
        if not isinstance(perms, dict):
            raise invalid
        table: dict[str, tuple[str, ...]] = {}
        for kind, scope in perms.items():
            names = scope.get("ns") if isinstance(scope, dict) else None
            if names is None:
                continue
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise invalid
            table[kind] = tuple(names)
        return Grant(None, database, table)
    legacy = claims.get("a", "rw")
    if legacy not in ("rw", "ro", "roa"):
        raise invalid
    return Grant(legacy, database, None)
