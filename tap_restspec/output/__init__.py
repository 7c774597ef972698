"""Singer output: record schemas, conformance, RECORD and SCHEMA messages, and stdout.

`schema.py` makes a stream's record schema and widens it, `columns.py` says what
target-postgres makes of it, `conform.py` checks records against a schema, `emit.py`
writes RECORD and SCHEMA messages, `writer.py` puts the lines on stdout.
"""
