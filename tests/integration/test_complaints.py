"""Complaints after the first contact against the real PostgreSQL: each step in and out
of order, by the owner, another agent and a supervisor; the check call closing or
reopening; the timeline immutable; the lists and their tabs; escalation once per step;
weekly and monthly statistics of a scripted set."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from callcenter.db.calls import log_on_complaints
from callcenter.db.complaints import ComplaintStore
from callcenter.db.followups import FollowupStore
from callcenter.domain import complaint_statistics as stats
from callcenter.domain.complaints import Action, WorkingClock
from callcenter.domain.ivr import ServiceHours
from callcenter.domain.users import Role, User
from callcenter.errors import Forbidden, NotFound, ValidationError
from callcenter.services import complaints, followups
from callcenter.services.complaints import Filters, Policy

TZ = ZoneInfo("Asia/Shanghai")
POLICY = Policy(TZ)
OPENED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, a Monday


async def _user(pool: asyncpg.Pool, name: str, role: Role, mobile: str | None = None) -> User:
    user_id = await pool.fetchval(
        "INSERT INTO users (username, display_name, role, password_hash, mobile)"
        " VALUES ($1, $2, $3, 'x', $4) RETURNING id", name, name.title(), role.value, mobile)
    return User(user_id, name, name.title(), role, None, "zh-CN")


async def _complaint(pool: asyncpg.Pool, *, severity: str = "normal",
                     name: str = "张伟", phone: str = "+8613800138000",
                     plate: str = "京A12345", opened: datetime = OPENED) -> int:
    customer = await pool.fetchval("INSERT INTO customers (name) VALUES ($1) RETURNING id",
                                   name)
    await pool.execute("INSERT INTO customer_phones (customer_id, e164) VALUES ($1, $2)",
                       customer, phone)
    await pool.execute("INSERT INTO vehicles (customer_id, vin, plate) VALUES ($1, $2, $3)",
                       customer, f"LSV{customer:014d}", plate)
    return await pool.fetchval(
        "INSERT INTO complaints (customer_id, source, severity, description, opened_at)"
        " VALUES ($1, 'hotline', $2, '维修后异响', $3) RETURNING id", customer, severity,
        opened)


@pytest.fixture
async def people(pool: asyncpg.Pool) -> dict[str, User]:
    return {"owner": await _user(pool, "wang", Role.AGENT, "+8613900000001"),
            "other": await _user(pool, "zhao", Role.AGENT),
            "boss": await _user(pool, "chen", Role.SUPERVISOR)}


async def _step(pool: asyncpg.Pool, user: User, complaint_id: int, action: Action,
                at: datetime, **fields: Any) -> dict[str, Any]:
    return await complaints.take_step(ComplaintStore(pool), user, complaint_id, action,
                                      policy=POLICY, now=at, **fields)


async def test_the_steps_in_order_each_signed_on_the_timeline(
        pool: asyncpg.Pool, people: dict[str, User]) -> None:
    owner, boss = people["owner"], people["boss"]
    cid = await _complaint(pool)
    at = OPENED
    await _step(pool, boss, cid, Action.ASSIGN, at + timedelta(minutes=5),
                owner_id=owner.id, department="service")
    await _step(pool, owner, cid, Action.FIRST_CONTACT, at + timedelta(hours=1),
                note="called the customer")
    await _step(pool, owner, cid, Action.REPLY, at + timedelta(hours=5),
                note="the noise is a loose heat shield; free repair offered")
    page = await _step(pool, owner, cid, Action.RESOLVE, at + timedelta(hours=20),
                       resolution="heat shield fixed", compensation="free car wash")
    assert page["status"] == "resolved"
    assert (page["owner_id"], page["department"], page["resolution"]) == (
        owner.id, "service", "heat shield fixed")
    assert [(e["kind"], e["actor_name"]) for e in page["timeline"]] == [
        ("assign", "Chen"), ("first_contact", "Wang"), ("reply", "Wang"), ("resolve", "Wang")]
    clock = {d["step"]: d["state"] for d in page["clock"]["deadlines"]}
    assert clock == {"first_contact": "met", "reply": "met", "check_call": "pending"}
    # The check call: a complaint_check follow-up for the owner, due within 3 days.
    task = await pool.fetchrow("SELECT * FROM followup_tasks WHERE complaint_id = $1", cid)
    assert (task["kind"], task["assigned_to"], task["status"]) == (
        "complaint_check", owner.id, "open")
    assert task["due_date"] == (at + timedelta(hours=20, days=3)).astimezone(TZ).date()


async def test_out_of_order_409_and_outsiders_403(pool: asyncpg.Pool,
                                                  people: dict[str, User]) -> None:
    owner, other, boss = people["owner"], people["other"], people["boss"]
    cid = await _complaint(pool, severity="major")
    with pytest.raises(Forbidden):  # nobody's: a supervisor assigns, or an agent takes it
        await _step(pool, other, cid, Action.FIRST_CONTACT, OPENED)
    await _step(pool, other, cid, Action.ASSIGN, OPENED, owner_id=other.id)  # taken
    with pytest.raises(Forbidden):
        await _step(pool, owner, cid, Action.ASSIGN, OPENED, owner_id=owner.id)
    await _step(pool, boss, cid, Action.ASSIGN, OPENED, owner_id=owner.id)  # reassigned
    for action in (Action.REPLY, Action.RESOLVE):
        with pytest.raises(Exception) as refused:
            await _step(pool, owner, cid, action, OPENED, note="x", resolution="x")
        assert getattr(refused.value, "http_status", None) == 409
    with pytest.raises(Forbidden):
        await _step(pool, other, cid, Action.FIRST_CONTACT, OPENED)
    await _step(pool, owner, cid, Action.FIRST_CONTACT, OPENED + timedelta(hours=1))
    await _step(pool, owner, cid, Action.REPLY, OPENED + timedelta(hours=2), note="replied")
    with pytest.raises(Exception) as refused:  # major: management first
        await _step(pool, owner, cid, Action.RESOLVE, OPENED, resolution="done")
    assert refused.value.details["missing"] == "management_reply"  # type: ignore[attr-defined]
    await _step(pool, boss, cid, Action.MANAGEMENT_REPLY, OPENED + timedelta(hours=30),
                note="the service manager apologised in person")
    page = await _step(pool, owner, cid, Action.RESOLVE, OPENED + timedelta(hours=40),
                       resolution="done")
    assert page["status"] == "resolved"
    # a refused step leaves no trace
    kinds = [e["kind"] for e in page["timeline"]]
    assert kinds == ["assign", "assign", "first_contact", "reply", "management_reply",
                     "resolve"]
    with pytest.raises(ValidationError):
        await _step(pool, owner, cid, Action.REOPEN, OPENED)  # a reopen says why
    with pytest.raises(NotFound):
        await _step(pool, boss, cid, Action.ASSIGN, OPENED, owner_id=999_999)
    with pytest.raises(NotFound):
        await _step(pool, boss, 999_999, Action.NOTE, OPENED, note="x")


async def _resolved_with_check_call(pool: asyncpg.Pool, people: dict[str, User]
                                    ) -> tuple[int, int, int]:
    owner, boss = people["owner"], people["boss"]
    cid = await _complaint(pool)
    await _step(pool, boss, cid, Action.ASSIGN, OPENED, owner_id=owner.id)
    await _step(pool, owner, cid, Action.FIRST_CONTACT, OPENED)
    await _step(pool, owner, cid, Action.REPLY, OPENED, note="replied")
    await _step(pool, owner, cid, Action.RESOLVE, OPENED, resolution="fixed")
    task = await pool.fetchval("SELECT id FROM followup_tasks WHERE complaint_id = $1", cid)
    customer = await pool.fetchval("SELECT customer_id FROM complaints WHERE id = $1", cid)
    call = await pool.fetchval(
        "INSERT INTO calls (linkedid, direction, customer_id, agent_id, started_at,"
        " answered_at, ended_at, disposition, followup_task_id)"
        " VALUES ($1, 'outbound', $2, $3, now(), now(), now(), 'answered', $4) RETURNING id",
        f"check-{cid}", customer, owner.id, task)
    return cid, task, call


async def test_the_check_call_satisfied_closes_the_complaint(
        pool: asyncpg.Pool, people: dict[str, User]) -> None:
    cid, task, call = await _resolved_with_check_call(pool, people)
    await followups.submit_outcome(FollowupStore(pool), people["owner"], task, call,
                                   "answered", {"q1": 9, "q2": 10}, tz=TZ)
    page = await complaints.get_complaint(ComplaintStore(pool), cid, POLICY, OPENED)
    assert page["status"] == "closed" and page["check_call_at"] is not None
    assert page["timeline"][-1]["kind"] == "check_satisfied"
    assert await pool.fetchval("SELECT count(*) FROM complaints") == 1  # none opened


async def test_the_check_call_dissatisfied_reopens_with_the_answers(
        pool: asyncpg.Pool, people: dict[str, User]) -> None:
    cid, task, call = await _resolved_with_check_call(pool, people)
    await followups.submit_outcome(FollowupStore(pool), people["owner"], task, call,
                                   "answered", {"q1": 2, "q2": 5}, tz=TZ)
    page = await complaints.get_complaint(ComplaintStore(pool), cid, POLICY, OPENED)
    assert page["status"] == "replied" and page["resolved_at"] is None
    last = page["timeline"][-1]
    assert last["kind"] == "check_dissatisfied" and last["call_id"] == call
    assert last["details"]["answers"] == {"q1": 2, "q2": 5}
    # the original answers stay on the follow-up, unchanged
    answers = await pool.fetchval("SELECT answers FROM followup_tasks WHERE id = $1", task)
    assert answers == {"q1": 2, "q2": 5}
    assert await pool.fetchval("SELECT count(*) FROM complaints") == 1
    # resolved again: a second check call
    await _step(pool, people["owner"], cid, Action.RESOLVE, OPENED, resolution="replaced")
    assert await pool.fetchval(
        "SELECT count(*) FROM followup_tasks WHERE complaint_id = $1", cid) == 2


async def test_the_timeline_is_immutable(pool: asyncpg.Pool, people: dict[str, User]) -> None:
    cid = await _complaint(pool)
    await _step(pool, people["other"], cid, Action.NOTE, OPENED, note="customer called back")
    with pytest.raises(asyncpg.CheckViolationError):
        await pool.execute("UPDATE complaint_events SET note = 'edited'")
    with pytest.raises(asyncpg.CheckViolationError):
        await pool.execute("DELETE FROM complaint_events")


async def test_lists_tabs_and_search(pool: asyncpg.Pool, people: dict[str, User]) -> None:
    owner, boss = people["owner"], people["boss"]
    late = await _complaint(pool, name="李娜", phone="+8613700000007", plate="粤B88888")
    mine = await _complaint(pool, opened=OPENED + timedelta(hours=3))
    await _step(pool, boss, mine, Action.ASSIGN, OPENED, owner_id=owner.id,
                department="sales")
    store = ComplaintStore(pool)
    now = OPENED + timedelta(hours=4)  # the first is 4 h old: its first contact is late

    async def listed(view: str, **filters: Any) -> list[int]:
        reply = await complaints.list_complaints(store, owner, view, Filters(**filters),
                                                 POLICY, now)
        return [item["id"] for item in reply["items"]]

    assert await listed("open") == [mine, late]
    assert await listed("mine") == [mine]
    assert await listed("overdue") == [late]
    assert await listed("all", department="sales") == [mine]
    assert await listed("all", text="李") == [late]       # a name from its beginning
    assert await listed("all", text="娜") == []           # not from its middle
    assert await listed("all", text="0000007") == [late]  # a phone's last digits
    assert await listed("all", text="b88888") == [late]   # a plate's end
    assert await listed("all", text="88888") == [late]
    assert await listed("all", text="100%") == []         # LIKE's wildcards are text
    reply = await complaints.list_complaints(store, owner, "open", Filters(), POLICY, now)
    assert reply["counts"] == {"open": 2, "mine": 1, "overdue": 1}
    item = reply["items"][1]
    assert item["clock"]["state"] == "overdue" and item["customer_name"] == "李娜"
    with pytest.raises(ValidationError):
        await listed("nonsense")


async def test_each_overdue_step_is_escalated_once(pool: asyncpg.Pool,
                                                   people: dict[str, User]) -> None:
    owner, boss = people["owner"], people["boss"]
    cid = await _complaint(pool, severity="major")
    await _step(pool, boss, cid, Action.ASSIGN, OPENED, owner_id=owner.id)
    store = ComplaintStore(pool)
    sent: list[tuple[int, dict[str, Any]]] = []

    async def sweep(now: datetime) -> int:
        return await complaints.escalate_overdue(
            store, lambda user_id, message: sent.append((user_id, message)), POLICY, now,
            management=["chen"])

    assert await sweep(OPENED + timedelta(hours=1)) == 0
    assert await sweep(OPENED + timedelta(hours=3)) == 1  # first contact late
    assert {u for u, _ in sent} == {owner.id, boss.id}
    assert sent[0][1]["complaint"]["step"] == "first_contact"
    assert await sweep(OPENED + timedelta(hours=4)) == 0  # once
    sent.clear()
    # two days on: reply and management reply are late too
    assert await sweep(OPENED + timedelta(days=2, hours=1)) == 2
    assert sorted(m["complaint"]["step"] for _, m in sent) == [
        "management_reply", "management_reply", "reply", "reply"]
    sms = await pool.fetch("SELECT phone, body FROM sms_outbox ORDER BY id")
    assert [s["phone"] for s in sms] == ["+8613900000001"] * 3
    assert "首次联系" in sms[0]["body"] and "超时" in sms[0]["body"]


async def test_weekly_statistics_of_a_scripted_set(pool: asyncpg.Pool,
                                                   people: dict[str, User]) -> None:
    """Four complaints in the week of Monday 2026-03-02 and one the week before, every
    time set by hand: the counts, on-time rates, durations and check calls exactly."""
    wang, zhao = people["owner"], people["other"]
    h = timedelta(hours=1)

    def local(day: int, hour: int = 9) -> datetime:
        return datetime(2026, 3, day, hour, tzinfo=TZ) if day > 0 else \
            datetime(2026, 2, 28 + day, hour, tzinfo=TZ)

    async def add(opened: datetime, source: str, category: str, severity: str,
                  department: str | None, owner: User | None, *, contact: float | None,
                  reply: float | None, management: float | None = None,
                  resolved: float | None = None, check: tuple[float, str] | None = None,
                  status: str = "open") -> None:
        def at(hours: float | None) -> datetime | None:
            return None if hours is None else opened + hours * h
        customer = await pool.fetchval(
            "INSERT INTO customers (name) VALUES ('客户') RETURNING id")
        cid = await pool.fetchval(
            "INSERT INTO complaints (customer_id, source, category, severity, department,"
            " owner_id, description, status, opened_at, first_contact_at, replied_at,"
            " management_reply_at, resolved_at, check_call_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, 'x', $7, $8, $9, $10, $11, $12, $13)"
            " RETURNING id", customer, source, category, severity, department,
            owner and owner.id, status, opened, at(contact), at(reply), at(management),
            at(resolved), at(check and check[0]))
        if check is not None:
            await pool.execute(
                "INSERT INTO followup_tasks (kind, source_key, customer_id, due_date, status,"
                " result, completed_at, answers, complaint_id)"
                " VALUES ('complaint_check', $1, $2, $3, 'completed', $4, $5, '{}', $6)",
                f"check:{cid}", customer, opened.date(), check[1], at(check[0]), cid)

    await add(local(-5), "hotline", "price", "normal", "sales", zhao, contact=1, reply=2)
    await add(local(2), "hotline", "service_quality", "normal", "service", wang,
              contact=1, reply=5, resolved=20, check=(40, "satisfied"), status="closed")
    await add(local(3), "followup", "price", "normal", "sales", zhao, contact=3, reply=30,
              status="replied")
    await add(local(4), "manufacturer", "parts", "major", "parts", wang, contact=1,
              reply=10, management=50, check=(72, "dissatisfied"), status="replied")
    await add(local(5), "hotline", "attitude", "normal", None, None, contact=None,
              reply=None)

    reply = await complaints.statistics(ComplaintStore(pool), stats.Period.WEEK,
                                        date(2026, 3, 4), POLICY, local(9, 12))
    assert (reply["label"], reply["previous_label"]) == ("2026-W10", "2026-W09")
    week = reply["current"]
    assert week["total"] == 4
    assert week["by"]["source"] == {"hotline": 2, "followup": 1, "manufacturer": 1}
    assert week["by"]["severity"] == {"normal": 3, "major": 1}
    assert week["by"]["department"] == {"none": 1, "parts": 1, "sales": 1, "service": 1}
    assert week["by"]["owner"] == {"Wang": 2, "Zhao": 1, "none": 1}
    assert {step: (v["on_time"], v["judged"], v["rate"])
            for step, v in week["on_time"].items()} == {
        "first_contact": (2, 4, 0.5), "reply": (2, 4, 0.5),
        "management_reply": (0, 1, 0.0), "check_call": (1, 1, 1.0)}
    assert week["hours_to"] == {
        "first_contact": {"count": 3, "average": 1.67, "longest": 3.0},
        "reply": {"count": 3, "average": 15.0, "longest": 30.0},
        "resolution": {"count": 1, "average": 20.0, "longest": 20.0}}
    assert week["check_calls"] == {"completed": 2, "satisfied": 1, "rate": 0.5}
    assert reply["previous"]["total"] == 1
    assert reply["change"]["total"] == 3 and reply["change"]["total_ratio"] == 3.0
    assert reply["change"]["on_time"]["first_contact"] == -0.5

    # PostgreSQL's sums (the calendar clock) are the domain's figures, row by row.
    store = ComplaintStore(pool)
    for figures, label in ((reply["current"], "2026-W10"), (reply["previous"], "2026-W09")):
        span = stats.span_of(stats.Period.WEEK,
                             date.fromisocalendar(2026, int(label[-2:]), 1), TZ)
        rows, checks = await store.opened_between(span.starts, span.ends)
        assert stats.figures(rows, checks, local(9, 12)) == figures
    # The working clock judges in Python: the night before counts no time.
    working = await complaints.statistics(
        store, stats.Period.WEEK, date(2026, 3, 4),
        Policy(TZ, WorkingClock(ServiceHours(), TZ)), local(9, 12))
    assert working["current"]["total"] == 4
    assert working["current"]["on_time"]["first_contact"]["judged"] == 4

    month = await complaints.statistics(ComplaintStore(pool), stats.Period.MONTH,
                                        date(2026, 3, 31), POLICY, local(9, 12))
    assert (month["label"], month["current"]["total"], month["previous"]["total"]) == (
        "2026-03", 4, 1)


async def test_an_answered_call_is_the_first_contact_signed_by_its_agent(
        pool: asyncpg.Pool, people: dict[str, User]) -> None:
    owner = people["owner"]
    cid = await _complaint(pool)
    customer = await pool.fetchval("SELECT customer_id FROM complaints WHERE id = $1", cid)
    answered = OPENED + timedelta(minutes=40)
    call = await pool.fetchval(
        "INSERT INTO calls (linkedid, direction, customer_id, agent_id, started_at,"
        " answered_at, ended_at, disposition) VALUES ('c-1', 'outbound', $1, $2, $3, $3,"
        " $3, 'answered') RETURNING id", customer, owner.id, answered)
    async with pool.acquire() as conn, conn.transaction():
        await log_on_complaints(conn, customer, owner.id, call, "outbound call: answered",
                                answered)
    page = await complaints.get_complaint(ComplaintStore(pool), cid, POLICY, answered)
    assert page["status"] == "contacted"
    # the contact when the customer answered; the call itself is logged when it ends
    assert [(e["kind"], e["actor_name"], e["call_id"]) for e in page["timeline"]] == [
        ("first_contact", "Wang", call), ("call", "Wang", call)]
    assert page["clock"]["deadlines"][0] == {
        "step": "first_contact", "due_at": (OPENED + timedelta(hours=2)).isoformat(),
        "done_at": answered.isoformat(), "state": "met"}
    assert [c["id"] for c in page["calls"]] == [call]
