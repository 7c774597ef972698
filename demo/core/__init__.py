"""The HTTP core shared by the demo API and the tests' servers; it knows no API.

``messages``: ``Request`` and ``Reply`` (what a handler sees and answers), ``ApiError``;
``server``: ``HttpServer`` with its ``RequestLog`` and ``FaultQueue`` of ``Fault``\\ s.
The names a test server needs are importable from here.
"""

from demo.core.messages import ApiError, Headers, Reply, Request, json_reply
from demo.core.server import Fault, FaultQueue, HttpServer, RequestLog

__all__ = [
    "ApiError",
    "Fault",
    "FaultQueue",
    "Headers",
    "HttpServer",
    "Reply",
    "Request",
    "RequestLog",
    "json_reply",
]
