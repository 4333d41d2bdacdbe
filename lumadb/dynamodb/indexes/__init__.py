"""Secondary indexes: the index model and key encodings (`model`), index tables (`storage`),
their maintenance in each write's transaction and the backfill of added GSIs (`maintain`),
reading an index or a table through one interface (`sources`), index definitions and their
DescribeTable sections (`definitions`), and Query/Scan with IndexName (`reads`). Importing the
package registers the write observer and the catalog hook."""

from lumadb.dynamodb import catalog
from lumadb.dynamodb.indexes import maintain

if maintain.index_observers not in catalog.observer_factories:
    catalog.observer_factories.append(maintain.index_observers)
    catalog.meta_hooks.append(maintain.on_meta_change)
