"""A transport that a hostile server cannot lead astray, and that knows nothing of specs or settings.

`origin.py` reads where a URL goes, `session.py` sends to one origin only (with the
whole-request deadline of `deadline.py` and bounded bodies), `retry.py` is the one retry
policy, `pacing.py` per-origin pacing and request slots, and `client.py`'s `Client.send`
the one way every request goes out.
"""
