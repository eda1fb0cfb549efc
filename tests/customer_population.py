"""A population of customers as a Chinese dealership has them, made by PostgreSQL itself
(INSERT ... SELECT FROM generate_series): realistic names (surnames by frequency, one or
two given characters), a mobile each, a landline for 40 %, one vehicle each and a
second for 20 %, plates like 粤B·12345 (most from Guangdong, some written without the
dot), unique VINs. Customer ``g``'s values are a pure function of ``g``, so the
benchmark and the million-customer test can pick queries whose answers they know.

    await populate(conn, 1_000_000)   # customers 1..n, customer g with id g
"""

from __future__ import annotations

import asyncpg

# Surnames weighted by how common they are (王 and 李 each about 7 % of people).
SURNAMES = ("王" * 7 + "李" * 7 + "张" * 6 + "刘" * 5 + "陈" * 4 + "杨" * 3 + "黄" * 2 + "赵" * 2
            + "吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
            + "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯鹏辉建国文志"
# Guangdong first: the dealership's own province.
PROVINCES = "粤" * 12 + "京沪湘桂闽赣鄂川浙苏"
# Landline area codes (the national prefix 0 left out, as E.164 writes them).
AREAS = ("755", "755", "755", "20", "769", "757", "10", "21", "571", "28")
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"

# $1 the first and $2 the last customer (g), who gets id g: the tables start empty.
_CUSTOMERS = """
INSERT INTO customers (id, name, value_level, do_not_disturb)
SELECT g, substr($3, 1 + h % length($3), 1)
          || substr($4, 1 + (h >> 8) % length($4), 1)
          || CASE WHEN (h >> 16) % 3 > 0 THEN substr($4, 1 + (h >> 20) % length($4), 1)
                  ELSE '' END,
       (ARRAY['normal', 'normal', 'normal', 'normal', 'key', 'vip'])[1 + (h >> 4) % 6],
       g % 50 = 0
FROM generate_series($1::int, $2::int) AS g, LATERAL (SELECT hashint4(g) & 2147483647 AS h) AS x
"""
_PHONES = """
INSERT INTO customer_phones (customer_id, e164, label, position)
SELECT g, '+861' || (3 + g % 7)
          || lpad(((hashint4(g + 7) & 2147483647) % 1000000000)::text, 9, '0'),
       'mobile', 0
FROM generate_series($1::int, $2::int) AS g
UNION ALL
SELECT g, '+86' || ($3::text[])[1 + g % array_length($3::text[], 1)]
       || (2 + g % 8) || lpad(((hashint4(g + 11) & 2147483647) % 10000000)::text, 7, '0'),
       'home', 1
FROM generate_series($1::int, $2::int) AS g WHERE g % 5 < 2
"""
_VEHICLES = """
INSERT INTO vehicles (customer_id, vin, plate, model)
SELECT g, pg_temp.vin_of(v), pg_temp.plate_of(v),
       (ARRAY['Model Y', 'Model 3', '凯美瑞', '雅阁', '思域', '卡罗拉', '朗逸', '轩逸', '宝来',
              'CR-V'])[1 + v % 10]
FROM (SELECT g, g AS v FROM generate_series($1::int, $2::int) AS g
      UNION ALL
      SELECT g, 50000000 + g FROM generate_series($1::int, $2::int) AS g WHERE g % 5 = 0) AS cars
"""

_FUNCTIONS = """
CREATE OR REPLACE FUNCTION pg_temp.vin_of(v int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT 'L' || upper(substr(md5(v::text), 1, 9))
           || substr('{vin}', 1 + (v / 1000000) % 33, 1)
           || lpad((v % 1000000)::text, 6, '0')
$$;
CREATE OR REPLACE FUNCTION pg_temp.plate_of(v int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT substr('{provinces}', 1 + (hashint4(v + 3) & 2147483647) % {n_provinces}, 1)
           || chr(65 + ((hashint4(v + 3) & 2147483647) >> 5) % 8)
           || CASE WHEN hashint4(v + 3) % 4 = 0 THEN '' ELSE '·' END
           || lpad((((hashint4(v + 3) & 2147483647) >> 9) % 100000)::text, 5, '0')
$$;
"""


TABLES = ("customers", "customer_phones", "vehicles")


async def populate(conn: asyncpg.Connection, count: int, *, batch: int = 250_000) -> None:
    """Customers 1..``count`` into empty tables (customer g has id g), in batches of
    ``batch`` (each its own statements), without triggers or foreign-key checks (the rows
    are consistent by construction).
    The three tables' indexes that no constraint needs are dropped for the load and built
    again after it from their own definitions (pg_indexes), as the migrations made them:
    building an index once is many times faster than keeping it up to date row by row."""
    await conn.execute(_FUNCTIONS.format(vin=VIN_CHARS, provinces=PROVINCES,
                                         n_provinces=len(PROVINCES)))
    indexes = await conn.fetch(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i"
        " WHERE i.schemaname = 'public' AND i.tablename = ANY($1::text[])"
        "   AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conname = i.indexname)",
        list(TABLES))
    for index in indexes:
        await conn.execute(f'DROP INDEX "{index["indexname"]}"')
    await conn.execute("SET session_replication_role = replica")
    # GIN builds in memory and merges what did not fit: the 4-digit runs of 1.4 million
    # numbers build in a third of the time with room for them.
    await conn.execute("SET maintenance_work_mem = '256MB'")
    try:
        for start in range(1, count + 1, batch):
            end = min(count, start + batch - 1)
            await conn.execute(_CUSTOMERS, start, end, SURNAMES, GIVEN)
            await conn.execute(_PHONES, start, end, list(AREAS))
            await conn.execute(_VEHICLES, start, end)
    finally:
        await conn.execute("RESET session_replication_role")
        for index in indexes:
            await conn.execute(index["indexdef"])
        await conn.execute("RESET maintenance_work_mem")
    for table in TABLES:
        await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                           f" (SELECT max(id) FROM {table}))")
        await conn.execute(f"ANALYZE {table}")
