"""The ground: the typed spec (frozen dataclasses), the reader of spec JSON, JSONPaths.

Imports nothing from the package above it; every other band depends on it.
"""
