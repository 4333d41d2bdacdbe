"""AWS Signature Version 4 checks for the DynamoDB endpoint, on when the server is given
credentials (`--dynamodb-credentials KEY_ID:SECRET[:SESSION_TOKEN],...`); without any, as by
default, credentials are accepted and ignored.

The checks and their texts follow DynamoDB's, in its order (recorded against the service in
dynalite's sources; the signature's 5-minute window as DynamoDB answers today): the header's
presence, its parts, the date, that Host is signed, the algorithm, the credential's scope, the
key id, the signature, the session token. A request signed with query parameters (a presigned
URL) is checked the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, quote

from lumadb.dynamodb.errors import CORAL_SERVICE, DynamoError
from lumadb.http import Request

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "dynamodb"  # the Streams API signs with it too (botocore's signingName)
TERMINATOR = "aws4_request"
WINDOW = timedelta(minutes=5)
_BASIC = "%Y%m%dT%H%M%SZ"
_BASIC_DATE = re.compile(r"\d{8}T\d{6}Z")
_HEADER_PARAMS = ("Credential", "Signature", "SignedHeaders")
_QUERY_PARAMS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date")


class Credentials:
    """The key ids the server accepts, each with its secret and, for temporary credentials, the
    session token it must come with."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.secrets: dict[str, tuple[str, str | None]] = {}
        for entry in entries:
            key_id, _, rest = entry.strip().partition(":")
            secret, _, token = rest.partition(":")
            if not key_id or not secret:
                raise ValueError(f"--dynamodb-credentials: expected KEY_ID:SECRET[:SESSION_TOKEN], got {entry!r}")
            self.secrets[key_id] = (secret, token or None)
        self._keys: dict[tuple[str, str, str], bytes] = {}  # signing keys by (key id, date, region)

    def signing_key(self, key_id: str, secret: str, date: str, region: str) -> bytes:
        cached = self._keys.get((key_id, date, region))
        if cached is None:
            key = ("AWS4" + secret).encode()
            for part in (date, region, SERVICE, TERMINATOR):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            if len(self._keys) > 1024:
                self._keys.clear()
            cached = self._keys[(key_id, date, region)] = key
        return cached


def _error(kind: str, message: str) -> DynamoError:
    return DynamoError(CORAL_SERVICE + kind, message)


def check(request: Request, credentials: Credentials, now: datetime | None = None) -> None:
    """Raise DynamoError unless `request` is signed with one of `credentials`."""
    headers = request.headers
    authorization = headers.get("authorization")
    query = dict(parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True))
    if authorization and "X-Amz-Algorithm" in query:
        raise _error("InvalidSignatureException",
                     "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
    if not authorization and "X-Amz-Algorithm" not in query or authorization and \
            not authorization.strip().startswith("AWS4-"):
        raise _error("MissingAuthenticationTokenException", "Request is missing Authentication Token")
    if authorization:
        algorithm, params = _header_params(authorization)
        missing = "".join(f"Authorization header requires '{name}' parameter. "
                          for name in _HEADER_PARAMS if not params.get(name))
        raw_date = headers.get("x-amz-date") or headers.get("date")
        if raw_date is None:
            missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        if missing:
            raise _error("IncompleteSignatureException", missing + "Authorization=" + authorization)
        credential, signed, signature = params["Credential"], params["SignedHeaders"], params["Signature"]
    else:
        missing = "".join(f"AWS query-string parameters must include '{name}'. "
                          for name in _QUERY_PARAMS if not query.get(name))
        if missing:
            raise _error("IncompleteSignatureException", missing + "Re-examine the query-string parameters.")
        algorithm, raw_date = query["X-Amz-Algorithm"], query["X-Amz-Date"]
        credential, signed, signature = query["X-Amz-Credential"], query["X-Amz-SignedHeaders"], query["X-Amz-Signature"]
    assert raw_date is not None
    stamp = _timestamp(raw_date)
    _check_window(stamp, now or datetime.now(UTC))
    signed_headers = signed.split(";")
    if "host" not in (name.lower() for name in signed_headers):
        raise _error("InvalidSignatureException", "'Host' must be a 'SignedHeader' in the AWS Authorization.")
    if algorithm != ALGORITHM:
        raise _error("IncompleteSignatureException",
                     f"Unsupported AWS 'algorithm': '{algorithm}' (only {ALGORITHM} for now). ")
    scope = credential.rstrip("/").split("/")
    if len(scope) != 5:
        raise _error("IncompleteSignatureException", "Credential must have exactly 5 slash-delimited elements, "
                     f"e.g. keyid/date/region/service/term, got '{credential}'")
    key_id, date, region, service, terminator = scope
    amz_date = stamp.strftime(_BASIC)
    _check_scope(date, region, service, terminator, amz_date)
    known = credentials.secrets.get(key_id)
    if known is None:
        raise _error("UnrecognizedClientException", "The security token included in the request is invalid.")
    secret, token = known
    canonical = _canonical_request(request, signed_headers, query if not authorization else None)
    string_to_sign = "\n".join((ALGORITHM, amz_date, "/".join(scope[1:]),
                                hashlib.sha256(canonical.encode()).hexdigest()))
    expected = hmac.new(credentials.signing_key(key_id, secret, date, region), string_to_sign.encode(),
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise _error("InvalidSignatureException",
                     "The request signature we calculated does not match the signature you provided. Check your "
                     "AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"
                     f"The Canonical String for this request should have been\n'{canonical}'\n\n"
                     f"The String-to-Sign should have been\n'{string_to_sign}'\n")
    sent_token = headers.get("x-amz-security-token") if authorization else query.get("X-Amz-Security-Token")
    if sent_token != token:
        raise _error("UnrecognizedClientException", "The security token included in the request is invalid")


def _header_params(authorization: str) -> tuple[str, dict[str, str]]:
    algorithm, _, rest = authorization.strip().partition(" ")
    params: dict[str, str] = {}
    for part in re.split(r"[,\s]+", rest):
        name, _, value = part.partition("=")
        if name:
            params[name] = value
    return algorithm, params


def _timestamp(raw: str) -> datetime:
    if _BASIC_DATE.fullmatch(raw):
        try:
            return datetime.strptime(raw, _BASIC).replace(tzinfo=UTC)
        except ValueError:
            pass
    else:
        try:  # the HTTP Date header's own format
            return parsedate_to_datetime(raw).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    raise _error("IncompleteSignatureException",
                 f"Date must be in ISO-8601 'basic format'. Got '{raw}'. See http://en.wikipedia.org/wiki/ISO_8601")


def _check_window(stamp: datetime, now: datetime) -> None:
    sent, at = stamp.strftime(_BASIC), now.strftime(_BASIC)
    if stamp < now - WINDOW:
        raise _error("InvalidSignatureException", f"Signature expired: {sent} is now earlier than "
                     f"{(now - WINDOW).strftime(_BASIC)} ({at} - 5 min.)")
    if stamp > now + WINDOW:
        raise _error("InvalidSignatureException", f"Signature not yet current: {sent} is still later than "
                     f"{(now + WINDOW).strftime(_BASIC)} ({at} + 5 min.)")


def _check_scope(date: str, region: str, service: str, terminator: str, amz_date: str) -> None:
    """Every region is valid here (LumaDB has none of its own); the rest as DynamoDB checks it."""
    message = ""
    if not region:
        message += f"Credential should be scoped to a valid region, not '{region}'. "
    if service != SERVICE:
        message += f"Credential should be scoped to correct service: '{SERVICE}'. "
    if terminator != TERMINATOR:
        message += f"Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{terminator}'. "
    if date != amz_date[:8]:
        message += ("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                    f"'{date}' != '{amz_date[:8]}', from '{amz_date}'.")
    if message:
        raise _error("InvalidSignatureException", message.rstrip())


def _canonical_request(request: Request, signed_headers: list[str], query: dict[str, str] | None) -> str:
    """SigV4's canonical request as the AWS SDKs build it. `query`: a presigned request's
    parameters, whose signature is left out."""
    pairs = parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True)
    if query is not None:
        pairs = [(k, v) for k, v in pairs if k != "X-Amz-Signature"]
    canonical_query = "&".join(f"{k}={v}" for k, v in sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~"))
                                                              for k, v in pairs))
    values: dict[str, list[str]] = {}
    for name, value in request.raw_headers:
        values.setdefault(name.decode("latin-1").lower(), []).append(" ".join(value.decode("latin-1").split()))
    lines = [f"{name.lower()}:{','.join(values.get(name.lower(), []))}\n" for name in signed_headers]
    payload = request.encoded_body if request.encoded_body is not None else request.body  # as sent: gzip too
    payload_hash = hashlib.sha256(payload).hexdigest()
    if request.headers.get("x-amz-content-sha256") == "UNSIGNED-PAYLOAD":
        payload_hash = "UNSIGNED-PAYLOAD"
    return "\n".join((request.method, quote(request.path, safe="/~"), canonical_query, "".join(lines),
                      ";".join(signed_headers), payload_hash))
