"""What every vendor is made of, and the router over them; no module here imports a vendor.

``vendor``: the ``Vendor`` base class and its ``Option``\\ s; ``endpoint``: an ``Endpoint`` and
the list flow; ``paging``: the paging styles, window parameters and filters; ``checks``:
parameter checks and time windows; ``credentials``: the credential schemes; ``errors``: the
generic ``ErrorShapes``; ``router``: the ``Router``.
"""
