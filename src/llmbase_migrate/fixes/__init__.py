"""Fixes: edits as data (``edit``), built by rules, applied in one place (``apply``)."""
