"""Connectors that turn an outside source into raw rows: {table: DataFrame of strings}.

They never interpret answers; dashboard.importer does that, the same way for every source.
"""
