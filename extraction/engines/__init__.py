"""Extraction engines and the registry that picks one (see ``base``)."""
