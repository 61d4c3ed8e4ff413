"""The coding workbench: a Textual terminal UI over qualcode.project (the only package that
imports Textual)."""
