"""Spec documents into the typed model, every problem found at once, before any request.

`document.py` reads a spec file (its three forms) into a `model.spec.StreamSpec`,
`request.py` its request templates, `inputs.py` its declared inputs, `schema.py` its custom
record schema; `keys.py` checks every key against the contract's. Pagination types and
auth types parse their own parts (`paging/`, `auth/`).
"""
