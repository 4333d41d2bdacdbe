"""SigV4 on the DynamoDB endpoint when the server is given credentials (`--dynamodb-credentials`):
boto3, the AWS SDK for JavaScript v3 and the Go SDK sign requests LumaDB accepts; a wrong
secret, an unknown key id, a missing or stale signature get DynamoDB's errors. Without
credentials (every other test) nothing is checked."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import run_go, run_node
from tests.dynamodb.helpers import table_name
from tests.dynamodb.test_protocol import call
from tests.lumadb_server import LumaServer

KEY, SECRET = "AKIDEXAMPLE", "secret"
TEMPORARY = ("ASIATEMP", "tempsecret", "session-token")
CORAL = "com.amazon.coral.service#"


@pytest.fixture(scope="module")
def signed_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    credentials = f"{KEY}:{SECRET},{':'.join(TEMPORARY)}"
    srv = LumaServer("--dynamodb-credentials", credentials,
                     data_dir=tmp_path_factory.mktemp("signed") / "data").start()
    yield srv
    srv.stop()


def _client(url: str, key: str = KEY, secret: str = SECRET, token: str | None = None, service: str = "dynamodb") -> Any:
    return boto3.client(service, endpoint_url=f"{url}/dynamodb", region_name="eu-west-2", aws_access_key_id=key,
                        aws_secret_access_key=secret, aws_session_token=token,
                        config=Config(retries={"max_attempts": 1}))


def _error(call_it: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as failure:
        call_it()
    return failure.value.response["Error"]["Code"], failure.value.response["Error"]["Message"]


def test_boto3_signed_requests_work_and_wrong_credentials_fail(signed_server: Any) -> None:
    ddb = _client(signed_server.url)
    name = table_name()
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "text": {"S": "ünïcode & spaces"}})
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]["text"] == {"S": "ünïcode & spaces"}
    streams = _client(signed_server.url, service="dynamodbstreams")  # signs for "dynamodb" too
    assert [s["TableName"] for s in streams.list_streams(TableName=name)["Streams"]] == [name]
    temporary = _client(signed_server.url, *TEMPORARY)
    assert name in temporary.list_tables()["TableNames"]

    code, message = _error(lambda: _client(signed_server.url, secret="wrong").list_tables())
    assert code == "InvalidSignatureException"
    assert message.startswith("The request signature we calculated does not match the signature you provided. "
                              "Check your AWS Secret Access Key and signing method. Consult the service "
                              "documentation for details.\n\nThe Canonical String for this request should have been\n"
                              "'POST\n/dynamodb\n\n")
    assert "\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n" in message
    assert _error(lambda: _client(signed_server.url, key="AKIDOTHER").list_tables()) == (
        "UnrecognizedClientException", "The security token included in the request is invalid.")
    # a session token where none belongs, none where one does, or another one
    for key, secret, token in ((KEY, SECRET, "x"), (*TEMPORARY[:2], None), (*TEMPORARY[:2], "other")):
        assert _error(lambda k=key, s=secret, t=token: _client(signed_server.url, k, s, t).list_tables()) == (
            "UnrecognizedClientException", "The security token included in the request is invalid")


def _raw(url: str, authorization: str | None, amz_date: str | None, body: bytes = b"{}",
         **more: str) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables", **more}
    if authorization is not None:
        headers["Authorization"] = authorization
    if amz_date is not None:
        headers["X-Amz-Date"] = amz_date
    status, _, reply = call(url, body=body, headers=headers)
    return status, json.loads(reply)


def _stamp(delta: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y%m%dT%H%M%SZ")


def _header(credential: str, signed: str = "host;x-amz-date;x-amz-target", signature: str = "0" * 64) -> str:
    return f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={signed}, Signature={signature}"


def test_requests_without_a_valid_signature_get_dynamodbs_errors(signed_server: Any) -> None:
    url, now = signed_server.url, _stamp()
    scope = f"{KEY}/{now[:8]}/us-east-1/dynamodb/aws4_request"
    assert _raw(url, None, now) == (400, {"__type": CORAL + "MissingAuthenticationTokenException",
                                          "message": "Request is missing Authentication Token"})
    assert _raw(url, "Bearer abc", now)[1]["__type"] == CORAL + "MissingAuthenticationTokenException"
    partial = f"AWS4-HMAC-SHA256 Credential={scope}"
    assert _raw(url, partial, None) == (400, {"__type": CORAL + "IncompleteSignatureException", "message": (
        "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
        "parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        f"Authorization={partial}")})
    assert _raw(url, _header(scope), "201")[1] == {"__type": CORAL + "IncompleteSignatureException", "message": (
        "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601")}
    stale = _stamp(-timedelta(minutes=6))
    status, reply = _raw(url, _header(f"{KEY}/{stale[:8]}/us-east-1/dynamodb/aws4_request"), stale)
    assert (status, reply["__type"]) == (400, CORAL + "InvalidSignatureException")
    assert reply["message"].startswith(f"Signature expired: {stale} is now earlier than ")
    assert reply["message"].endswith(" - 5 min.)")
    early = _stamp(timedelta(minutes=6))
    reply = _raw(url, _header(f"{KEY}/{early[:8]}/us-east-1/dynamodb/aws4_request"), early)[1]
    assert reply["message"].startswith(f"Signature not yet current: {early} is still later than ")
    assert _raw(url, _header(scope, "x-amz-date;x-amz-target"), now)[1] == {
        "__type": CORAL + "InvalidSignatureException",
        "message": "'Host' must be a 'SignedHeader' in the AWS Authorization."}
    assert _raw(url, _header("a/b/c/d"), now)[1] == {"__type": CORAL + "IncompleteSignatureException", "message": (
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'")}
    assert _raw(url, _header(f"{KEY}/19990101/us-east-1/s3/end"), now)[1] == {
        "__type": CORAL + "InvalidSignatureException", "message": (
            "Credential should be scoped to correct service: 'dynamodb'. Credential should be scoped with a valid "
            "terminator: 'aws4_request', not 'end'. Date in Credential scope does not match YYYYMMDD from "
            f"ISO-8601 version of date from HTTP: '19990101' != '{now[:8]}', from '{now}'.")}
    # the health check and CORS preflights are not signed
    assert call(url, "GET")[0] == 200


def test_a_gzip_body_is_checked_as_sent(signed_server: Any) -> None:
    """The signature covers the body as sent: compressed, for a client that compresses first."""
    body = gzip.compress(json.dumps({"Limit": 1}).encode())
    request = AWSRequest("POST", f"{signed_server.url}/dynamodb", data=body, headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables",
        "Content-Encoding": "gzip"})
    SigV4Auth(Credentials(KEY, SECRET), "dynamodb", "us-east-1").add_auth(request)
    status, _, reply = call(signed_server.url, body=body, headers=dict(request.headers.items()))
    assert (status, list(json.loads(reply))) == (200, ["TableNames"]), reply
    # a signature of the decompressed body does not hold for the compressed one
    request.data = json.dumps({"Limit": 1}).encode()
    del request.headers["Authorization"]
    SigV4Auth(Credentials(KEY, SECRET), "dynamodb", "us-east-1").add_auth(request)
    status, _, reply = call(signed_server.url, body=body, headers=dict(request.headers.items()))
    assert (status, json.loads(reply)["__type"]) == (400, CORAL + "InvalidSignatureException")


@pytest.mark.node
def test_javascript_sdk_signs_requests_lumadb_accepts(signed_server: Any) -> None:
    out: Any = run_node("dynamodb_client.mjs", signed_server.url, table_name())  # AKIDEXAMPLE / secret
    assert out["createStatus"] == "ACTIVE" and len(out["listed"]) == 2


@pytest.mark.go
def test_go_sdk_signs_requests_lumadb_accepts(signed_server: Any, go_programs: Callable[[str], Path]) -> None:
    prefix = table_name()
    out: Any = run_go(go_programs("dynamodb_client"), f"{signed_server.url}/dynamodb", prefix)  # AKIDEXAMPLE / secret
    assert (out["createStatus"], out["listed"], out["gzipTotal"]) == ("ACTIVE", [f"{prefix}-orders"], "12.5")


def test_a_malformed_credential_is_a_command_line_error(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "lumadb.cli", "serve", "--port", "0", "--data-dir", str(tmp_path),
                           "--dynamodb-credentials", "AKIDONLY"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (
        2, "lumadb serve: --dynamodb-credentials: expected KEY_ID:SECRET[:SESSION_TOKEN], got 'AKIDONLY'\n")
