"""When satisfaction follow-ups fall due, which ones an import should create, and how a
supervisor's selection is shared out among agents.

DESIGN.md section 2: a sales follow-up within 7 days of the sale/delivery, a service
follow-up within 3 days of the settlement; one follow-up per visit, however many orders
the visit produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

SALES_FOLLOWUP_DAYS = 7
SERVICE_FOLLOWUP_DAYS = 3
# An import creates a follow-up only if its due date is at most this many days past:
# calling about a car delivered years ago (a center importing its whole history) would
# be noise, while a follow-up a few weeks late is still worth making.
CREATION_LOOKBACK_DAYS = 30


def sales_followup_due(sale_date: date | None, delivery_date: date | None) -> date | None:
    """7 days after delivery, or after the sale when the delivery date is unknown.

    None when neither date is known: there is nothing to count from.
    """
    start = delivery_date or sale_date
    return None if start is None else start + timedelta(days=SALES_FOLLOWUP_DAYS)


def service_followup_due(settled_at: datetime, tz: ZoneInfo) -> date:
    """3 days after the settlement, counted in the dealership's local calendar.

    A visit settled at 23:30 local time is due three local days later, even though the
    stored timestamp is already the next day in UTC.
    """
    return settled_at.astimezone(tz).date() + timedelta(days=SERVICE_FOLLOWUP_DAYS)


def sales_source_key(vin: str) -> str:
    return f"sales:{vin}"


def service_source_key(visit_no: str) -> str:
    return f"service:{visit_no}"


def should_create(due: date, today: date, lookback_days: int = CREATION_LOOKBACK_DAYS) -> bool:
    """Whether an import creates a follow-up due on ``due``: not if it fell due more than
    ``lookback_days`` ago. Future due dates are created (they appear on the list then)."""
    return due >= today - timedelta(days=lookback_days)


@dataclass(frozen=True, slots=True)
class NewFollowup:
    kind: str  # 'sales' or 'service'
    source_key: str
    customer_id: int
    vehicle_id: int | None
    visit_no: str | None
    due_date: date


def sales_followup(customer_id: int, vehicle_id: int, vin: str, sale_date: date | None,
                   delivery_date: date | None, today: date) -> NewFollowup | None:
    """The sales follow-up an import creates for a vehicle, if any."""
    due = sales_followup_due(sale_date, delivery_date)
    if due is None or not should_create(due, today):
        return None
    return NewFollowup("sales", sales_source_key(vin), customer_id, vehicle_id, None, due)


def service_followup(customer_id: int, vehicle_id: int, visit_no: str,
                     latest_settlement: datetime, tz: ZoneInfo,
                     today: date) -> NewFollowup | None:
    """The one service follow-up of a visit, counted from its latest settled order."""
    due = service_followup_due(latest_settlement, tz)
    if not should_create(due, today):
        return None
    return NewFollowup("service", service_source_key(visit_no), customer_id, vehicle_id,
                       visit_no, due)


def round_robin(task_ids: list[int], agent_ids: list[int]) -> list[tuple[int, int]]:
    """Each task (in the order given, repeats left out) to the next agent in turn: the
    first task to the first agent, and so on, starting over after the last."""
    if not agent_ids:
        raise ValueError("round_robin needs at least one agent")
    unique = list(dict.fromkeys(task_ids))
    return [(task, agent_ids[n % len(agent_ids)]) for n, task in enumerate(unique)]
