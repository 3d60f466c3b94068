"""Streamlit glue shared by the pages: context, cached loaders, widgets and sign-in.

This is the only package under dashboard/ that imports Streamlit.
"""
