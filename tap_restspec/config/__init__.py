"""The user's values: settings, the config, state and catalog files, and specs bound to values.

`settings_schema.py` declares the settings, `settings.py` checks them into one typed
object, `environment.py` reads `TAP_RESTSPEC_*` variables, `files.py` the --config, --state
and --catalog files; `specs.py` reads the spec files the settings name and `binding.py`
binds each to the settings (auth entry, placeholder values, host, partitions), with
`values.py` checking the values; every problem at once.
"""
