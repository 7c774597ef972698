"""The demo's records, apart from any API: the ``Store`` (datasets, seed, ticks, deletes, the
state file), the ``Dataset`` declaration, the three timestamp styles (``times``) and the
shared word lists (``words``).
"""
