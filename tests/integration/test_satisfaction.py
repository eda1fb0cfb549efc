"""The satisfaction report on the real PostgreSQL: a scripted November (and two days of
December) with known answers — every mean, distribution, count and rate, the strongest
and weakest questions, by staff (a range of whole months and days), department and
month; a corrected salesperson or advisor moves the answers they concern; the triggers'
summaries equal a rebuild; the xlsx export keeps a formula-like salesperson as text; an
agent gets 403."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from openpyxl import load_workbook

from callcenter.db.satisfaction import SatisfactionStore
from callcenter.errors import ValidationError
from callcenter.services.satisfaction import satisfaction
from tests.console import login, running_server
from tests.integration.fake_ami import FakeAmi
from tests.xlsx import sheet_values

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
FORMULA_NAME = '=HYPERLINK("x")'


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"2026-{day}T{clock}").replace(tzinfo=SHANGHAI)


def vin(n: int) -> str:
    return f"LSVAU2180N2{n:06d}"


async def seed(pool: asyncpg.Pool) -> dict[str, int]:
    """Follow-ups A..H; the expected figures are in the tests below."""
    async with pool.acquire() as conn, conn.transaction():
        customer = await conn.fetchval("INSERT INTO customers (name) VALUES ('张伟') RETURNING id")
        vehicles = {}
        for n, salesperson in [(1, "Zhou"), (2, FORMULA_NAME)]:
            vehicles[n] = await conn.fetchval(
                "INSERT INTO vehicles (customer_id, vin, salesperson) VALUES ($1, $2, $3)"
                " RETURNING id", customer, vin(n), salesperson)
        for order, advisor, settled in [("R1", None, "10:00"), ("R2", "Sun", "11:00"),
                                        ("R3", "Wu", "12:00")]:
            await conn.execute(
                "INSERT INTO service_orders (order_no, visit_no, customer_id, vehicle_id, kind,"
                " settled_at, advisor) VALUES ($1, 'S1', $2, $3, 'maintenance', $4, $5)",
                order, customer, vehicles[1], at("11-04", settled), advisor)
        templates = {kind: await conn.fetchval(
            "SELECT id FROM questionnaire_templates WHERE kind = $1 AND active", kind)
            for kind in ("sales", "service")}
        templates["sales2"] = await conn.fetchval(
            "INSERT INTO questionnaire_templates (kind, version, title, questions, pass_score,"
            " active) VALUES ('sales', 2, $1, $2, 6, false) RETURNING id",
            {"zh-CN": "销售回访二", "en": "Sales v2"},
            [{"id": "q1", "max": 5, "floor": 1, "text": {"zh-CN": "一", "en": "one"}},
             {"id": "q2", "max": 5, "floor": 1, "text": {"zh-CN": "二", "en": "two"}}])

        async def task(name: str, kind: str, template: str, done: datetime, answers: list[int],
                       result: str, *, vehicle: int | None = None,
                       visit: str | None = None) -> int:
            keyed = dict(zip((f"q{i}" for i in range(1, 9)), answers, strict=False))
            task_id: int = await conn.fetchval(
                "INSERT INTO followup_tasks (kind, source_key, customer_id, vehicle_id,"
                " visit_no, due_date) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                kind, f"service:{visit}" if visit else f"{kind}:{name}", customer,
                vehicles.get(vehicle or 0), visit, done.date())
            # completed as the console does: an update of the open task
            await conn.execute(
                "UPDATE followup_tasks SET status = 'completed', completed_at = $2,"
                " template_id = $3, answers = $4, score = $5, result = $6 WHERE id = $1",
                task_id, done, templates[template], keyed, sum(answers), result)
            return task_id

        ids = {
            "A": await task("A", "sales", "sales", at("11-03", "10:00"),
                            [10, 9, 8, 10, 10, 6, 9, 8], "dissatisfied", vehicle=1),
            "B": await task("B", "sales", "sales", at("11-20", "10:00"),
                            [9, 9, 9, 9, 9, 9, 9, 7], "satisfied", vehicle=2),
            "C": await task("C", "sales", "sales", at("12-02", "09:00"), [8] * 8, "satisfied",
                            vehicle=1),
            "D": await task("D", "service", "service", at("11-05", "16:00"),
                            [10, 10, 9, 9, 10, 8], "satisfied", visit="S1"),
            # 23:30 in Shanghai: still the 30th there
            "E": await task("E", "service", "service", at("11-30", "23:30"),
                            [5, 8, 8, 8, 8, 8], "dissatisfied"),
            "G": await task("G", "sales", "sales2", at("11-10", "11:00"), [5, 3], "satisfied",
                            vehicle=2),
        }
        await conn.execute(
            "INSERT INTO followup_tasks (kind, source_key, customer_id, due_date)"
            " VALUES ('sales', 'sales:H', $1, '2026-11-12')", customer)  # open: nowhere
        return ids


def _template(group: dict[str, Any], kind: str, version: int = 1) -> dict[str, Any]:
    found = [t for t in group["templates"] if (t["kind"], t["version"]) == (kind, version)]
    assert len(found) == 1, group["templates"]
    return found[0]


def _means(template: dict[str, Any]) -> list[float | None]:
    return [q["mean"] for q in template["questions"]]


async def test_by_question_means_distributions_rates_strongest_weakest(
        pool: asyncpg.Pool) -> None:
    await seed(pool)
    reply = await satisfaction(SatisfactionStore(pool), *NOVEMBER, None, "question")
    total = reply["total"]
    assert (total["completed"], total["satisfied"], total["dissatisfied"]) == (5, 3, 2)
    assert (total["satisfied_rate"], total["dissatisfied_rate"]) == (0.6, 0.4)
    assert total["score_percent"] == 85.9  # 249 of 290 points
    assert [(t["kind"], t["version"]) for t in total["templates"]] == [
        ("sales", 1), ("sales", 2), ("service", 1)]
    assert reply["rows"] == []

    sales = _template(total, "sales")
    assert (sales["completed"], sales["mean_score"], sales["max_score"]) == (2, 70.0, 80)
    assert (sales["satisfied"], sales["dissatisfied"], sales["satisfied_rate"]) == (1, 1, 0.5)
    assert _means(sales) == [9.5, 9.0, 8.5, 9.5, 9.5, 7.5, 9.0, 7.5]
    assert [q["answered"] for q in sales["questions"]] == [2] * 8
    assert sales["questions"][0]["fraction"] == 0.95
    q1 = sales["questions"][0]["distribution"]
    assert len(q1) == 11 and [d for d in q1 if d["answers"]] == [
        {"score": 9, "answers": 1}, {"score": 10, "answers": 1}]
    # q1, q4 and q5 tie at 0.95, q6 and q8 at 0.75: the first asked wins
    assert (sales["strongest"], sales["weakest"]) == ("q1", "q6")
    assert sales["department"] == "sales"

    service = _template(total, "service")
    assert (service["completed"], service["mean_score"], service["satisfied"]) == (2, 50.5, 1)
    assert _means(service) == [7.5, 9.0, 8.5, 8.5, 9.0, 8.0]
    assert (service["strongest"], service["weakest"]) == ("q2", "q1")

    v2 = _template(total, "sales", 2)
    assert (v2["completed"], v2["mean_score"], v2["max_score"]) == (1, 8.0, 10)
    assert [(q["mean"], q["fraction"]) for q in v2["questions"]] == [(5.0, 1.0), (3.0, 0.6)]
    assert (v2["strongest"], v2["weakest"]) == ("q1", "q2")

    only_sales = await satisfaction(SatisfactionStore(pool), *NOVEMBER, "sales", "question")
    assert only_sales["total"]["completed"] == 3
    assert {t["kind"] for t in only_sales["total"]["templates"]} == {"sales"}


def _staff(reply: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(r["department"], r["staff"], r["completed"], r["satisfied"],
             [(t["version"], _means(t)) for t in r["templates"]]) for r in reply["rows"]]


async def test_by_staff_over_whole_months_and_days(pool: asyncpg.Pool) -> None:
    await seed(pool)
    store = SatisfactionStore(pool)
    november = await satisfaction(store, *NOVEMBER, None, "staff")
    assert _staff(november) == [
        ("sales", FORMULA_NAME, 2, 2, [(1, [9, 9, 9, 9, 9, 9, 9, 7]), (2, [5, 3])]),
        ("sales", "Zhou", 1, 0, [(1, [10, 9, 8, 10, 10, 6, 9, 8])]),
        # the visit's first settled order naming an advisor: R2's
        ("service", "Sun", 1, 1, [(1, [10, 10, 9, 9, 10, 8])]),
        ("service", None, 1, 0, [(1, [5, 8, 8, 8, 8, 8])]),
    ]
    assert november["rows"][0]["templates"][0]["questions"][0]["distribution"] is None
    # November from the month summary, 1-2 December from the days: C counts for Zhou
    longer = await satisfaction(store, date(2026, 11, 1), date(2026, 12, 2), "sales", "staff")
    assert [(r["staff"], r["completed"]) for r in longer["rows"]] == [
        (FORMULA_NAME, 2), ("Zhou", 2)]
    assert _means(longer["rows"][1]["templates"][0]) == [9, 8.5, 8, 9, 9, 7, 8.5, 8]
    # no whole month: every day read from the day summary
    days = await satisfaction(store, date(2026, 11, 15), date(2026, 12, 2), None, "staff")
    assert [(r["staff"], r["completed"]) for r in days["rows"]] == [
        (FORMULA_NAME, 1), ("Zhou", 1), (None, 1)]
    # off the months at both ends (the running totals: the last row on or before the
    # end minus the last before the start): 4 November to 2 December leaves A out
    ends = await satisfaction(store, date(2026, 11, 4), date(2026, 12, 2), None, "staff")
    assert _staff(ends) == [
        ("sales", FORMULA_NAME, 2, 2, [(1, [9, 9, 9, 9, 9, 9, 9, 7]), (2, [5, 3])]),
        ("sales", "Zhou", 1, 1, [(1, [8] * 8)]),
        ("service", "Sun", 1, 1, [(1, [10, 10, 9, 9, 10, 8])]),
        ("service", None, 1, 0, [(1, [5, 8, 8, 8, 8, 8])]),
    ]
    # a day alone, and days with nothing
    assert _staff(await satisfaction(store, date(2026, 11, 5), date(2026, 11, 5), None,
                                     "staff")) == [
        ("service", "Sun", 1, 1, [(1, [10, 10, 9, 9, 10, 8])])]
    assert (await satisfaction(store, date(2026, 11, 21), date(2026, 11, 29), None,
                               "staff"))["rows"] == []


async def test_a_corrected_salesperson_or_advisor_moves_their_answers(
        pool: asyncpg.Pool) -> None:
    ids = await seed(pool)
    await pool.execute("UPDATE vehicles SET salesperson = 'Qian' WHERE vin = $1", vin(1))
    await pool.execute("UPDATE service_orders SET advisor = NULL WHERE order_no = 'R2'")
    assert await pool.fetchval("SELECT staff FROM followup_tasks WHERE id = $1",
                               ids["D"]) == "Wu"
    reply = await satisfaction(SatisfactionStore(pool), *NOVEMBER, None, "staff")
    assert [(r["staff"], r["completed"]) for r in reply["rows"]] == [
        (FORMULA_NAME, 2), ("Qian", 1), ("Wu", 1), (None, 1)]
    await pool.execute("DELETE FROM service_orders WHERE visit_no = 'S1'")
    reply = await satisfaction(SatisfactionStore(pool), *NOVEMBER, "service", "staff")
    assert [(r["staff"], r["completed"]) for r in reply["rows"]] == [(None, 2)]


async def test_by_department_and_month_over_month(pool: asyncpg.Pool) -> None:
    await seed(pool)
    store = SatisfactionStore(pool)
    departments = await satisfaction(store, *NOVEMBER, None, "department")
    assert [(r["department"], r["completed"], r["satisfied"], r["satisfied_rate"])
            for r in departments["rows"]] == [("sales", 3, 2, 0.6667), ("service", 2, 1, 0.5)]

    months = await satisfaction(store, date(2026, 10, 1), date(2026, 12, 31), None, "month")
    rows = months["rows"]
    assert [(r["month"], r["completed"], r["satisfied_rate"], r["satisfied_rate_change"])
            for r in rows] == [("2026-10", 0, None, None), ("2026-11", 5, 0.6, None),
                               ("2026-12", 1, 1.0, 0.4)]
    december = _template(rows[2], "sales")
    assert december["satisfied_rate_change"] == 0.5
    assert [q["mean_change"] for q in december["questions"]] == [
        -1.5, -1.0, -0.5, -1.5, -1.5, 0.5, -1.0, 0.5]
    assert all(q["mean_change"] is None for q in _template(rows[1], "sales")["questions"])


async def _summaries(pool: asyncpg.Pool) -> dict[str, set[tuple[Any, ...]]]:
    return {table: {tuple(tuple(v) if isinstance(v, list) else v for v in row.values())
                    for row in await pool.fetch(f"SELECT * FROM {table} WHERE {sums} <> 0")}
            for table, sums in [("report_answers", "answers"),
                                ("report_satisfaction", "completed"),
                                ("report_staff_days", "completed"),
                                ("report_staff_months", "completed")]}


async def test_the_triggers_summaries_equal_a_rebuild(pool: asyncpg.Pool) -> None:
    await seed(pool)
    await pool.execute("UPDATE vehicles SET salesperson = 'Qian' WHERE vin = $1", vin(1))
    kept = await _summaries(pool)
    assert len(kept["report_answers"]) > 30
    by_staff = [await satisfaction(SatisfactionStore(pool), *days, None, "staff")
                for days in (NOVEMBER, (date(2026, 11, 4), date(2026, 12, 2)))]
    await pool.execute("SELECT reports_rebuild()")
    assert await _summaries(pool) == kept
    assert [await satisfaction(SatisfactionStore(pool), *days, None, "staff")
            for days in (NOVEMBER, (date(2026, 11, 4), date(2026, 12, 2)))] == by_staff
    assert await pool.fetchval("SELECT count(*) FROM report_calls") == 0  # 0014's too


async def test_the_query_is_checked(pool: asyncpg.Pool) -> None:
    store = SatisfactionStore(pool)
    with pytest.raises(ValidationError):
        await satisfaction(store, *NOVEMBER, None, "agent")
    with pytest.raises(ValidationError):
        await satisfaction(store, *NOVEMBER, "win_back", "question")
    with pytest.raises(ValidationError):
        await satisfaction(store, date(2026, 11, 2), date(2026, 11, 1), None, "question")
    empty = await satisfaction(store, *NOVEMBER, None, "question")
    assert empty["total"] == {"completed": 0, "satisfied": 0, "dissatisfied": 0,
                              "satisfied_rate": None, "dissatisfied_rate": None,
                              "score_percent": None, "templates": []}



async def test_http_json_and_xlsx_for_supervisors_403_for_agents(
        db_url: str, fake_ami: FakeAmi) -> None:
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0"}
    async with running_server(db_url, env) as server:
        await seed(server.pool)
        await server.add_agent("li", "1001")
        await server.add_agent("boss", None, role="supervisor")
        boss, li = await login(server.base_url, "boss"), await login(server.base_url, "li")
        try:
            days = "from=2026-11-01&to=2026-11-30"
            for path in (f"/api/reports/satisfaction?{days}",
                         f"/api/reports/satisfaction.xlsx?{days}&by=staff"):
                status, reply = await li.get(path)
                assert (status, reply["error_id"]) == (403, "forbidden"), path

            status, reply = await boss.get(f"/api/reports/satisfaction?{days}&by=staff")
            assert status == 200, reply
            assert reply["total"]["completed"] == 5
            assert reply["rows"][0]["staff"] == FORMULA_NAME
            resp = await boss.http.get(f"/api/reports/satisfaction.xlsx?{days}&by=staff")
            assert resp.status == 200
            assert resp.headers["Content-Disposition"] == \
                'attachment; filename="satisfaction-2026-11-01-2026-11-30.xlsx"'
            book = load_workbook(io.BytesIO(await resp.read()))
            assert book.sheetnames == ["Questions", "Questionnaires", "Breakdown"]
            questions = sheet_values(book["Questions"])
            assert questions[0] == ["Days", "2026-11-01", "2026-11-30"]
            assert questions[2][:8] == ["New-car sales satisfaction follow-up", 1, "q1",
                                        sales_q1_text(), 10, 2, 9.5, 0.95]
            assert questions[2][8:] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]
            summary = sheet_values(book["Questionnaires"])
            assert summary[1] == ["New-car sales satisfaction follow-up", 1, 2, 70.0, 80, 1, 1,
                                  0.5, 0.5, "q1", "q6"]
            staff = sheet_values(book["Breakdown"])
            assert staff[2][:6] == [FORMULA_NAME, "Sales", "New-car sales satisfaction follow-up",
                                    1, 1, 70.0]
            assert book["Breakdown"]["A3"].data_type == "s" and book["Breakdown"]["A3"].quotePrefix
            assert staff[-1][0] == "Unknown"

            await server.pool.execute("UPDATE users SET locale = 'zh-CN' WHERE username = 'boss'")
            resp = await boss.http.get(f"/api/reports/satisfaction.xlsx?{days}&by=month")
            book = load_workbook(io.BytesIO(await resp.read()))
            assert book.sheetnames == ["各题得分", "问卷", "分组"]
            assert sheet_values(book["分组"])[2][:4] == [
                "2026-11", "销售部", "新车销售满意度回访", 1]

            status, bad = await boss.get("/api/reports/satisfaction?by=agent")
            assert (status, bad["error_id"]) == (400, "invalid_input")
        finally:
            await boss.close()
            await li.close()


def sales_q1_text() -> str:
    return "How would you rate your overall experience of buying your car with us? (0 to 10)"
