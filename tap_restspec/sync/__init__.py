"""The sync engine: units of work on threads, each partition through its window's slices, run state.

`scheduler.py` runs units on threads, `unit.py` takes one partition through its window
slices, `runs.py` is what one run keeps, `bookmarks.py` the replication key's bookmark.
"""
