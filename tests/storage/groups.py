"""Drives for the loop writer's group commit, shared by the storage tests."""

from __future__ import annotations

import asyncio

from lumadb.storage.executor import Database


def insert(conn, k: int) -> int:
    conn.execute("INSERT INTO t VALUES (?, 'a')", (k,))
    return k


def a_group_then_another(db: Database) -> list:
    """Eight writes at once, then eight more once the first have their outcome: the first
    group's results (or errors), then the second's."""

    async def main() -> list:
        first = await asyncio.gather(*(db.write_short(insert, k) for k in range(8)), return_exceptions=True)
        second = await asyncio.wait_for(asyncio.gather(*(db.write_short(insert, k) for k in range(10, 18))), 10)
        return [*first, *second]

    return asyncio.run(main())
