"""PartiQL clauses as DynamoDB expressions: a WHERE becomes a ConditionExpression, SET/REMOVE an
UpdateExpression, a column list a ProjectionExpression, each with `#n`/`:v` placeholders. The
expressions then compile and evaluate exactly as the item operations' do, so a predicate means
the same thing in PartiQL as in a ConditionExpression."""

from __future__ import annotations

from typing import Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.expressions.resolve import CONDITION_FUNCTIONS
from lumadb.dynamodb.partiql import ast
from lumadb.dynamodb.partiql.values import attribute_value, is_value

IS_TYPES = {
    "NULL": "NULL", "BOOLEAN": "BOOL", "BOOL": "BOOL", "STRING": "S", "NUMERIC": "N", "NUMBER": "N",
    "BLOB": "B", "STRUCT": "M", "TUPLE": "M", "LIST": "L",
}  # fmt: skip
_EXPRESSION_PREFIXES = (
    "Invalid ConditionExpression: ",
    "Invalid UpdateExpression: ",
    "Invalid ProjectionExpression: ",
)


def without_expression_prefix(error: DynamoError) -> DynamoError:
    """An expression error as PartiQL words it (without naming a request parameter)."""
    for prefix in _EXPRESSION_PREFIXES:
        if error.message.startswith(prefix):
            return DynamoError.validation(error.message[len(prefix) :])
    return error


def conjuncts(condition: Any) -> list[Any]:
    """The top-level AND terms of a condition."""
    if isinstance(condition, ast.Both):
        return conjuncts(condition.left) + conjuncts(condition.right)
    return [condition]


def plain_name(node: Any) -> str | None:
    """The attribute a path names when it is a bare top-level name (`pk`, `"pk"`)."""
    if isinstance(node, ast.Path) and len(node.steps) == 1:
        return str(node.steps[0].text)
    return None


def path_text(node: ast.Path) -> str:
    """A path as PartiQL users write it (for messages)."""
    out = str(node.steps[0].text)
    for step in node.steps[1:]:
        out += f"[{step.index}]" if isinstance(step, ast.Element) else f".{step.name.text}"
    return out


class Expressions:
    """Expression texts with their ExpressionAttributeNames and ExpressionAttributeValues."""

    def __init__(self, parameters: list[dict]) -> None:
        self.parameters = parameters
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        self._placeholders: dict[str, str] = {}

    def attributes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.names:
            out["ExpressionAttributeNames"] = self.names
        if self.values:
            out["ExpressionAttributeValues"] = self.values
        return out

    # -- operands --------------------------------------------------------------------
    def name(self, text: str) -> str:
        placeholder = self._placeholders.get(text)
        if placeholder is None:
            placeholder = self._placeholders[text] = f"#n{len(self._placeholders)}"
            self.names[placeholder] = text
        return placeholder

    def value(self, av: dict) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = av
        return placeholder

    def path(self, node: ast.Path) -> str:
        out = self.name(str(node.steps[0].text))
        for step in node.steps[1:]:
            out += (
                f"[{step.index}]" if isinstance(step, ast.Element) else "." + self.name(str(step.name.text))
            )
        return out

    def operand(self, node: Any) -> str:
        if isinstance(node, ast.Path):
            return self.path(node)
        if is_value(node):
            return self.value(attribute_value(node, self.parameters))
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Missing):
            raise DynamoError.validation("MISSING must be compared using IS operator")
        return "(" + self.condition(node) + ")"

    def call(self, node: ast.Call) -> str:
        name = node.name.lower()
        if name not in CONDITION_FUNCTIONS:  # (size too)
            raise DynamoError.validation(f"Unrecognized function: {name}{node.at}")
        count = len(node.arguments)
        if count != CONDITION_FUNCTIONS[name]:  # DynamoDB's PartiQL text (paritysuite partiqlFunctions)
            raise DynamoError.validation(
                "Incorrect number of operands for operator or function; "
                f"operator or function: {name}, number of operands: {count}"
            )
        return f"{name}(" + ", ".join(self.operand(argument) for argument in node.arguments) + ")"

    # -- conditions ------------------------------------------------------------------
    def condition(self, node: Any) -> str:
        if isinstance(node, ast.Either):
            return f"({self.condition(node.left)}) OR ({self.condition(node.right)})"
        if isinstance(node, ast.Both):
            return f"({self.condition(node.left)}) AND ({self.condition(node.right)})"
        if isinstance(node, ast.Negated):
            return f"NOT ({self.condition(node.operand)})"
        if isinstance(node, ast.Comparison):
            op = "<>" if node.op == "!=" else str(node.op)
            if op in ("=", "<>"):
                truth = self._function_truth(node.left, node.right, op) or self._function_truth(
                    node.right, node.left, op
                )
                if truth is not None:
                    return truth
            return f"{self.operand(node.left)} {op} {self.operand(node.right)}"
        if isinstance(node, ast.Between):
            return (
                f"{self.operand(node.operand)} BETWEEN {self.operand(node.low)} AND {self.operand(node.high)}"
            )
        if isinstance(node, ast.InList):
            subject, *items = (part for part in node.parts if part is not None)
            return f"{self.operand(subject)} IN (" + ", ".join(self.operand(item) for item in items) + ")"
        if isinstance(node, ast.IsType):
            return self._is_type(node)
        if isinstance(node, ast.Call) and node.name.lower() != "size":
            return self.call(node)
        raise DynamoError.validation("WHERE clause must contain an expression that resolves to a boolean")

    def _function_truth(self, call: Any, other: Any, op: str) -> str | None:
        """`attribute_exists(a) = true` and the like: a condition function compared with a
        boolean literal, which DynamoDB's PartiQL accepts (paritysuite whereFunctions)."""
        if not isinstance(call, ast.Call) or call.name.lower() == "size" or not is_value(other):
            return None
        value = attribute_value(other, self.parameters)
        if set(value) != {"BOOL"}:
            return None
        text = self.call(call)
        return text if value["BOOL"] == (op == "=") else f"NOT ({text})"

    def _is_type(self, node: ast.IsType) -> str:
        if not isinstance(node.operand, ast.Path):
            raise DynamoError.validation(
                "The left hand side argument to IS must be a Variable Reference, Literal, or Path"
            )
        type_name = str(node.type_name.text).upper()
        path = self.path(node.operand)
        if type_name == "MISSING":
            text = f"attribute_not_exists({path})"
        elif type_name in IS_TYPES:
            text = f"attribute_type({path}, {self.value({'S': IS_TYPES[type_name]})})"
        else:
            raise DynamoError.validation(
                f"Unsupported data type for IS operator: {' '.join(w for w in (node.type_name.text, node.type_name.second_word) if w)}. Supported data types are "
                "[MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"
            )
        return f"NOT ({text})" if node.negated else text

    # -- updates and projections -----------------------------------------------------
    def update(self, actions: list[ast.SetAction | ast.RemoveAction]) -> str:
        sets: list[str] = []
        removes: list[str] = []
        adds: list[str] = []
        deletes: list[str] = []
        for action in actions:
            if isinstance(action, ast.RemoveAction):
                removes.extend(self.path(path) for path in action.paths if path is not None)
                continue
            for item in action.items:
                if item is None:
                    continue
                value = item.value
                if isinstance(value, ast.Call) and value.name.lower() in ("set_add", "set_delete"):
                    clause = self._set_function(item.path, value)
                    (adds if value.name.lower() == "set_add" else deletes).append(clause)
                else:
                    sets.append(f"{self.path(item.path)} = {self._set_value(value)}")
        clauses = []
        for keyword, parts in (("SET", sets), ("REMOVE", removes), ("ADD", adds), ("DELETE", deletes)):
            if parts:
                clauses.append(keyword + " " + ", ".join(parts))
        return " ".join(clauses)

    def _set_value(self, node: Any) -> str:
        if isinstance(node, ast.Plus):
            return f"{self._set_value(node.left)} + {self._set_value(node.right)}"
        if isinstance(node, ast.Minus):
            return f"{self._set_value(node.left)} - {self._set_value(node.right)}"
        if isinstance(node, ast.Call):
            name = node.name.lower()
            if name not in ("list_append", "if_not_exists"):
                raise DynamoError.validation(f"Unrecognized function: {name}{node.at}")
            return f"{name}(" + ", ".join(self._set_value(argument) for argument in node.arguments) + ")"
        if isinstance(node, ast.Path):
            return self.path(node)
        if is_value(node):
            return self.value(attribute_value(node, self.parameters))
        raise DynamoError.validation("Only SET and REMOVE are supported in update expressions at this time")

    def _set_function(self, target: ast.Path, call: ast.Call) -> str:
        function = call.name.upper()
        arguments = call.arguments
        # positions as DynamoDB reports them (paritysuite partiqlFunctions, four regions 2026-10):
        # the function's name, and for the second argument the first's
        if len(arguments) != 2:
            raise DynamoError.validation(f"{function} must have exactly two arguments{call.at}")
        if arguments[0] != target:
            raise DynamoError.validation(f"The first argument to {function} must equal the assignment value{call.at}")
        second = arguments[1]
        av = attribute_value(second, self.parameters) if is_value(second) else None
        if av is None or next(iter(av)) not in ("SS", "NS", "BS"):
            raise DynamoError.validation(
                f"The second argument to {function} must be a value with type SET{ast.at(arguments[0].steps[0].text)}"
            )
        return f"{self.path(target)} {self.value(av)}"

    def projection(self, columns: ast.Columns) -> str:
        seen: set[str] = set()
        out = []
        for path in columns.paths:
            assert isinstance(path, ast.Path)  # a function was refused with the table known
            text = path_text(path)
            if text in seen:
                raise DynamoError.validation(f"Duplicate identifiers in select clause: {text}")
            seen.add(text)
            out.append(self.path(path))
        return ", ".join(out)
