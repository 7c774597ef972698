"""Singer output: record schemas, conformance, RECORD and SCHEMA messages, and stdout.

`schema.py` makes a stream's record schema, `inference.py` infers and widens types,
`signature.py` keeps them in the state between runs, `columns.py` says what
target-postgres makes of them, `conform.py` checks records against a schema, `emit.py`
writes RECORD and SCHEMA messages, `writer.py` puts the lines on stdout.
"""
