"""Imports repository: staging tables filled by COPY, merged by set-based statements.

Every function runs on the caller's connection, inside the caller's transaction: the
whole file is written, or nothing is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from callcenter.db.connection import Connection
from callcenter.db.queries import load_queries
from callcenter.domain.followups import NewFollowup
from callcenter.domain.imports import CustomerRecord, OrderRecord, VehicleOwner, VehicleRecord

Q = load_queries("imports")


@dataclass(frozen=True, slots=True)
class Merged:
    created: int
    updated: int


@dataclass(frozen=True, slots=True)
class StoredVehicle:
    id: int
    customer_id: int
    vin: str
    sale_date: date | None
    delivery_date: date | None


@dataclass(frozen=True, slots=True)
class VisitSettlement:
    visit_no: str
    customer_id: int
    vehicle_id: int
    settled_at: datetime


async def lock_imports(conn: Connection) -> None:
    await conn.execute(Q["lock_imports"])


async def _merged(conn: Connection, query: str) -> Merged:
    # The statement ends in an aggregate: exactly one row.
    (row,) = await conn.fetch(Q[query])
    return Merged(row["created"], row["updated"])


async def write_customers(conn: Connection, customers: Iterable[CustomerRecord],
                          vehicles: Sequence[VehicleRecord]) -> tuple[Merged, int, Merged]:
    """Merge customers, their phones and vehicles: (customers, phones added, vehicles)."""
    customers = list(customers)
    await conn.execute(Q["create_customer_staging"])
    await conn.copy_records_to_table(
        "import_customers",
        columns=("external_ref", "name", "gender", "birthday", "value_level", "temperament",
                 "do_not_disturb", "address"),
        records=[(c.customer_no, c.name, c.gender, c.birthday, c.value_level, c.temperament,
                  c.do_not_disturb, c.address) for c in customers])
    await conn.copy_records_to_table(
        "import_phones", columns=("external_ref", "e164", "position"),
        records=[(c.customer_no, phone, position)
                 for c in customers for position, phone in enumerate(c.phones)])
    await conn.copy_records_to_table(
        "import_vehicles",
        columns=("external_ref", "vin", "plate", "model", "sale_date", "delivery_date",
                 "mileage_km", "salesperson"),
        records=[(v.customer_no, v.vin, v.plate, v.model, v.sale_date, v.delivery_date,
                  v.mileage_km, v.salesperson) for v in vehicles])
    await conn.execute(Q["analyze_customer_staging"])
    merged_customers = await _merged(conn, "merge_customers")
    phones_added = await conn.fetchval(Q["merge_phones"])
    merged_vehicles = await _merged(conn, "merge_vehicles")
    return merged_customers, phones_added, merged_vehicles


async def staged_vehicles(conn: Connection) -> list[StoredVehicle]:
    """The file's vehicles as now stored (call after write_customers)."""
    return [StoredVehicle(r["id"], r["customer_id"], r["vin"], r["sale_date"],
                          r["delivery_date"])
            for r in await conn.fetch(Q["vehicle_sale_dates"])]


async def find_customers(conn: Connection, numbers: Sequence[str]) -> dict[str, int]:
    rows = await conn.fetch(Q["find_customers"], list(numbers))
    return {r["external_ref"]: r["id"] for r in rows}


async def find_vehicles(conn: Connection,
                        vins: Sequence[str]) -> dict[str, VehicleOwner]:
    rows = await conn.fetch(Q["find_vehicles"], list(vins))
    return {r["vin"]: VehicleOwner(r["id"], r["customer_id"], r["external_ref"]) for r in rows}


async def write_orders(conn: Connection, orders: Iterable[OrderRecord],
                       customers: dict[str, int],
                       vehicles: dict[str, VehicleOwner]) -> Merged:
    """Merge service orders whose customer and vehicle ids were resolved beforehand."""
    await conn.execute(Q["create_order_staging"])
    await conn.copy_records_to_table(
        "import_orders",
        columns=("order_no", "visit_no", "customer_id", "vehicle_id", "kind", "opened_at",
                 "settled_at", "advisor", "mileage_km", "amount"),
        records=[(o.order_no, o.visit_no, customers[o.customer_no],
                  vehicles[o.vin].vehicle_id, o.kind, o.opened_at, o.settled_at, o.advisor,
                  o.mileage_km, o.amount) for o in orders])
    await conn.execute(Q["analyze_order_staging"])
    return await _merged(conn, "merge_orders")


async def visit_settlements(conn: Connection) -> list[VisitSettlement]:
    """The latest settlement of each visit in the file (call after write_orders)."""
    return [VisitSettlement(r["visit_no"], r["customer_id"], r["vehicle_id"], r["settled_at"])
            for r in await conn.fetch(Q["latest_settlements"])]


async def write_followups(conn: Connection, tasks: Sequence[NewFollowup]) -> Merged:
    await conn.execute(Q["create_followup_staging"])
    await conn.copy_records_to_table(
        "import_followups",
        columns=("kind", "source_key", "customer_id", "vehicle_id", "visit_no", "due_date"),
        records=[(t.kind, t.source_key, t.customer_id, t.vehicle_id, t.visit_no, t.due_date)
                 for t in tasks])
    return await _merged(conn, "merge_followups")
