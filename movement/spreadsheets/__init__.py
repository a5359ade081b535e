"""Spreadsheets: import and export of the lists."""
