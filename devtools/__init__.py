"""Development tools shared by `scripts/`, the tests and the bench; not part of the tap.

* ``pg``: a throwaway PostgreSQL cluster (``python -m devtools.pg available | start DIR | stop DIR``);
* ``meltano``: Meltano in its own virtualenv (``python -m devtools.meltano install | path``);
* ``venv``: the Python the scripts build virtualenvs with (``python -m devtools.venv check``).

Standard library only, so the scripts can run them with the system's Python before any
virtualenv exists. Run them from the repository's root (``python -m`` finds them there).
"""
