"""``python -m demo``: the demo API's command line (``demo.cli``)."""

from demo.cli import main

main()
