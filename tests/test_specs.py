"""specs/dynamodb.json: generated from botocore without drift, complete, and loadable by Connexion."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "dynamodb.json"
TARGET_PREFIXES = {"dynamodb": "DynamoDB_20120810", "dynamodbstreams": "DynamoDBStreams_20120810"}


@pytest.fixture(scope="module")
def spec():
    return json.loads(SPEC.read_text())


def test_generate_check_passes():
    result = subprocess.run(
        [sys.executable, str(ROOT / "specs" / "generate.py"), "--check"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_generate_check_reports_drift(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "specs"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "specs"))
    stale = tmp_path / "dynamodb.json"
    stale.write_text(SPEC.read_text().replace('"GetItemInput"', '"GetItemInputX"', 1))
    monkeypatch.setattr(generate, "OUTPUT", stale)
    assert generate.main(["--check"]) == 1


@pytest.mark.parametrize("service", sorted(TARGET_PREFIXES))
def test_spec_holds_every_botocore_operation(spec, service):
    from botocore.loaders import Loader

    model = Loader().load_service_model(service, "service-2")
    assert model["operations"], service
    for name in model["operations"]:
        operation = spec["paths"][f"/dynamodb/{name}"]["post"]
        assert operation["tags"] == [service]
        header = operation["parameters"][0]
        assert header["name"] == "X-Amz-Target" and header["required"] is True
        assert header["schema"]["enum"] == [f"{TARGET_PREFIXES[service]}.{name}"]
        assert operation["operationId"].startswith("lumadb.dynamodb.operations.")
        assert operation["operationId"].endswith(".handle")
        assert set(operation["requestBody"]["content"]) == {"application/x-amz-json-1.0", "application/json"}
        assert {"200", "400", "500"} <= set(operation["responses"])


def test_spec_names_protocol_errors_and_overlay_constraints(spec):
    assert spec["x-lumadb-protocol"] == "dynamodb"
    assert spec["paths"]["/dynamodb/PutItem"]["post"]["operationId"] == "lumadb.dynamodb.operations.put_item.handle"
    types = spec["x-lumadb-error-types"]
    assert types["ValidationException"] == "com.amazon.coral.validate#ValidationException"
    assert types["SerializationException"] == "com.amazon.coral.service#SerializationException"
    assert types["ConditionalCheckFailedException"] == "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"
    schemas = spec["components"]["schemas"]
    error = schemas["DynamoDBError"]["properties"]
    assert {"__type", "message", "Item", "CancellationReasons"} <= set(error)
    assert schemas["TableName"]["minLength"] == 3 and schemas["TableName"]["maxLength"] == 255
    assert schemas["TableArn"]["x-lumadb-name-or-arn"] == "#/components/schemas/TableName"
    # AttributeValue is recursive through $ref
    assert schemas["ListAttributeValue"]["items"] == {"$ref": "#/components/schemas/AttributeValue"}
    assert schemas["GetItemInput"]["x-botocore"]["members"][:2] == ["TableName", "Key"]


def test_spec_loads_in_connexion():
    import connexion
    from connexion.resolver import Resolver

    def unrouted(*_args, **_kwargs):
        raise AssertionError("not called: this test only loads the spec")

    resolved = []
    app = connexion.AsyncApp(__name__)
    app.add_api(
        SPEC,
        base_path="/",
        resolver=Resolver(function_resolver=lambda operation_id: resolved.append(operation_id) or unrouted),
        validate_responses=False,
    )
    # Connexion builds its routes on the first request; every operation must resolve then.
    response = app.test_client().post("/dynamodb/NoSuchOperation", json={})
    assert response.status_code == 404
    paths = json.loads(SPEC.read_text())["paths"]
    assert set(resolved) == {item["post"]["operationId"] for item in paths.values()}
