"""Pagination: one class per `paginationParams.type` and per place a value goes, and the paginator.

`types.py` holds the types (each parses its own config and computes its next value),
`placement.py` where a value goes in a request, `paginator.py` what every type shares
(end condition, `maximumRequest`, loop guards). Knows nothing of HTTP sessions or auth.
"""
