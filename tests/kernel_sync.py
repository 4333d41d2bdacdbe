"""Whether this machine's kernel can sync a file asynchronously (lumadb/storage/wal_sync.py):
tests of that path skip, or check less, where it cannot."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lumadb.storage.wal_sync import WalSync


def kernel_syncs_asynchronously(folder: Path) -> bool:
    probe = folder / "aio-probe"
    probe.write_bytes(b"x")

    async def open_one() -> bool:
        sync = WalSync.open(asyncio.get_running_loop(), str(probe))
        if sync is not None:
            sync.close()
        return sync is not None

    try:
        return asyncio.run(open_one())
    finally:
        probe.unlink()
