"""Screens and dialogs of the coding workbench."""
