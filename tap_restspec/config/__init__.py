"""The user's values: settings, the config, state and catalog files, and specs bound to values.

`settings.py` checks the settings into one typed object; `binding.py` binds a parsed spec
to them (auth entry, placeholder values, host, partitions), every problem at once.
"""
