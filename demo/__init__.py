"""The bundled demo API: a local HTTP server that answers as Mailchimp, Zendesk, Segment,
HubSpot and Help Scout do, for the specs in ``specs/``, ``scripts/demo``, the tests and bench.

Read it top down; each layer imports only the ones below it:

* ``__main__``, ``cli``: ``python -m demo --port 8765`` (``--help`` lists the options);
* ``api``: ``DemoAPI``, the one object (server, store, vendors, admin endpoints);
* ``admin``: the ``/_demo/`` endpoints (health, params, config, requests, tick, reset, data,
  settings, fail, delete) that scripts and tests use;
* ``registry``: ``VENDORS``, the list of vendors, and how to add one;
* ``vendors/``: one module (or package) per API: its datasets, records, routes, error shapes
  and quirks;
* ``rest/``: what every vendor is made of (``Vendor``, ``Endpoint``, paging styles, parameter
  and credential checks, error shapes, an OAuth token endpoint) and the ``Router``;
* ``data/``: the ``Store`` (seed, ticks, deletes, state file), timestamps, word lists;
* ``core/``: the HTTP server and its messages, shared with the tests' servers.
"""
