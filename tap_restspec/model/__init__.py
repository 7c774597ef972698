"""The ground: the typed spec (frozen dataclasses), the reader of spec JSON, JSONPaths, and the
registry the families of spec-named classes are listed in.

Imports nothing from the package above it; every other band depends on it.
"""
