"""One pass: a stream's pages for one partition and one window slice, and the records in them.

`window.py` makes the run's time window and its slices (pure), `request.py` renders a
pass's first request, `passes.py` asks for page after page and parses each body once,
`records.py` takes the records out of a body (contentPath, keep/skip, explode).
"""
