"""`lumadb migrate dynamodb|d1|libsql`: copy tables and data from the real service (or any
server speaking its protocol) into a running LumaDB, through both sides' public APIs."""
