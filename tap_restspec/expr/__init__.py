"""Strings with holes, and dates: templates with placeholders, ADF expressions, .NET date formats.

Pure functions of a spec string and values; no HTTP. Imports only `model/` below it.
"""
