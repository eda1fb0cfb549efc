"""What a domain value built from a database row reads of it: columns by name.

An asyncpg ``Record`` and a plain ``dict`` both qualify, so the domain never imports the
database driver.
"""

from __future__ import annotations

from typing import Any, Protocol


class Row(Protocol):
    def __getitem__(self, column: str, /) -> Any: ...
