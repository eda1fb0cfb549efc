"""The customers report on the real PostgreSQL: a scripted set of six customers with known
answers (regions from addresses and phones, value levels, temperaments, models and ages
of their vehicles, visit grades, lost customers and win-backs, as of two days and for two
N), the region following a changed address or phone, the summaries kept by the triggers
equal to a rebuild, the xlsx export, the hotline section of "calls and agents", and 403
for agents."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from openpyxl import load_workbook

from callcenter.db.customer_report import CustomerReportStore
from callcenter.domain.customer_report import LOST_MONTHS
from callcenter.errors import ValidationError
from callcenter.services import customer_report
from tests.console import login, running_server
from tests.integration.fake_ami import FakeAmi
from tests.xlsx import sheet_values

SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = date(2026, 11, 30)
FORMULA = '=HYPERLINK("x")'


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Customers:
    a: int
    b: int
    c: int
    d: int
    e: int
    f: int


async def seed(pool: asyncpg.Pool) -> Customers:
    """Six customers; the expected figures are in the tests below."""
    await customer_report.prepare(CustomerReportStore(pool))
    async with pool.acquire() as conn, conn.transaction():
        async def customer(name: str, address: str | None, *phones: str, level: str = "normal",
                           temperament: str | None = None) -> int:
            customer_id: int = await conn.fetchval(
                "INSERT INTO customers (name, address, value_level, temperament)"
                " VALUES ($1, $2, $3, $4) RETURNING id", name, address, level, temperament)
            for position, e164 in enumerate(phones):
                await conn.execute("INSERT INTO customer_phones (customer_id, e164, position)"
                                   " VALUES ($1, $2, $3)", customer_id, e164, position)
            return customer_id

        # the address wins over the phone (Beijing); the first phone when no address
        a = await customer("张三", "广东省深圳市南山区", "+8613800138000", level="vip",
                           temperament="decisive")
        b = await customer(FORMULA, None, "+861065529988", "+862083336666")
        c = await customer("李四", "中国 内蒙古自治区呼和浩特市", level="key",
                           temperament="analytical")
        d = await customer("王五", "深圳市南山区", "+8675512345678")  # no province: the phone
        e = await customer("赵六", None)
        f = await customer("钱七", None, "+14155552671")  # not a Chinese number

        vin = iter(f"LSVAB0000000{n:05d}" for n in range(100))

        async def vehicle(owner: int, model: str | None, delivered: str | None,
                          sold: str | None = None) -> int:
            vehicle_id: int = await conn.fetchval(
                "INSERT INTO vehicles (customer_id, vin, model, delivery_date, sale_date)"
                " VALUES ($1, $2, $3, $4, $5) RETURNING id", owner, next(vin), model,
                delivered and date.fromisoformat(delivered), sold and date.fromisoformat(sold))
            return vehicle_id

        cars = {a: await vehicle(a, "Model X", "2026-06-01"),
                b: await vehicle(b, "Model X", None, "2022-01-15"),
                c: await vehicle(c, "  ", "2020-11-30"),
                d: await vehicle(d, "Model Y", None),
                f: await vehicle(f, FORMULA, "2019-01-01")}
        await vehicle(a, "Model Y", "2025-11-30")  # exactly a year old: 1-3
        await vehicle(d, "Model Y", "2026-12-15")  # delivered after the day

        orders = iter(range(1000))

        async def visit(owner: int, visit_no: str, settled: datetime) -> None:
            await conn.execute(
                "INSERT INTO service_orders (order_no, visit_no, customer_id, vehicle_id, kind,"
                " settled_at) VALUES ($1, $2, $3, $4, 'maintenance', $5)",
                f"RO{next(orders)}", visit_no, owner, cars[owner], settled)

        await visit(a, "A1", at("2025-12-01"))  # the 12 months' first day
        await visit(a, "A2", at("2026-03-01"))
        await visit(a, "A2", at("2026-03-02"))  # the same visit's second order
        await visit(a, "A3", at("2026-10-01"))
        await visit(b, "B1", at("2025-11-30"))  # 12 months before the day: out, lost
        await visit(c, "C1", at("2024-01-10"))
        await visit(c, "C2", at("2025-02-01"))
        await visit(c, "C3", at("2026-04-01"))  # after the win-back call
        for day in ("2026-01-05", "2026-03-05", "2026-05-05"):
            await visit(d, day, at(day))
        await visit(d, "D4", at("2026-11-30", "23:30"))  # 15:30 UTC
        await visit(d, "D5", at("2026-12-01", "00:30"))  # 30 November in UTC: the next day
        await visit(f, "F1", at("2023-06-01"))
        await visit(f, "F2", at("2026-12-05"))  # after the day

        async def win_back(owner: int, status: str, completed: datetime | None) -> None:
            await conn.execute(
                "INSERT INTO followup_tasks (kind, source_key, customer_id, due_date, status,"
                " completed_at, result) VALUES ('win_back', $1, $2, $3, $4, $5, $6)",
                f"win_back:{owner}:{completed}", owner, (completed or at("2026-11-01")).date(),
                status, completed, completed and "satisfied")

        await win_back(b, "completed", at("2026-11-10"))  # no visit since
        await win_back(c, "completed", at("2026-03-01"))  # came back on 1 April
        await win_back(f, "completed", at("2026-11-20"))  # came back after the day
        await win_back(e, "open", None)
        await win_back(a, "completed", at("2025-10-01"))  # before the 12 months
    return Customers(a, b, c, d, e, f)


async def report(pool: asyncpg.Pool, by: str, as_of: date = AS_OF,
                 lost_months: int = 12) -> dict[str, Any]:
    return await customer_report.customers_report(CustomerReportStore(pool), as_of, by,
                                                  lost_months, SHANGHAI)


def rows(*pairs: tuple[str | None, int], whole: int) -> list[dict[str, Any]]:
    return [{"value": value, "count": count, "share": round(count / whole, 4)}
            for value, count in pairs]


async def test_customers_by_group_as_of_a_day(pool: asyncpg.Pool) -> None:
    await seed(pool)
    levels = await report(pool, "value_level")
    assert (levels["to"], levels["customers"], levels["vehicles"]) == ("2026-11-30", 6, 7)
    assert levels["rows"] == rows(("vip", 1), ("key", 1), ("normal", 4), whole=6)
    temperaments = await report(pool, "temperament")
    assert temperaments["rows"] == rows(("decisive", 1), ("sociable", 0), ("analytical", 1),
                                        ("venting", 0), ("cautious", 0), (None, 4), whole=6)
    regions = await report(pool, "region")
    assert regions["rows"] == rows(("广东", 2), ("内蒙古", 1), ("北京", 1), (None, 2), whole=6)
    models = await report(pool, "model")
    assert models["rows"] == rows(("Model Y", 3), ("Model X", 2), (FORMULA, 1), (None, 1),
                                  whole=7)
    ages = await report(pool, "age")
    assert ages["rows"] == rows(("0-1", 1), ("1-3", 1), ("3-5", 1), ("5+", 2), ("unknown", 1),
                                whole=7)
    assert sum(row["count"] for row in ages["rows"]) == 6  # one not delivered yet


async def test_visit_grades_lost_customers_and_win_backs(pool: asyncpg.Pool) -> None:
    await seed(pool)
    now = await report(pool, "visits")
    # A 3 visits (A2 once), B none in the 12 months, C one, D four (not D5: 1 December)
    assert now["rows"] == rows(("0", 3), ("1", 1), ("2-3", 1), ("4+", 1), whole=6)
    # lost: B (last visit exactly 12 months before) and F; won back: C of B, C and F
    assert now["lost"] == {"customers": 2, "share": 0.3333, "win_back_called": 3,
                           "won_back": 1, "won_back_rate": 0.3333}
    three = await report(pool, "visits", lost_months=3)
    assert three["lost"]["customers"] == 3  # and C, whose last visit was in April
    assert three["lost"]["win_back_called"] == 2  # the calls of the last 3 months: B, F

    march = await report(pool, "visits", date(2026, 3, 15))
    assert march["rows"] == rows(("0", 3), ("1", 1), ("2-3", 2), ("4+", 0), whole=6)
    # C lost since February, and F; of the calls of those 12 months A's (October) brought
    # them back in December, C's (1 March) has not yet
    assert march["lost"] == {"customers": 2, "share": 0.3333, "win_back_called": 2,
                             "won_back": 1, "won_back_rate": 0.5}
    december = await report(pool, "visits", date(2026, 12, 10))
    assert december["lost"]["customers"] == 1  # B; F came back on 5 December
    assert december["lost"]["won_back"] == 2  # C and F
    empty = await report(pool, "visits", date(2020, 1, 1))
    assert empty["rows"][0] == {"value": "0", "count": 6, "share": 1.0}
    assert empty["lost"]["customers"] == 0 and empty["lost"]["won_back_rate"] is None

    with pytest.raises(ValidationError):
        await report(pool, "visits", lost_months=7)
    with pytest.raises(ValidationError):
        await report(pool, "colour")
    with pytest.raises(ValidationError):
        await report(pool, "visits", date(1, 1, 1))
    assert await CustomerReportStore(pool).lost_months() == list(LOST_MONTHS)


async def _summaries(pool: asyncpg.Pool) -> dict[str, set[tuple[Any, ...]]]:
    out = {}
    for table, query in [
            ("groups", "SELECT * FROM report_customer_groups WHERE count <> 0"),
            ("events", "SELECT * FROM report_visit_events WHERE customers <> 0"),
            ("visits", "SELECT * FROM customer_visits"),
            ("regions", "SELECT id, region FROM customers")]:
        out[table] = {tuple(row.values()) for row in await pool.fetch(query)}
    return out


async def test_regions_follow_the_writes_and_the_triggers_equal_a_rebuild(
        pool: asyncpg.Pool) -> None:
    who = await seed(pool)
    await pool.execute("INSERT INTO customer_phones (customer_id, e164) VALUES ($1, $2)",
                       who.e, "+864711234567")  # a Hohhot landline
    await pool.execute("UPDATE customers SET address = '上海市浦东新区' WHERE id = $1", who.c)
    await pool.execute("DELETE FROM customer_phones WHERE customer_id = $1 AND position = 0",
                       who.b)  # Guangzhou's landline is the first now
    await pool.execute("UPDATE customers SET value_level = 'key' WHERE id = $1", who.d)
    await pool.execute("UPDATE vehicles SET model = 'Model X' WHERE customer_id = $1", who.c)
    # a visit moved to another customer, one deleted
    await pool.execute("UPDATE service_orders SET customer_id = $1 WHERE visit_no = 'A3'",
                       who.e)
    await pool.execute("DELETE FROM service_orders WHERE visit_no = 'B1'")
    regions = await report(pool, "region")
    assert regions["rows"] == rows(("广东", 3), ("上海", 1), ("内蒙古", 1), (None, 1), whole=6)
    levels = await report(pool, "value_level")
    assert levels["rows"] == rows(("vip", 1), ("key", 2), ("normal", 3), whole=6)
    visits = await report(pool, "visits")
    assert visits["rows"] == rows(("0", 2), ("1", 2), ("2-3", 1), ("4+", 1), whole=6)
    assert visits["lost"]["customers"] == 1  # F; B has no visit at all now

    # an import's shape: one statement of several customers' orders
    await pool.execute(
        "INSERT INTO service_orders (order_no, visit_no, customer_id, vehicle_id, kind,"
        " settled_at) SELECT 'BULK' || n, 'BULK' || n, c,"
        " (SELECT id FROM vehicles WHERE customer_id = $1 LIMIT 1), 'repair',"
        " timestamptz '2026-06-01 10:00+08' + n * interval '1 day'"
        " FROM unnest(ARRAY[$1, $2, $1]::bigint[]) WITH ORDINALITY AS x (c, n)",
        who.f, who.b)
    kept = await _summaries(pool)
    version = customer_report.regions_version()
    await pool.execute("UPDATE customer_report_state SET regions = 'old'")
    assert await customer_report.prepare(CustomerReportStore(pool)) is True
    assert await _summaries(pool) == kept
    assert await pool.fetchval("SELECT regions FROM customer_report_state") == version
    assert await customer_report.prepare(CustomerReportStore(pool)) is False

    # another zone: D's order of 23:30 in Shanghai is on 30 November in UTC as well, but
    # D5 (00:30 on 1 December in Shanghai) moves into the day
    await pool.execute("UPDATE report_zone SET tz = 'UTC'")
    assert await customer_report.prepare(CustomerReportStore(pool)) is True
    assert await pool.fetchval(
        "SELECT day FROM customer_visits WHERE visit_no = 'D5'") == date(2026, 11, 30)



async def test_http_json_xlsx_and_the_hotline_beside_the_calls(
        db_url: str, fake_ami: FakeAmi) -> None:
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0"}
    async with running_server(db_url, env) as server:
        await seed(server.pool)
        await server.add_agent("li", "1001")
        await server.add_agent("boss", None, role="supervisor")
        boss, li = await login(server.base_url, "boss"), await login(server.base_url, "li")
        try:
            query = "to=2026-11-30&by=model&lost_months=12"
            for path in (f"/api/reports/customers?{query}",
                         f"/api/reports/customers.xlsx?{query}"):
                status, reply = await li.get(path)
                assert (status, reply["error_id"]) == (403, "forbidden"), path

            status, reply = await boss.get(f"/api/reports/customers?{query}")
            assert status == 200, reply
            assert reply["rows"][2] == {"value": FORMULA, "count": 1, "share": 0.1429}
            assert reply["lost"]["won_back"] == 1
            resp = await boss.http.get(f"/api/reports/customers.xlsx?{query}")
            assert resp.status == 200
            assert resp.headers["Content-Disposition"] == \
                'attachment; filename="customers-2026-11-30.xlsx"'
            sheet = load_workbook(io.BytesIO(await resp.read())).active
            table = sheet_values(sheet)
            assert table[:3] == [["As of", "2026-11-30"], ["Customers", 6], ["Vehicles", 7]]
            assert table[4] == ["Vehicle model", "Count", "Share"]
            assert table[5:9] == [["Model Y", 3, 0.4286], ["Model X", 2, 0.2857],
                                  [FORMULA, 1, 0.1429], ["Unknown", 1, 0.1429]]
            assert sheet["A8"].data_type == "s" and sheet["A8"].quotePrefix
            assert table[10:] == [["Lost customers (no visit for 12 months)", 2],
                                  ["Lost share", 0.3333], ["Win-back calls completed", 3],
                                  ["Came back after one", 1], ["Won-back rate", 0.3333]]

            status, bad = await boss.get("/api/reports/customers?lost_months=7")
            assert (status, bad["error_id"]) == (400, "invalid_input")
            status, bad = await boss.get("/api/reports/customers?by=colour")
            assert status == 400
            status, today = await boss.get("/api/reports/customers")
            assert status == 200 and today["by"] == "value_level"

            # the hotline queue beside the calls: one answered, one abandoned caller
            for when, event, data in [
                    ("2026-11-09 09:00:00+08", "ENTERQUEUE", ("", "", "")),
                    ("2026-11-09 09:00:12+08", "CONNECT", ("12", "", "")),
                    ("2026-11-10 11:00:00+08", "ENTERQUEUE", ("", "", "")),
                    ("2026-11-10 11:00:40+08", "ABANDON", ("1", "1", "40"))]:
                await server.pool.execute(
                    "INSERT INTO queue_log (time, callid, queuename, agent, event, data1,"
                    " data2, data3) VALUES ($1::timestamptz, 'c1', 'hotline', 'PJSIP/1001',"
                    " $2, $3, $4, $5)", datetime.fromisoformat(when), event, *data)
            days = "from=2026-11-01&to=2026-11-30"
            status, calls = await boss.get(f"/api/reports/calls?{days}")
            assert status == 200, calls
            hotline = calls["hotline"]
            assert (hotline["total"]["offered"], hotline["total"]["answered"],
                    hotline["total"]["abandoned"]) == (2, 1, 1)
            assert [(d["bucket"], d["answered"], d["abandoned"]) for d in hotline["days"]] == [
                ("2026-11-09", 1, 0), ("2026-11-10", 0, 1)]
            resp = await boss.http.get(f"/api/reports/calls.xlsx?{days}")
            book = load_workbook(io.BytesIO(await resp.read()))
            assert book.sheetnames[-1] == "Hotline"
            assert sheet_values(book["Hotline"])[-1][:4] == ["Total", 2, 1, 1]
        finally:
            await boss.close()
            await li.close()
