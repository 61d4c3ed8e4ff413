"""qualcode: code qualitative interview transcripts against a codebook.

The public entry point for Python users is :class:`qualcode.project.Project`.
"""

__version__ = "0.1.0"
