"""Resource-based policy documents as DynamoDB takes them (live probes, 2026-10): checked for the
faults DynamoDB refuses, and kept in the canonical form GetResourcePolicy gives back. The policy
is never evaluated: LumaDB checks no IAM permissions.

The canonical form is the document without white space, its keys in IAM's order (Version,
Statement; in a statement Sid, Effect, Principal, Action, Resource, Condition), a one-element
list as its element (Action, Resource, Condition values, principals), principals without
repeats and an account id as its root ARN, `allow` as `Allow`, and a lone statement in a list.
Two documents of one canonical form are the same policy: a put of either keeps the revision."""

from __future__ import annotations

import json
import re
from typing import Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.schema import INVALID

MAX_POLICY_BYTES = 20_480
UNBOUNDED = (
    "Resource-based policy grants unbounded access in one or more elements. Please revise the policy "
    "to ensure least-privilege form of access"
)
DEFAULT_VERSION = "2008-10-17"  # what GetResourcePolicy shows for a document without one (IAM's)

_DOCUMENT_ORDER = ("Version", "Id", "Statement")
_STATEMENT_ORDER = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                    "NotResource", "Condition")  # fmt: skip
_LISTS = ("Action", "NotAction", "Resource", "NotResource")
_ACCOUNT = re.compile(r"\d{12}\Z")


def check(policy: str) -> None:
    """The size and the faults DynamoDB refuses a policy for, in its texts. Nothing more of IAM's
    grammar is checked."""
    if len(policy.encode()) > MAX_POLICY_BYTES:
        raise DynamoError.validation(INVALID + f"Maximum policy size of {MAX_POLICY_BYTES} bytes exceeded")
    try:
        document = json.loads(policy)
    except ValueError:
        raise _invalid("This policy contains invalid Json") from None
    if document is None:
        raise _invalid("This text appears not to be a policy")
    if not isinstance(document, dict):
        raise _invalid("This policy contains invalid Json")
    if not document:
        raise _invalid(f"Syntax error at position (1,{len(policy.strip()) + 1})")
    statements = _statements(document)
    if statements == []:
        raise _invalid("Could not parse the policy: Statement is empty!")
    statements = [statement for statement in statements or [] if isinstance(statement, dict)]
    for statement in statements:
        if "Effect" not in statement:
            raise _invalid("Missing required field Effect")
        if "Resource" not in statement and "NotResource" not in statement:
            raise _invalid("Missing required field Resource")
    sids = [statement["Sid"] for statement in statements if "Sid" in statement]
    if len(set(map(str, sids))) != len(sids):
        raise _invalid("The Statement Ids in the policy are not unique")
    if any(_unbounded(statement) for statement in statements):
        raise DynamoError.validation(UNBOUNDED)


def _invalid(detail: str) -> DynamoError:
    return DynamoError.validation(INVALID + "Invalid policy document: " + detail)


def _statements(document: dict[str, Any]) -> Any:
    statements = document.get("Statement")
    return [statements] if isinstance(statements, dict) else statements


def _unbounded(statement: dict[str, Any]) -> bool:
    """An Allow to everyone with no condition: public access, which DynamoDB blocks. A condition
    may bound it (an account, an organisation, a VPC): such statements are let through."""
    if str(statement.get("Effect")).lower() != "allow" or statement.get("Condition"):
        return False
    principal = statement.get("Principal")
    if principal == "*":
        return True
    wildcard = principal.get("AWS") if isinstance(principal, dict) else None
    return wildcard == "*" or (isinstance(wildcard, list) and "*" in wildcard)


def canonical(policy: str, partition: str) -> str:
    """The document in the form DynamoDB keeps it (see above), for a checked policy. A missing
    Version stays missing: `shown` adds it, and a document without one is another policy than the
    same with IAM's default Version."""
    document = json.loads(policy)
    out = _ordered(document, _DOCUMENT_ORDER)
    statements = _statements(document)
    if isinstance(statements, list):
        out["Statement"] = [_statement(s, partition) if isinstance(s, dict) else s for s in statements]
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def same(stored: str, given: str, partition: str) -> bool:
    """Whether two documents are one policy: the same canonical form, keys in any order (a
    condition's operators, say), as a put of either keeps the revision."""
    return bool(json.loads(canonical(stored, partition)) == json.loads(canonical(given, partition)))


def shown(stored: str) -> str:
    """GetResourcePolicy's Policy: the canonical form, with IAM's default Version if none was given."""
    if stored.startswith('{"Version":'):  # the canonical form puts it first
        return stored
    return '{"Version":"' + DEFAULT_VERSION + '",' + stored[1:]  # (a document is never empty)


def _ordered(value: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    out = {key: value[key] for key in order if key in value}
    out.update((key, item) for key, item in value.items() if key not in out)
    return out


def _statement(statement: dict[str, Any], partition: str) -> dict[str, Any]:
    out = _ordered(statement, _STATEMENT_ORDER)
    effect = out.get("Effect")
    if isinstance(effect, str) and effect.lower() in ("allow", "deny"):
        out["Effect"] = effect.capitalize()
    for key in ("Principal", "NotPrincipal"):
        if isinstance(out.get(key), dict):
            out[key] = {kind: _principals(kind, names, partition) for kind, names in out[key].items()}
    for key in _LISTS:
        if key in out:
            out[key] = _single(out[key])
    condition = out.get("Condition")
    if isinstance(condition, dict):
        out["Condition"] = {
            operator: {name: _single(value) for name, value in tests.items()} if isinstance(tests, dict) else tests
            for operator, tests in condition.items()
        }
    return out


def _principals(kind: str, names: Any, partition: str) -> Any:
    """One kind of principal: an account id as its root ARN (AWS), no repeats, one as itself."""
    listed = names if isinstance(names, list) else [names]
    if kind == "AWS":
        listed = [f"arn:{partition}:iam::{name}:root" if isinstance(name, str) and _ACCOUNT.match(name) else name
                  for name in listed]  # fmt: skip
    unique: list[Any] = []
    for name in listed:
        if name not in unique:
            unique.append(name)
    return _single(unique) if isinstance(names, list) else unique[0]


def _single(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value
