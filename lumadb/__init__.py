"""LumaDB: one server speaking DynamoDB, Cloudflare D1 and libSQL (Turso), backed by SQLite."""

__version__ = "0.1.0"
