"""The greetings rule over a year of days on a real PostgreSQL: exactly the expected
SMS, nothing new when a day runs again, none to do-not-disturb customers or landlines."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import asyncpg

from callcenter.services.greetings import GreetingsRule

YEAR = 2027  # Spring Festival 6 February; Mid-Autumn 15 September
HOLIDAYS = 6


async def _customer(conn: asyncpg.Connection, ref: str, *, birthday: date | None = None,
                    phones: tuple[str, ...] = (), dnd: bool = False,
                    invalid: tuple[str, ...] = ()) -> int:
    customer = await conn.fetchval(
        "INSERT INTO customers (external_ref, name, birthday, do_not_disturb)"
        " VALUES ($1, $1, $2, $3) RETURNING id", ref, birthday, dnd)
    for position, phone in enumerate(phones):
        await conn.execute(
            "INSERT INTO customer_phones (customer_id, e164, position, invalid_at)"
            " VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END)",
            customer, phone, position, phone in invalid)
    return customer


async def _seed(pool: asyncpg.Pool) -> dict[str, int]:
    async with pool.acquire() as conn, conn.transaction():
        return {
            "plain": await _customer(conn, "plain", birthday=date(1985, 3, 10),
                                     phones=("+8613800000001",)),
            "leap": await _customer(conn, "leap", birthday=date(2000, 2, 29),
                                    phones=("+8613800000002",)),
            # Born on the day that is Spring Festival in 2027: the birthday wins.
            "spring": await _customer(conn, "spring", birthday=date(1990, 2, 6),
                                      phones=("+8613800000003",)),
            "no_birthday": await _customer(conn, "no_birthday", phones=("+8613800000004",)),
            "dnd": await _customer(conn, "dnd", birthday=date(1970, 7, 1),
                                   phones=("+8613800000005",), dnd=True),
            "landline": await _customer(conn, "landline", birthday=date(1970, 7, 2),
                                        phones=("+861012345678",)),
            "landline_first": await _customer(conn, "landline_first",
                                              birthday=date(1975, 8, 8),
                                              phones=("+862112345678", "+8613800000006")),
            "wrong_mobile": await _customer(conn, "wrong_mobile", birthday=date(1975, 8, 9),
                                            phones=("+8613800000007", "+8613800000008"),
                                            invalid=("+8613800000007",)),
            # A couple sharing a mobile: each birthday, but one holiday greeting.
            "shared_a": await _customer(conn, "shared_a", birthday=date(1980, 11, 1),
                                        phones=("+8613800000009",)),
            "shared_b": await _customer(conn, "shared_b", birthday=date(1982, 11, 2),
                                        phones=("+8613800000009",)),
            "no_phone": await _customer(conn, "no_phone", birthday=date(1980, 1, 5)),
        }


def _rule(today: list[date]) -> GreetingsRule:
    return GreetingsRule(dealer="华通汽车", hotline="400-800-1234", region="CN",
                         today=lambda: today[0])


async def _run_year(pool: asyncpg.Pool) -> tuple[int, int]:
    """Each day of YEAR run twice (as the scheduler's transaction would); the SMS the
    first runs and the second runs made."""
    today = [date(YEAR, 1, 1)]
    rule = _rule(today)
    first = again = 0
    day = date(YEAR, 1, 1)
    while day.year == YEAR:
        today[0] = day
        for run in range(2):
            async with pool.acquire() as conn, conn.transaction():
                made = await rule.run(conn, day)
            if run == 0:
                first += made
            else:
                again += made
        day += timedelta(days=1)
    return first, again


async def test_a_year_of_greetings(pool: asyncpg.Pool) -> None:
    ids = await _seed(pool)
    first, again = await _run_year(pool)
    rows = await pool.fetch("SELECT customer_id, phone, kind, body, dedupe_key, created_at"
                            " FROM sms_outbox ORDER BY id")
    by_customer = Counter(r["customer_id"] for r in rows)
    names = {v: k for k, v in ids.items()}
    assert {names[c]: n for c, n in by_customer.items()} == {
        "plain": 1 + HOLIDAYS,
        "leap": 1 + HOLIDAYS,
        "spring": 1 + HOLIDAYS - 1,
        "no_birthday": HOLIDAYS,
        "landline_first": 1 + HOLIDAYS,
        "wrong_mobile": 1 + HOLIDAYS,
        "shared_a": 1 + HOLIDAYS,
        "shared_b": 1,
    }
    assert first == len(rows) and again == 0
    assert {r["kind"] for r in rows} == {"greeting"}
    keys = {r["dedupe_key"] for r in rows}
    assert f"greeting:{ids['leap']}:birthday:{YEAR}" in keys
    assert f"greeting:{ids['spring']}:birthday:{YEAR}" in keys
    assert f"greeting:{ids['spring']}:spring_festival:{YEAR}" not in keys
    assert f"greeting:{ids['plain']}:mid_autumn:{YEAR}" in keys
    phones = {names[r["customer_id"]]: r["phone"] for r in rows}
    assert phones["landline_first"] == "+8613800000006"
    assert phones["wrong_mobile"] == "+8613800000008"
    plain = [r["body"] for r in rows if r["customer_id"] == ids["plain"]]
    assert plain[0].startswith("【华通汽车】尊敬的plain，您好！值此元旦到来之际")
    assert any("今天是您的生日" in body and "400-800-1234" in body for body in plain)


async def test_the_leap_day_birthday_in_a_common_and_a_leap_year(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        leap = await _customer(conn, "leap", birthday=date(2000, 2, 29),
                               phones=("+8613800000002",))
    for day in (date(2027, 2, 28), date(2027, 3, 1), date(2028, 2, 28), date(2028, 2, 29)):
        async with pool.acquire() as conn, conn.transaction():
            await _rule([day]).run(conn, day)
    keys = await pool.fetch("SELECT dedupe_key, created_at FROM sms_outbox ORDER BY id")
    assert [k["dedupe_key"] for k in keys] == [f"greeting:{leap}:birthday:2027",
                                               f"greeting:{leap}:birthday:2028"]


async def test_a_day_caught_up_late_is_not_greeted(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await _customer(conn, "c", phones=("+8613800000001",))
    spring = date(2027, 2, 6)
    async with pool.acquire() as conn, conn.transaction():
        assert await _rule([spring + timedelta(days=3)]).run(conn, spring) == 0
        assert await _rule([spring]).run(conn, spring) == 1


async def test_an_ordinary_day_reads_only_its_birthdays(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await _customer(conn, "a", birthday=date(1990, 4, 2), phones=("+8613800000001",))
        await _customer(conn, "b", birthday=date(1990, 4, 3), phones=("+8613800000002",))
    day = date(2027, 4, 2)
    async with pool.acquire() as conn, conn.transaction():
        assert await _rule([day]).run(conn, day) == 1
