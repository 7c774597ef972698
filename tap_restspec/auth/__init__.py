"""Authentication from a connection spec's `authSpec`: one module per entry type, and the choice of
the entry a stream uses (headers with placeholders need none of this).

`base.py` is what every type shares (`AuthType`, where each value comes from), `basic.py`,
`keybased.py`, `apikey.py` (Adobe's beta type), `oauth2.py` and `clientcredentials.py` (with
`tokens.py`, their token flow) are the types, `placing.py` puts keys in headers, the query or the
body, `registry.py` lists the types, and `entries.py` parses a spec's entries and chooses one.
"""
