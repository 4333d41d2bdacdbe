"""LumaDB's conformance engine: scenario suites of raw requests replayed against LumaDB and
against the real services (or their best local stand-ins), recorded, normalised and compared."""
