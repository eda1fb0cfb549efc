"""SQL lives in ``db/queries/<feature>.sql``; each statement is named by a comment line.

    -- name: find_customer_by_phone
    SELECT ...

Repositories load their feature's file once and run statements by name with bound
parameters.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_HEADER = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


def parse_queries(text: str) -> dict[str, str]:
    parts = _HEADER.split(text)
    queries = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        if name in queries:
            raise ValueError(f"query {name!r} is defined twice")
        queries[name] = body.strip().rstrip(";")
    return queries


@cache
def load_queries(feature: str) -> dict[str, str]:
    text = resources.files("callcenter.db").joinpath("queries", f"{feature}.sql").read_text(
        encoding="utf-8")
    return parse_queries(text)
