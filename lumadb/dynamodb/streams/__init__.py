"""DynamoDB Streams: stream rows and records (`storage`), the write observer and catalog hook
that fill them (`records`), StreamSpecification rules (`specification`) and shard iterators
(`iterators`). Importing the package registers the observer and the hook with the catalog."""

from lumadb.dynamodb import catalog
from lumadb.dynamodb.streams import records

if records.stream_observers not in catalog.observer_factories:
    catalog.observer_factories.append(records.stream_observers)
    catalog.meta_hooks.append(records.on_meta_change)
