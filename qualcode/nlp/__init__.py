"""NLP-assisted coding: spaCy pipeline loading and the code suggesters.

Everything here runs offline and takes plain lists (texts, spans, codes), never the store:
the project facade feeds it. spaCy and scikit-learn are imported inside the functions that
need them, so the rest of qualcode starts fast.
"""
