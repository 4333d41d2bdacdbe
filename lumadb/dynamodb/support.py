"""Which DynamoDB operations LumaDB does not serve, and why. Every other operation of the
spec has a module in `lumadb/dynamodb/operations/`; tests/test_support_matrix.py checks that
each spec operation is exactly one of the two, and that docs/dynamodb-operations.md agrees."""

from __future__ import annotations

_S3 = "needs Amazon S3"
_KINESIS = "needs Amazon Kinesis; use DynamoDB Streams instead, which LumaDB serves"
_AUTOSCALING = "replica auto scaling belongs to global tables"

UNSUPPORTED: dict[str, str] = {
    "ExportTableToPointInTime": _S3,
    "DescribeExport": _S3,
    "ListExports": _S3,
    "ImportTable": _S3,
    "DescribeImport": _S3,
    "ListImports": _S3,
    "StartBulkPutItems": _S3,
    "DescribeBulkOperation": _S3,
    "ListBulkOperations": _S3,
    "CancelBulkOperation": _S3,
    "DescribeTableReplicaAutoScaling": _AUTOSCALING,
    "UpdateTableReplicaAutoScaling": _AUTOSCALING,
    "EnableKinesisStreamingDestination": _KINESIS,
    "DisableKinesisStreamingDestination": _KINESIS,
    "DescribeKinesisStreamingDestination": _KINESIS,
    "UpdateKinesisStreamingDestination": _KINESIS,
}


def support_table(operations: dict[str, str], implemented: set[str]) -> str:
    """The Markdown table of docs/dynamodb-operations.md."""
    lines = [
        "# DynamoDB operations served by LumaDB",
        "",
        "Generated from `specs/dynamodb.json` and `lumadb/dynamodb/support.py` by",
        "`python -m lumadb.dynamodb.support > docs/dynamodb-operations.md`; a test keeps it current.",
        "An unsupported operation answers `UnknownOperationException` with a message naming it.",
        "",
        "| operation | API | LumaDB |",
        "| --- | --- | --- |",
    ]
    for name in sorted(operations):
        status = "yes" if name in implemented else f"no: {UNSUPPORTED.get(name, 'MISSING')}"
        lines.append(f"| {name} | {operations[name]} | {status} |")
    return "\n".join(lines) + "\n"


def current_table() -> str:
    from lumadb.dynamodb import target, validation

    operations = validation.operations()
    implemented = {name for name in operations if target.handler_for(name) is not None}
    return support_table(operations, implemented)


if __name__ == "__main__":
    print(current_table(), end="")
