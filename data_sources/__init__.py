"""Connectors that turn an outside source into raw rows: {table: DataFrame of strings}.

They take plain arguments (a path, a spreadsheet and its tabs, a key, a base URL) and never
import dashboard: dashboard.sync and the import commands read the settings and secrets and
pass them in. They never interpret answers; dashboard.importer does that, the same way for
every source.
"""
