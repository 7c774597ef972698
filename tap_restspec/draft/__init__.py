"""`tap-restspec draft URL`: a runnable spec for an API from a few of its answers.

`target.py` turns the URL and headers given into a spec's request, secrets as placeholders;
`prober.py` sends the draft's requests (GET only, the URL's origin only, at most ten, through
the tap's guarded client); `records.py` finds the records and reads their keys and order;
`evidence.py` reads what a page says about its pagination; `paging.py` turns that into
pagination guesses, each tried with the tap's own pass (`trial.py`) before it is kept;
`document.py` writes the spec and `command.py` is the command line.
"""
