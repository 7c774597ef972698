"""Authentication from a connection spec's `authSpec`: one module per entry type, and the choice of
the entry a stream uses (headers with placeholders need none of this).

`base.py` is what every type shares (`AuthType`, where each value comes from), `basic.py`,
`keybased.py` and `oauth2.py` (with `tokens.py`, its token flow) are the types,
`registry.py` lists them, and `entries.py` parses a spec's entries and chooses one.
"""
