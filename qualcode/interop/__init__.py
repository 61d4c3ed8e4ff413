"""Exchange with other tools and other coders: REFI-QDA (.qdpx, .qde, .qdc) and merging.

Every input here is untrusted: no path may escape a temporary folder, XML entities are never
expanded, and a failed import leaves the target project untouched.
"""
