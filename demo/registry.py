"""The vendors the demo serves, in ``VENDORS``. To add one (an API the demo answers as):

1. Write ``demo/vendors/<name>.py``: a ``Vendor`` with datasets, options, make, touch, endpoints().
2. Import its class below and append it to ``VENDORS`` (last: the others keep their seeded data).
3. Test it in ``tests/demo/test_<name>.py``; ``tests/demo/test_vendor_registry.py`` has a tiny one.

``demo.rest.vendor.Vendor`` says what each part is; ``zendesk.py`` is the smallest whole vendor.
A list, not a decorator: the order is behaviour (the routing order, and the order the shared
seed is drawn in) and a list says it in one place; a vendor is registered by being listed
here, not as a side effect of being imported.
"""

from __future__ import annotations

from demo.rest.vendor import Vendor
from demo.vendors.github import GitHub
from demo.vendors.helpscout import HelpScout
from demo.vendors.hubspot import HubSpot
from demo.vendors.mailchimp import Mailchimp
from demo.vendors.segment import Segment
from demo.vendors.stripe import Stripe
from demo.vendors.zendesk import Zendesk

VENDORS: tuple[type[Vendor], ...] = (
    Mailchimp,
    Zendesk,
    Segment,
    HubSpot,
    HelpScout,
    GitHub,
    Stripe,
)

# The tables the tests read, built from the vendors' declarations.
_SIZED = [d for v in VENDORS for d in v.datasets if d.size]
_BUILT = [d for v in VENDORS for d in v.datasets if not d.size]
#: The datasets a tick changes, generated first and in this order.
TICKED: tuple[str, ...] = tuple(d.name for d in _SIZED)
#: Every dataset: the ticked ones, then the ones built around them.
DATASETS: tuple[str, ...] = TICKED + tuple(d.name for d in _BUILT)
#: The field that identifies each dataset's records (None: no single field does).
ID_KEYS: dict[str, str | None] = {d.name: d.id_key for d in _SIZED + _BUILT}
#: The field each API filters its time windows on (None: the API has no window).
CHANGE_KEYS: dict[str, str | None] = {d.name: d.change_key for d in _SIZED + _BUILT}
