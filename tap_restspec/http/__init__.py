"""A transport that a hostile server cannot lead astray, and that knows nothing of specs or settings.

One origin per session, a whole-request deadline, bounded bodies, one retry policy,
per-origin pacing and request slots, and `Client.send`, the one way every request goes out.
"""
