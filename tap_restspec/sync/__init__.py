"""The sync engine: units of work on threads, each partition through its window's slices, run state.

`scheduler.py` runs units on threads; `unit.py` takes one partition through its window
slices; `bookmarks.py` reads and moves a unit's bookmark; `sample.py` fetches a stream's
first page once; `children.py` hands parent records to child streams; `runs.py` is what
one run keeps and `outcome.py` how a stream's read went. `host.py` is what the engine
needs of a stream: it never imports `stream.py`.
"""
