"""The connection type a repository function takes.

``pool.acquire()`` lends a ``PoolConnectionProxy``: it behaves as a connection but is not
an ``asyncpg.Connection`` subclass, so a function that runs statements on either a
connection of its own (migrations at start, tests) or a pooled one names both.
"""

from __future__ import annotations

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

Connection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
