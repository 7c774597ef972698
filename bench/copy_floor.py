"""The COPY floor: Singer RECORD lines into PostgreSQL with one psycopg `COPY ... FROM STDIN`.

    python bench/copy_floor.py --table floor.items < tap-output.jsonl    # PG* from the environment

Runs with the bench's target-postgres virtualenv (it has psycopg 3). The table must exist
(the bench makes it `LIKE` target-postgres's own, primary key included); the columns are
the SCHEMA message's top-level properties, typed as the table types them, objects and
lists as JSON. One transaction; no validation, no metadata columns: the least a loader
must do, to measure target-postgres against.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import orjson
import psycopg
from psycopg.types.json import Jsonb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--table", required=True, help="schema.table, already created")
    args = parser.parse_args()
    schema_name, table = args.table.split(".", 1)
    loads = orjson.loads
    lines = sys.stdin.buffer
    columns: list[str] = []
    for line in lines:
        message = loads(line)
        if message["type"] == "SCHEMA":
            columns = list(message["schema"]["properties"])
            break
    with psycopg.connect() as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            (f'"{schema_name}"."{table}"',),
        )
        types = dict(cursor.fetchall())
        kinds = [types[name] for name in columns]
        arrays = [i for i, kind in enumerate(kinds) if kind == "jsonb[]"]
        objects = [i for i, kind in enumerate(kinds) if kind in ("jsonb", "json")]
        names = ", ".join(f'"{name}"' for name in columns)
        count = 0
        with cursor.copy(f'COPY "{schema_name}"."{table}" ({names}) FROM STDIN') as copy:
            copy.set_types(kinds)
            write = copy.write_row
            for line in lines:
                message = loads(line)
                if message["type"] != "RECORD":
                    continue
                record = message["record"]
                row: list[Any] = [record.get(name) for name in columns]
                for i in objects:
                    if row[i] is not None:
                        row[i] = Jsonb(row[i])
                for i in arrays:
                    if row[i] is not None:
                        row[i] = [Jsonb(item) for item in row[i]]
                write(row)
                count += 1
    print(f"copy_floor: {count} rows into {args.table}", file=sys.stderr)


if __name__ == "__main__":
    main()
