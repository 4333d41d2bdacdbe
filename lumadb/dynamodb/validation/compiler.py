"""Compiles the schemas of specs/dynamodb.json into a tree of closures, one `Node` per shape and
position, that check a parsed request body the way DynamoDB does.

`node.check(value, errs)` returns the value (booleans given as "true"/"yes"/"1", and integers
given as decimals, are converted as the service converts them) and raises DynamoError for a JSON
value of the wrong type. Constraint violations depend on `errs`: with None (the fast pass) the
first one raises `Invalid`; with a list (the slow pass) each is appended as an `Entry` and the
walk goes on, so that a type error anywhere still wins. Entries carry their path and sort key
innermost first; each container adds its own part on the way up, so the fast pass builds none.
"""

from __future__ import annotations

from typing import Any

from lumadb.dynamodb.validation import messages as m
from lumadb.dynamodb.validation import scalars
from lumadb.dynamodb.validation.nodes import INVALID, Entry, Lengths, Node, serialization

REF = "#/components/schemas/"


class Compiler:
    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas
        self.nodes: dict[tuple[str, bool], Node] = {}

    def node(self, name: str, in_collection: bool = False) -> Node:
        """The node for shape `name`; `in_collection` when it is a list member or map value
        (which changes the serialization messages of containers)."""
        schema = self.schemas[name]
        kind = schema["x-botocore"]["type"]
        if kind not in ("structure", "list", "map"):
            in_collection = False  # scalars read the same everywhere
        key = (name, in_collection)
        node = self.nodes.get(key)
        if node is None:
            node = self.nodes[key] = Node(name, kind)
            build = {"structure": self._structure, "list": self._list, "map": self._map}.get(kind, self._scalar)
            build(node, schema, in_collection)
        return node

    def java_type(self, name: str) -> str:
        schema = self.schemas[name]
        kind = schema["x-botocore"]["type"]
        if kind == "structure":
            return f"class {m.JAVA_PACKAGE}.{name}"
        if kind == "list":
            return f"java.util.List<{self._java_generic(schema['items'])}>"
        if kind == "map":
            return f"java.util.Map<java.lang.String, {self._java_generic(schema['additionalProperties'])}>"
        return f"class {m.SCALAR_JAVA[kind][1]}"

    def _java_generic(self, ref: dict[str, str]) -> str:
        return self.java_type(ref["$ref"].removeprefix(REF)).removeprefix("class ")

    # -- containers ----------------------------------------------------------------------

    def _structure(self, node: Node, schema: dict[str, Any], in_collection: bool) -> None:
        order = schema["x-botocore"]["members"]
        props = schema["properties"]
        children = {name: self.node(props[name]["$ref"].removeprefix(REF)) for name in order}
        # Members whose check is "is a string": the fast pass tests them inline.
        plain = frozenset(name for name, child in children.items() if child.plain_string)
        where = {name: (i, name[0].lower() + name[1:]) for i, name in enumerate(order)}
        required = sorted(((name, *where[name]) for name in schema.get("required", [])), key=lambda r: r[1])
        required_names = [name for name, _, _ in required]
        if not required_names:
            node.plain_members = plain
        java = self.java_type(node.name)
        node.render = m.render_structure(node.name)
        get_child = children.get

        def check(value: Any, errs: list[Entry] | None) -> Any:
            if value.__class__ is not dict:
                raise serialization(m.container_type_error(java, value, collection=False, in_collection=in_collection))
            nulls = None
            if errs is None:
                for member, item in value.items():
                    if item.__class__ is str and member in plain:
                        continue
                    child = get_child(member)
                    if child is None or item is None:
                        # a null member is an absent member, and so is one the operation does
                        # not define: DynamoDB ignores it (an UpdateExpression sent to GetItem)
                        nulls = [member] if nulls is None else [*nulls, member]
                        continue
                    checked = child.check(item, None)
                    if checked is not item:
                        value[member] = checked
            else:
                for member, item in value.items():
                    child = get_child(member)
                    if child is None or item is None:
                        nulls = [member] if nulls is None else [*nulls, member]
                        continue
                    mark = len(errs)
                    checked = child.check(item, errs)
                    if len(errs) > mark:
                        index, part = where[member]
                        for entry in errs[mark:]:
                            entry.keys.append(index)
                            entry.parts.append(part)
                    if checked is not item:
                        value[member] = checked
            if nulls is not None:
                for member in nulls:
                    del value[member]
            for member in required_names:
                if member not in value:
                    _missing(errs, value, required)
                    break
            return value

        node.check = check

    def _list(self, node: Node, schema: dict[str, Any], in_collection: bool) -> None:
        member = self.node(schema["items"]["$ref"].removeprefix(REF), in_collection=True)
        lengths = Lengths(schema.get("minItems"), schema.get("maxItems"))
        java = self.java_type(node.name)
        node.render = m.render_list(lambda: member.render)
        node.constraints = lambda _value: lengths.bracket
        current_path = m.CURRENT_LENGTH_PATHS.get(node.name)

        def check(value: Any, errs: list[Entry] | None) -> Any:
            if value.__class__ is not list:
                raise serialization(m.container_type_error(java, value, collection=True, in_collection=in_collection))
            if lengths.bounded and not lengths.ok(len(value)):
                mark = len(errs) if errs is not None else 0
                lengths.report(value, len(value), node, errs, [0])
                if current_path is not None and errs is not None:
                    for entry in errs[mark:]:
                        entry.current_path = current_path
            if errs is None:
                for i, item in enumerate(value):
                    if item is not None:
                        checked = member.check(item, None)
                        if checked is not item:
                            value[i] = checked
                return value
            for i, item in enumerate(value):
                if item is None:
                    continue
                mark = len(errs)
                checked = member.check(item, errs)
                for entry in errs[mark:]:
                    entry.keys += (i, 1)
                    entry.parts += ("member", str(i + 1))
                if checked is not item:
                    value[i] = checked
            return value

        node.check = check

    def _map(self, node: Node, schema: dict[str, Any], in_collection: bool) -> None:
        key_node = self.node(schema["x-botocore"]["key"])
        member = self.node(schema["additionalProperties"]["$ref"].removeprefix(REF), in_collection=True)
        lengths = Lengths(schema.get("minProperties"), schema.get("maxProperties"))
        java = self.java_type(node.name)
        node.render = m.render_map(lambda: member.render)
        # a bad table name in BatchGetItem echoes the map as JSON (paritysuite, eu-west-2 and
        # us-east-1 agree, 2026-10); elsewhere the Java rendering
        keys_render = m.render_json if node.name in m.JSON_ECHOED_MAPS else node.render
        check_key = key_node.check
        # Keys no longer than this pass without a call (attribute names: at most 65535 UTF-16 units).
        short_key = key_node.max_only // 2 if key_node.max_only is not None else -1

        def check(value: Any, errs: list[Entry] | None) -> Any:
            if value.__class__ is not dict:
                raise serialization(m.container_type_error(java, value, collection=True, in_collection=in_collection))
            if lengths.bounded and not lengths.ok(len(value)):
                lengths.report(value, len(value), node, errs, [0])
            if errs is None:
                plain = member.plain_members  # read here: a recursive shape is built after this map
                for key, item in value.items():
                    if len(key) > short_key:
                        check_key(key, None)
                    if item is not None:
                        if plain is not None and item.__class__ is dict and len(item) == 1:
                            for name, inner in item.items():
                                if inner.__class__ is str and name in plain:
                                    break  # a one-member structure of a plain string: valid as it is
                            else:
                                inner = None
                            if inner is not None:
                                continue
                        checked = member.check(item, None)
                        if checked is not item:
                            value[key] = checked
                return value
            for position, (key, item) in enumerate(value.items()):
                mark = len(errs)
                check_key(key, errs)
                if len(errs) > mark:  # one error per key, naming every constraint of the key
                    del errs[mark:]
                    listed = ", ".join(key_node.constraints(key))
                    errs.append(Entry(value, f"Map keys must satisfy constraint: [{listed}]", keys_render, [position, 1]))
                if item is None:
                    continue
                mark = len(errs)
                checked = member.check(item, errs)
                if len(errs) > mark:
                    _map_value_errors(errs, mark, value, key, position, node, member, item)
                if checked is not item:
                    value[key] = checked
            return value

        node.check = check

    # -- scalars --------------------------------------------------------------------------

    def _scalar(self, node: Node, schema: dict[str, Any], in_collection: bool) -> None:
        kind = node.kind
        if kind == "string":
            self._string_node(node, schema)
        elif kind in ("integer", "long", "double", "float"):
            scalars.number(node, schema)
        elif kind == "boolean":
            node.check = scalars.check_boolean
        elif kind == "timestamp":
            node.check = scalars.check_timestamp
        elif kind == "blob":
            node.check = scalars.check_blob
            node.render = m.render_blob
        else:
            raise ValueError(f"shape {node.name}: unknown type {kind}")

    def _string_node(self, node: Node, schema: dict[str, Any]) -> None:
        other = schema.get("x-lumadb-name-or-arn")
        if other is not None:
            as_name = self.node(other.removeprefix(REF))
            as_arn = Node(node.name, "string")
            scalars.plain_string(as_arn, schema)

            def check(value: Any, errs: list[Entry] | None) -> Any:
                # an empty value breaks only the shape's own minimum: "length greater than or
                # equal to 1", no name rules (DynamoDB's answer to TableName "", in every region)
                if value.__class__ is str and value and not value.startswith("arn:"):
                    return as_name.check(value, errs)
                return as_arn.check(value, errs)

            node.check = check
            node.constraints = lambda value: (as_arn if value.startswith("arn:") else as_name).constraints(value)
            return
        scalars.plain_string(node, schema)


def _missing(errs: list[Entry] | None, value: dict[str, Any], required: list[tuple[str, int, str]]) -> None:
    """Required members absent from `value`: "Member must not be null" for each."""
    if errs is None:
        raise INVALID
    for member, index, part in required:
        if member not in value:
            entry = Entry(None, m.NOT_NULL, m.render_scalar, [index])
            entry.parts.append(part)
            errs.append(entry)


def _map_value_errors(errs: list[Entry], mark: int, value: dict[str, Any], key: str, position: int,
                      node: Node, member: Node, item: Any) -> None:
    """A map value's own violations become one "Map value must satisfy constraint: [...]" at the
    map; deeper ones get the path `<map>.<key>.member.<...>`."""
    own = [e for e in errs[mark:] if not e.parts]
    deeper = [e for e in errs[mark:] if e.parts]
    del errs[mark:]
    if own:
        listed = ", ".join(member.constraints(item))
        errs.append(Entry(value, f"Map value must satisfy constraint: [{listed}]", node.render, [position, 2]))
    for entry in deeper:
        entry.keys += (position, 3)
        entry.parts += ("member", key)
        errs.append(entry)
