"""Analysis of a project's coding: frequencies, co-occurrence, matrices, agreement, exports.

Tables are pandas DataFrames computed in the database or with vectorised pandas.
"""
