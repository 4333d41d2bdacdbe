"""Vector indexes and SearchVectors (README.md). Importing this package registers the write
observer and the catalog hook that keep the indexes current."""

from lumadb.dynamodb import catalog
from lumadb.dynamodb.vectors import maintain

if maintain.vector_observers not in catalog.observer_factories:
    catalog.observer_factories.append(maintain.vector_observers)
    catalog.meta_hooks.append(maintain.on_meta_change)
