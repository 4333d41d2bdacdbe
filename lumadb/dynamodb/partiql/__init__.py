"""PartiQL for DynamoDB: parse (grammar/partiql.lark, cached by text) -> plan against the
catalog (`statements`: a SELECT's access path, or the item request a write means) -> run
(`select` for reads with NextToken paging, `execute` for writes through the item operations)."""
