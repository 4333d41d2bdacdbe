"""Where a suite is replayed: a LumaDB URL, a local stand-in (dynalite, moto, sqld,
Miniflare), or the real service (AWS DynamoDB with SigV4 from the standard credential
chain, Turso with a token, the Cloudflare D1 REST API with an account id and API token)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance.protocols.base import WEBSOCKET, HttpRequest, HttpResponse

# Stand-ins accept any credentials but some (dynalite) insist on a well-formed signature.
DUMMY_KEY = ("AKIDLUMADBCONFORMANCE", "conformance-secret-key")


@dataclass
class Target:
    protocol: str
    kind: str  # "url", "aws", "cloudflare", "turso" or a local peer's name
    bases: dict[str, str]  # api -> base URL ("default", "streams", "rest", "binding")
    token: str | None = None
    account: str = "conformance"
    region: str = "us-east-1"
    description: str = ""
    credentials: Any = None  # botocore Credentials, for SigV4
    max_wait: float = 10.0  # longest a `wait` step polls: a local server is ready at once or never
    _client: httpx.Client | None = field(default=None, repr=False)

    def variables(self) -> dict[str, Any]:
        return {"account": self.account}

    def has_api(self, api: str) -> bool:
        return api in self.bases

    def url_for(self, request: HttpRequest) -> str:
        base = self.bases[request.api]
        if not request.path:
            return base if "//" in base and "/" in base.split("//", 1)[1] else base + "/"
        return base.rstrip("/") + request.path

    def send(self, request: HttpRequest, timeout: float = 60.0) -> HttpResponse:
        url = self.url_for(request)
        if request.method == WEBSOCKET:
            return _websocket(url, request, timeout)
        headers = dict(request.headers)
        if request.sign:
            headers = self._signed(request, url, headers)
        if self._client is None:
            self._client = httpx.Client(timeout=timeout, follow_redirects=False)
        try:
            response = self._client.request(request.method, url, headers=headers, content=request.body)
        except httpx.HTTPError as exc:
            return HttpResponse(0, {}, b"", error=f"{type(exc).__name__}: {exc}")
        return HttpResponse(
            response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content
        )

    def _signed(self, request: HttpRequest, url: str, headers: dict[str, str]) -> dict[str, str]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        credentials = self.credentials or Credentials(*DUMMY_KEY)
        aws_request = AWSRequest(method=request.method, url=url, data=request.body, headers=headers)
        SigV4Auth(credentials, "dynamodb", self.region).add_auth(aws_request)
        return dict(aws_request.headers.items())

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def for_url(protocol: str, url: str, token: str | None = None, account: str | None = None) -> Target:
    """A target at a URL: LumaDB (`http://host:8000/dynamodb`, `/turso`, `/d1`) or a stand-in."""
    url = url.rstrip("/") if protocol != "dynamodb" else url
    if protocol == "dynamodb":
        return Target(protocol, "url", {"default": url, "streams": url}, description=url)
    if protocol == "libsql":
        if url.startswith("libsql://"):
            url = "https://" + url[len("libsql://"):]
        token = token or os.environ.get("LIBSQL_AUTH_TOKEN") or os.environ.get("TURSO_AUTH_TOKEN")
        return Target(protocol, "url", {"default": url}, token=token, description=url)
    if protocol == "d1":
        return Target(
            protocol, "url", {"rest": url + "/client/v4", "binding": url}, token=token,
            account=account or "conformance", description=url,
        )
    raise ValueError(f"unknown protocol {protocol!r}")


def aws(region: str | None = None) -> Target:
    """Real DynamoDB: credentials and region from the standard AWS chain (env, profile, role)."""
    import botocore.session

    session = botocore.session.get_session()
    credentials = session.get_credentials()
    if credentials is None:
        raise SystemExit("no AWS credentials found (AWS_ACCESS_KEY_ID/AWS_PROFILE/...)")
    region = region or session.get_config_variable("region") or "us-east-1"
    return Target(
        "dynamodb", "aws",
        {
            "default": f"https://dynamodb.{region}.amazonaws.com",
            "streams": f"https://streams.dynamodb.{region}.amazonaws.com",
        },
        region=region, credentials=credentials.get_frozen_credentials(), max_wait=600.0,
        description=f"AWS DynamoDB {region}",
    )


def cloudflare(account: str | None = None, token: str | None = None) -> Target:
    """The Cloudflare D1 REST API (the binding protocol is not reachable from outside)."""
    account = account or os.environ.get("CLOUDFLARE_ACCOUNT_ID")
    token = token or os.environ.get("CLOUDFLARE_API_TOKEN")
    if not account or not token:
        raise SystemExit("set CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN (or --account/--token)")
    base = os.environ.get("CLOUDFLARE_API_BASE_URL", "https://api.cloudflare.com/client/v4")
    return Target("d1", "cloudflare", {"rest": base}, token=token, account=account,
                  description="Cloudflare D1 REST API", max_wait=600.0)


def resolve(protocol: str, spec: str, token: str | None = None, account: str | None = None,
            region: str | None = None) -> Target:
    """`--target` as written on the command line (peers are started by `conformance.peers`)."""
    if protocol == "dynamodb" and (spec == "aws" or spec.startswith("aws:")):
        return aws(spec.partition(":")[2] or region)
    if protocol == "d1" and spec == "cloudflare":
        return cloudflare(account, token)
    target = for_url(protocol, spec, token, account)
    if protocol == "libsql" and spec.startswith(("libsql://", "https://")):
        target.kind = "turso"
    return target


def _websocket(url: str, request: HttpRequest, timeout: float) -> HttpResponse:
    """A `websocket` step (conformance/websocket_exchange.py) at the same URL, ws:// for http://."""
    import json

    from conformance.websocket_exchange import step_replies

    try:
        status, body = step_replies("ws" + url.removeprefix("http"), json.loads(request.body), min(timeout, 10))
    except (OSError, TimeoutError, ValueError) as exc:
        return HttpResponse(0, {}, b"", error=f"{type(exc).__name__}: {exc}")
    return HttpResponse(status, {"content-type": "application/json"} if status == 101 else {}, body)
