"""Customer search on a population as large as a dealership group's (real PostgreSQL,
migration 0019's indexes): the customer whose digits, plate or VIN were typed is found,
and a name prefix returns the first names in order. The population is made by
tests/customer_population.py; 100,000 customers in the suite (about 15 s to build on the
2-core machine), CALLCENTER_TEST_CUSTOMERS=1000000 for the million of issue 13 (a few
minutes to build; bench/bench_customer_search.py times it)."""

from __future__ import annotations

import os
import random

import asyncpg

from callcenter.db.customers import CustomerStore
from callcenter.services.customers import search_customers
from tests.customer_population import populate

COUNT = int(os.environ.get("CALLCENTER_TEST_CUSTOMERS", "100000"))
SAMPLES = 40


def national(e164: str) -> str:
    rest = e164[3:]
    return rest if rest.startswith("1") else "0" + rest


async def test_search_finds_the_right_cards_among_many(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await populate(conn, COUNT)
    rng = random.Random(7)
    ids = [rng.randint(1, COUNT) for _ in range(SAMPLES)]
    sample = await pool.fetch(
        "SELECT c.id, c.name, v.plate, v.vin,"
        " (SELECT e164 FROM customer_phones p WHERE p.customer_id = c.id"
        "  ORDER BY position DESC LIMIT 1) AS phone"
        " FROM customers c JOIN vehicles v ON v.customer_id = c.id WHERE c.id = ANY($1)",
        ids)
    store = CustomerStore(pool)
    for row in sample:
        digits = national(row["phone"])
        for text in (digits, digits[2:9], row["plate"], row["plate"][1:], row["vin"][-8:]):
            found = await search_customers(store, text)
            assert row["id"] in {c["id"] for c in found["customers"]}, (text, row)

    name = sample[0]["name"][:1]
    found = await search_customers(store, name, 50)
    names = [c["name"] for c in found["customers"]]
    expected = await pool.fetch("SELECT name FROM customers WHERE name LIKE $1"
                                " ORDER BY name COLLATE \"C\", id LIMIT 50", name + "%")
    assert names == [r["name"] for r in expected]
    assert found["more"] is True
