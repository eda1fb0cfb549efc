"""The management reports on the real PostgreSQL: a scripted November with known answers
(every figure of both reports exact, the queue members' pauses from Asterisk's queue_log
included, a line arriving late among them), the summaries kept by the triggers equal a
rebuild from every row, a change of time zone moves calls across days, the xlsx exports hold
the same figures with a formula-like agent name kept as text, and agents get 403."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from openpyxl import load_workbook

from callcenter.db.queries import load_queries
from callcenter.db.reports import ReportStore
from callcenter.errors import ValidationError
from callcenter.services import reports
from tests.console import login, running_server
from tests.integration.fake_ami import FakeAmi
from tests.xlsx import sheet_values

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
TODAY = date(2026, 11, 25)  # T6 (due 11-18) is overdue then, T7 (due 11-30) is not
FORMULA_NAME = '=HYPERLINK("x")'


def at(day: str, clock: str) -> datetime:
    """A moment of the center's calendar (Shanghai)."""
    return datetime.fromisoformat(f"2026-{day}T{clock}").replace(tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Month:
    li: int
    wang: int  # display name FORMULA_NAME


async def seed_month(pool: asyncpg.Pool) -> Month:
    """November 2026 of two agents; the expected figures are in the tests below."""
    async with pool.acquire() as conn, conn.transaction():
        li = await conn.fetchval(
            "INSERT INTO users (username, display_name, role, password_hash, extension)"
            " VALUES ('li_r', 'Li', 'agent', 'x', '1101') RETURNING id")
        wang = await conn.fetchval(
            "INSERT INTO users (username, display_name, role, password_hash)"
            " VALUES ('wang_r', $1, 'agent', 'x') RETURNING id", FORMULA_NAME)
        customer = await conn.fetchval(
            "INSERT INTO customers (name) VALUES ('张伟') RETURNING id")
        sales = await conn.fetchval(
            "SELECT id FROM questionnaire_templates WHERE kind = 'sales' AND active")
        service = await conn.fetchval(
            "SELECT id FROM questionnaire_templates WHERE kind = 'service' AND active")

        async def task(name: str, kind: str, due: str, status: str, *, assigned: int | None = None,
                       by: int | None = None, done: datetime | None = None, attempts: int = 0,
                       score: int | None = None) -> int:
            completed = status == "completed"
            task_id: int = await conn.fetchval(
                "INSERT INTO followup_tasks (kind, source_key, customer_id, due_date, status,"
                " assigned_to, completed_by, completed_at, attempts, template_id, score,"
                " result) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                " RETURNING id", kind, f"report:{name}", customer,
                date.fromisoformat(f"2026-{due}"), status, assigned, by, done, attempts,
                (sales if kind == "sales" else service) if completed else None, score,
                "satisfied" if completed else None)
            return task_id

        # T1 is written as the console does: open, then completed (the update trigger)
        t1 = await task("T1", "sales", "11-09", "open", assigned=li)
        await conn.execute(
            "UPDATE followup_tasks SET status = 'completed', completed_by = $2,"
            " completed_at = $3, attempts = 2, template_id = $4, score = 72,"
            " result = 'satisfied' WHERE id = $1", t1, li, at("11-09", "15:00"), sales)
        # done at 00:30 the next day in Shanghai (still the due day in UTC): late
        t2 = await task("T2", "sales", "11-10", "completed", by=li, done=at("11-11", "00:30"),
                        attempts=1, score=64)
        t3 = await task("T3", "service", "11-12", "completed", by=wang,
                        done=at("11-12", "10:00"), attempts=3, score=51)
        t4 = await task("T4", "service", "11-16", "unreachable", assigned=wang, attempts=3)
        await task("T5", "sales", "11-17", "sms", assigned=li)
        t6 = await task("T6", "sales", "11-18", "call_again", assigned=li, attempts=1)
        await task("T7", "service", "11-30", "open")
        await task("T8", "sales", "11-20", "cancelled", assigned=li)
        # due in October, completed in November: in the calls report's month only
        t9 = await task("T9", "sales", "10-31", "completed", by=li, done=at("11-02", "11:00"),
                        attempts=1, score=80)
        for task_id, agent, when, result in [
                (t9, li, at("11-02", "10:50"), "answered"),
                (t1, li, at("11-08", "10:00"), "no_answer"),
                (t1, li, at("11-09", "15:00"), "answered"),
                (t2, li, at("11-11", "00:20"), "answered"),
                (t3, wang, at("11-10", "10:00"), "busy"),
                (t3, wang, at("11-11", "10:00"), "no_answer"),
                (t3, wang, at("11-12", "09:00"), "agent_no_answer"),  # not an attempt
                (t3, wang, at("11-12", "10:00"), "no_answer"),  # relabelled below
                (t4, wang, at("11-14", "10:00"), "no_answer"),
                (t4, wang, at("11-15", "10:00"), "busy"),
                (t4, wang, at("11-16", "10:00"), "unreachable"),
                (t6, li, at("11-18", "10:00"), "no_answer")]:
            await conn.execute("INSERT INTO followup_attempts (task_id, agent_id, attempted_at,"
                               " result) VALUES ($1, $2, $3, $4)", task_id, agent, when, result)
        await conn.execute("UPDATE followup_attempts SET result = 'answered'"
                           " WHERE task_id = $1 AND attempted_at = $2", t3, at("11-12", "10:00"))

        async def call(name: str, direction: str, agent: int | None, started: datetime,
                       answered: float | None, ended: float | None, category: str | None,
                       disposition: str | None) -> int:
            call_id: int = await conn.fetchval(
                "INSERT INTO calls (linkedid, direction, agent_id, started_at, answered_at,"
                " ended_at, category, disposition) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                " RETURNING id", name, direction, agent, started,
                None if answered is None else started + timedelta(seconds=answered),
                None if ended is None else started + timedelta(seconds=ended),
                category, disposition)
            return call_id

        # C1 is wrapped up 45 s after it ended (the update trigger)
        c1 = await call("C1", "inbound", li, at("11-09", "09:10"), 30, 150, None, "answered")
        await conn.execute("UPDATE calls SET category = 'inquiry',"
                           " wrapped_up_at = ended_at + interval '45 seconds' WHERE id = $1", c1)
        await call("C2", "inbound", li, at("11-09", "09:40"), 10, 70.6, "complaint", "answered")
        await call("C3", "inbound", None, at("11-10", "23:30"), None, 60, None, "abandoned")
        # Wednesday 00:30 in Shanghai, Tuesday 16:30 in UTC
        await call("C4", "outbound", wang, at("11-11", "00:30"), 20, 320, "followup", "answered")
        # C5 ends after it was written (a call in progress counts nowhere)
        c5 = await call("C5", "outbound", wang, at("11-12", "14:00"), None, None, "followup",
                        None)
        await conn.execute("UPDATE calls SET ended_at = started_at + interval '40 seconds',"
                           " disposition = 'no_answer' WHERE id = $1", c5)
        await call("C6", "outbound", li, at("11-12", "14:05"), 5, None, None, None)  # live
        # 1 December 00:10 in Shanghai: 30 November in UTC
        await call("C7", "inbound", li, at("12-01", "00:10"), 5, 65, "inquiry", "answered")

        # Asterisk's pause lines: Li (extension 1101) 30 min lunch, 10 min break ended by a
        # log-out, 30 min break begun on 30 November; "Zhao", whom no user is, paused
        # 30 min until the file import brings an UNPAUSE 10 min in, then a meeting still
        # going on (it counts once it ends).
        for when, member, event, reason in [
                (at("11-09", "12:00"), "PJSIP/1101", "PAUSE", "lunch"),
                (at("11-09", "12:30"), "PJSIP/1101", "UNPAUSE", ""),
                (at("11-10", "15:00"), "PJSIP/1101", "PAUSE", "break"),
                (at("11-10", "15:10"), "PJSIP/1101", "REMOVEMEMBER", ""),
                (at("11-30", "23:50"), "PJSIP/1101", "PAUSE", "break"),
                (at("12-01", "00:20"), "PJSIP/1101", "UNPAUSE", ""),
                (at("11-11", "10:00"), "Zhao", "PAUSE", ""),
                (at("11-11", "10:30"), "Zhao", "UNPAUSE", ""),
                (at("11-11", "11:00"), "Zhao", "PAUSE", "meeting"),
                (at("11-11", "10:10"), "Zhao", "UNPAUSE", "")]:
            await conn.execute("INSERT INTO queue_log (time, callid, queuename, agent, event,"
                               " data1) VALUES ($1, 'NONE', 'hotline', $2, $3, $4)",
                               when, member, event, reason)
    return Month(li, wang)


def figures(**given: Any) -> dict[str, Any]:
    """A follow-up bucket's figures: zeros and nulls but for ``given``."""
    base: dict[str, Any] = {name: 0 for name in (
        "due", "completed", "in_time", "late", "unreachable", "sms", "pending", "overdue",
        "attempts", "answered")}
    base.update(in_time_rate=None, completion_rate=None, reach_rate=None,
                attempts_per_completed=None)
    return {**base, **given}


WEEKS = [
    {"bucket": "2026-11-02", **figures(attempts=2, answered=1, reach_rate=0.5)},
    {"bucket": "2026-11-09", **figures(due=3, completed=3, in_time=2, late=1, in_time_rate=0.6667,
                                       completion_rate=1.0, attempts=7, answered=3,
                                       reach_rate=0.4286, attempts_per_completed=2.0)},
    {"bucket": "2026-11-16", **figures(due=3, unreachable=1, sms=1, pending=1, overdue=1,
                                       in_time_rate=0.0, completion_rate=0.0, attempts=2,
                                       reach_rate=0.0)},
    {"bucket": "2026-11-30", **figures(due=1, pending=1, in_time_rate=0.0,
                                       completion_rate=0.0)},
]
NOVEMBER_TOTAL = figures(due=7, completed=3, in_time=2, late=1, unreachable=1, sms=1, pending=2,
                         overdue=1, in_time_rate=0.2857, completion_rate=0.4286, attempts=11,
                         answered=4, reach_rate=0.3636, attempts_per_completed=2.0)


async def test_follow_up_completion_by_week_month_kind_and_agent(pool: asyncpg.Pool) -> None:
    month = await seed_month(pool)
    store = ReportStore(pool)
    week = await reports.followup_completion(store, *NOVEMBER, "week", None, None, TODAY)
    assert week["rows"] == WEEKS
    assert week["total"] == NOVEMBER_TOTAL

    by_month = await reports.followup_completion(store, *NOVEMBER, "month", None, None, TODAY)
    assert by_month["rows"] == [{"bucket": "2026-11", **NOVEMBER_TOTAL}]

    kinds = await reports.followup_completion(store, *NOVEMBER, "kind", None, None, TODAY)
    assert kinds["rows"] == [
        {"bucket": "sales", **figures(due=4, completed=2, in_time=1, late=1, sms=1, pending=1,
                                      overdue=1, in_time_rate=0.25, completion_rate=0.5,
                                      attempts=5, answered=3, reach_rate=0.6,
                                      attempts_per_completed=1.5)},
        {"bucket": "service", **figures(due=3, completed=1, in_time=1, unreachable=1, pending=1,
                                        in_time_rate=0.3333, completion_rate=0.3333,
                                        attempts=6, answered=1, reach_rate=0.1667,
                                        attempts_per_completed=3.0)}]

    agents = await reports.followup_completion(store, *NOVEMBER, "agent", None, None, TODAY)
    li = figures(due=4, completed=2, in_time=1, late=1, sms=1, pending=1, overdue=1,
                 in_time_rate=0.25, completion_rate=0.5, attempts=5, answered=3,
                 reach_rate=0.6, attempts_per_completed=1.5)
    wang = figures(due=2, completed=1, in_time=1, unreachable=1, in_time_rate=0.5,
                   completion_rate=0.5, attempts=6, answered=1, reach_rate=0.1667,
                   attempts_per_completed=3.0)
    assert agents["rows"] == [
        {"bucket": month.wang, "agent_name": FORMULA_NAME, **wang},
        {"bucket": month.li, "agent_name": "Li", **li},
        {"bucket": None, "agent_name": None, **figures(due=1, pending=1, in_time_rate=0.0,
                                                       completion_rate=0.0)}]
    assert agents["total"] == NOVEMBER_TOTAL

    # the filters narrow tasks and attempts alike; nobody's tasks are agent 0
    one = await reports.followup_completion(store, *NOVEMBER, "month", "service", month.wang,
                                            TODAY)
    assert one["rows"] == [{"bucket": "2026-11", **wang}]
    nobody = await reports.followup_completion(store, *NOVEMBER, "kind", None, 0, TODAY)
    assert [row["bucket"] for row in nobody["rows"]] == ["service"]


def call_row(value: object, calls: int, answered: int, talk: float,
             wrapped: tuple[int, float] = (0, 0)) -> dict[str, Any]:
    return {"value": value, "calls": calls, "answered": answered,
            "answer_rate": round(answered / calls, 4) if calls else None,
            "talk_seconds": round(talk), "average_talk_seconds":
                round(talk / answered, 1) if answered else None,
            "wrapped_up": wrapped[0], "wrap_up_seconds": round(wrapped[1]),
            "average_wrap_up_seconds": round(wrapped[1] / wrapped[0], 1) if wrapped[0] else None}


C1_WRAP_UP = (1, 45)  # the one call wrapped up, 45 s after its end


def hours(**counts: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [call_row(h, *counts.get(f"h{h}", (0, 0, 0))) for h in range(24)]


async def test_calls_and_agents(pool: asyncpg.Pool) -> None:
    month = await seed_month(pool)
    reply = await reports.calls_and_agents(ReportStore(pool), *NOVEMBER, None)
    total = call_row(None, 5, 3, 480.6, C1_WRAP_UP)
    del total["value"]
    assert reply["total"] == total
    assert reply["by"]["direction"] == [call_row("inbound", 3, 2, 180.6, C1_WRAP_UP),
                                        call_row("outbound", 2, 1, 300)]
    assert reply["by"]["category"] == [call_row("complaint", 1, 1, 60.6),
                                       call_row("followup", 2, 1, 300),
                                       call_row("inquiry", 1, 1, 120, C1_WRAP_UP),
                                       call_row(None, 1, 0, 0)]
    assert reply["by"]["disposition"] == [call_row("abandoned", 1, 0, 0),
                                          call_row("answered", 3, 3, 480.6, C1_WRAP_UP),
                                          call_row("no_answer", 1, 0, 0)]
    assert reply["by"]["hour"] == hours(h0=(1, 1, 300), h9=(2, 2, 180.6, C1_WRAP_UP), h14=(1, 0, 0),
                                        h23=(1, 0, 0))
    assert reply["by"]["weekday"] == [call_row(1, 2, 2, 180.6, C1_WRAP_UP), call_row(2, 1, 0, 0),
                                      call_row(3, 1, 1, 300), call_row(4, 1, 0, 0),
                                      *(call_row(d, 0, 0, 0) for d in (5, 6, 7))]

    def agent(agent_id: int | None, name: str | None, calls: int, answered: int, talk: float,
              done: int, score: float | None, *pauses: tuple[str | None, int, int],
              wrapped: tuple[int, float] = (0, 0)) -> dict[str, Any]:
        row = call_row(None, calls, answered, talk, wrapped)
        del row["value"]
        return {"agent_id": agent_id, "agent_name": name, **row,
                "followups_completed": done, "average_score_percent": score,
                "pause_seconds": sum(seconds for _, _, seconds in pauses),
                "pauses": [{"reason": reason, "pauses": n, "seconds": seconds}
                           for reason, n, seconds in pauses]}

    # li: T1 72 + T2 64 + T9 80 of 3 x 80; wang: T3 51 of 60
    assert reply["agents"] == [
        agent(month.wang, FORMULA_NAME, 2, 1, 300, 1, 85.0),
        agent(month.li, "Li", 2, 2, 180.6, 3, 90.0, ("break", 2, 2400), ("lunch", 1, 1800),
              wrapped=C1_WRAP_UP),
        agent(None, None, 1, 0, 0, 0, None),
        agent(None, "Zhao", 0, 0, 0, 0, None, (None, 1, 600))]

    outbound = await reports.calls_and_agents(ReportStore(pool), *NOVEMBER, "outbound")
    assert outbound["by"]["direction"] == [call_row("outbound", 2, 1, 300)]
    # the follow-ups an agent completed count whatever the calls' direction
    assert [(a["agent_id"], a["calls"], a["followups_completed"]) for a in outbound["agents"]] \
        == [(month.wang, 2, 1), (month.li, 0, 3), (None, 0, 0)]


async def _summaries(pool: asyncpg.Pool) -> dict[str, set[tuple[Any, ...]]]:
    """Every summary's rows that count something (a row whose contributions all left
    stays, at zero)."""
    out = {}
    for table, sums in [("report_followups", "due"), ("report_completions", "completed"),
                        ("report_attempts", "attempts"), ("report_calls", "calls"),
                        ("report_pauses", "pauses")]:
        rows = await pool.fetch(f"SELECT * FROM {table} WHERE {sums} <> 0")
        out[table] = {tuple(row.values()) for row in rows}
    return out


async def test_the_triggers_summaries_equal_a_rebuild_and_follow_the_zone(
        pool: asyncpg.Pool) -> None:
    await seed_month(pool)
    kept = await _summaries(pool)
    await pool.execute("SELECT reports_rebuild()")
    assert await _summaries(pool) == kept
    store = ReportStore(pool)
    assert await store.set_zone("Asia/Shanghai") is False  # unchanged: nothing rebuilt

    assert await store.set_zone("UTC") is True
    utc = await reports.calls_and_agents(store, *NOVEMBER, None)
    assert utc["total"]["calls"] == 6  # C7 started on 30 November in UTC
    assert [row["value"] for row in utc["by"]["hour"] if row["calls"]] == [1, 6, 15, 16]
    late = await reports.followup_completion(store, *NOVEMBER, "kind", "sales", None, TODAY)
    assert late["total"]["in_time"] == 2  # T2 was done on its due day in UTC
    with pytest.raises(asyncpg.PostgresError):
        await store.set_zone("Mars/Olympus")
    assert await pool.fetchval("SELECT tz FROM report_zone") == "UTC"


async def test_asterisks_insert_only_role_sums_its_pauses(
        pool: asyncpg.Pool, as_asterisk: asyncpg.Connection) -> None:
    """The pause summary's trigger runs as its owner: Asterisk's role may insert lines
    and nothing else, yet its PAUSE and UNPAUSE become a pause."""
    for clock, event, reason in [("02:00:00.5", "PAUSE", "training"),
                                 ("02:45:00.5", "UNPAUSE", "")]:
        await as_asterisk.execute(
            "INSERT INTO queue_log (time, callid, queuename, agent, event, data1)"
            f" VALUES ('2026-11-20 {clock}', 'NONE', 'hotline', 'PJSIP/1777', $1, $2)",
            event, reason)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await as_asterisk.execute("SELECT * FROM report_pauses")
    reply = await reports.calls_and_agents(ReportStore(pool), *NOVEMBER, None)
    assert [(a["agent_name"], a["pauses"]) for a in reply["agents"]] == [
        ("PJSIP/1777", [{"reason": "training", "pauses": 1, "seconds": 2700}])]


async def test_ranges_are_checked(pool: asyncpg.Pool) -> None:
    store = ReportStore(pool)
    with pytest.raises(ValidationError):
        await reports.calls_and_agents(store, date(2026, 11, 2), date(2026, 11, 1), None)
    with pytest.raises(ValidationError):
        await reports.followup_completion(store, date(2025, 1, 1), date(2026, 1, 2), "week",
                                          None, None, TODAY)
    year = await reports.followup_completion(store, date(2025, 1, 1), date(2025, 12, 31),
                                             "month", None, None, TODAY)
    assert year["rows"] == [] and year["total"] == figures()



async def test_http_json_and_xlsx_for_supervisors_403_for_agents(
        db_url: str, fake_ami: FakeAmi) -> None:
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0"}
    async with running_server(db_url, env) as server:
        month = await seed_month(server.pool)
        await server.add_agent("li", "1001")
        await server.add_agent("boss", None, role="supervisor")
        boss, li = await login(server.base_url, "boss"), await login(server.base_url, "li")
        try:
            days = "from=2026-11-01&to=2026-11-30"
            for path in (f"/api/reports/followups?{days}", f"/api/reports/followups.xlsx?{days}",
                         f"/api/reports/calls?{days}", f"/api/reports/calls.xlsx?{days}",
                         "/api/reports/agents"):
                status, reply = await li.get(path)
                assert (status, reply["error_id"]) == (403, "forbidden"), path

            status, reply = await boss.get(f"/api/reports/followups?{days}&by=agent")
            assert status == 200, reply
            assert reply["total"]["due"] == 7  # today is past November: T7 is overdue too
            assert datetime.now(UTC).date() > NOVEMBER[1]
            assert reply["total"]["overdue"] == 2
            resp = await boss.http.get(f"/api/reports/followups.xlsx?{days}&by=agent")
            assert resp.status == 200
            assert resp.headers["Content-Disposition"] == \
                'attachment; filename="followups-2026-11-01-2026-11-30.xlsx"'
            sheet = load_workbook(io.BytesIO(await resp.read())).active
            table = sheet_values(sheet)
            assert table[0] == ["Days", "2026-11-01", "2026-11-30"]
            assert table[1][:4] == ["Agent", "Due", "Completed", "Done in time"]
            assert table[2][:4] == [FORMULA_NAME, 2, 1, 1]
            assert table[2][-1] == 3.0  # attempts per completed
            assert sheet["A3"].data_type == "s" and sheet["A3"].quotePrefix
            assert table[-1][0] == "Total"
            assert table[-1][1:] == [reply["total"][name] for name in reports.FOLLOWUP_COLUMNS]

            status, calls = await boss.get(f"/api/reports/calls?{days}&direction=inbound")
            assert status == 200, calls
            assert calls["total"]["calls"] == 3
            await server.pool.execute("UPDATE users SET locale = 'zh-CN'"
                                      " WHERE username = 'boss'")
            resp = await boss.http.get(f"/api/reports/calls.xlsx?{days}")
            book = load_workbook(io.BytesIO(await resp.read()))
            assert book.sheetnames == ["通话", "坐席", "示忙", "热线队列"]
            rows = sheet_values(book["通话"])
            assert rows[2] == ["合计", None, 5, 3, 0.6, 481, 160.2, 1, 45, 45.0]
            assert ["方向", "inbound", 3, 2, 0.6667, 181, 90.3, 1, 45, 45.0] in rows
            agents = sheet_values(book["坐席"])
            assert agents[1] == [FORMULA_NAME, 2, 1, 0.5, 300, 300.0, 0, 0, None, 1, 85.0, 0]
            assert agents[2][-1] == 4200  # Li's pauses
            assert sheet_values(book["示忙"])[1:] == [
                ["Li", "break", 2, 2400], ["Li", "lunch", 1, 1800], ["Zhao", "无", 1, 600]]
            assert book["坐席"]["A2"].data_type == "s"
            assert agents[3][0] == "未分配"

            status, names = await boss.get("/api/reports/agents")
            assert status == 200
            assert {"id": month.wang, "name": FORMULA_NAME} in names["agents"]
            status, bad = await boss.get("/api/reports/calls?from=2026-11-02&to=2026-11-01")
            assert (status, bad["error_id"]) == (400, "invalid_input")
            status, bad = await boss.get("/api/reports/followups?by=year")
            assert status == 400
        finally:
            await boss.close()
            await li.close()


async def test_the_first_wrap_up_ends_the_wrap_up_time(pool: asyncpg.Pool) -> None:
    """The console's wrap-up statement stamps the call once: a second wrap-up (a changed
    category) keeps the first moment, and the report follows the change of category."""
    wrap_up = load_queries("wrapup")["wrap_up"]
    call = await pool.fetchval(
        "INSERT INTO calls (linkedid, direction, started_at, answered_at, ended_at)"
        " VALUES ('W1', 'inbound', now() - interval '5 minutes', now() - interval '4 minutes',"
        " now() - interval '1 minute') RETURNING id")
    await pool.execute(wrap_up, call, "inquiry", "notes", None, None, None)
    first = await pool.fetchval("SELECT wrapped_up_at FROM calls WHERE id = $1", call)
    await pool.execute(wrap_up, call, "complaint", "notes", None, None, None)
    assert await pool.fetchval("SELECT wrapped_up_at FROM calls WHERE id = $1", call) == first
    today = first.astimezone(SHANGHAI).date()  # the call began on it, or just before
    reply = await reports.calls_and_agents(ReportStore(pool), today - timedelta(days=1),
                                           today, None)
    assert [(r["value"], r["wrapped_up"]) for r in reply["by"]["category"]] == [("complaint", 1)]
    assert 59 <= reply["total"]["wrap_up_seconds"] <= 61
