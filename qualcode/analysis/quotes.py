"""Quotes: every coded passage of the codes asked for, with where it comes from.

Columns (the README documents them): ``code, source, kind, speaker, turn, start, end, coder,
text, verbatim, reference, coding_id``, ordered by code (codebook order), source, start. Each
coding is one quote (two coders coding the same words give two rows, told apart by
``coder``); ``text`` is the quote as shown (see :func:`qualcode.ingest.spoken.spoken_quote`),
``verbatim`` the exact coded text ``text[start:end]``; ``reference`` reads
``source, speaker, start-end`` for pasting under a quote.
"""

from __future__ import annotations

# pandas and numpy at module level: the facade imports this module inside its methods only,
# so `qualcode --help` never loads them.
import numpy as np
import pandas as pd

from qualcode.analysis.data import StudyData

COLUMNS = [
    "code",
    "source",
    "kind",
    "speaker",
    "turn",
    "start",
    "end",
    "coder",
    "text",
    "verbatim",
    "reference",
    "coding_id",
]


def quotes(data: StudyData, texts: pd.DataFrame) -> pd.DataFrame:
    """The codings of ``data`` with their text.

    Args:
        data: the filtered study.
        texts: ``coding_id, text, verbatim`` of (at least) those codings: the quote as
            shown and the exact coded text (``verbatim`` may be left out when ``text`` is
            the exact text).
    """
    cod = data.codings.assign(_pos=data.code_positions())
    cod = cod[cod["_pos"] >= 0]
    sources = data.sources.set_index("source_id")
    coders = data.coders.set_index("coder_id")["coder"]
    out = pd.DataFrame(
        {
            "code": data.codes["code"].to_numpy(object)[cod["_pos"].to_numpy(np.int64)],
            "source": cod["source_id"].map(sources["source"]).to_numpy(object),
            "kind": cod["source_id"].map(sources["kind"]).to_numpy(object),
            "speaker": cod["speaker"].astype(object).to_numpy(),
            "turn": cod["turn"].to_numpy(np.int64),
            "start": cod["start"].to_numpy(np.int64),
            "end": cod["end"].to_numpy(np.int64),
            "coder": cod["coder_id"].map(coders).to_numpy(object),
            "coding_id": cod["coding_id"].to_numpy(np.int64),
            "_pos": cod["_pos"].to_numpy(np.int64),
            "_src": cod["source_id"].to_numpy(np.int64),
        }
    )
    by_id = texts.set_index("coding_id")
    for column in ("text", "verbatim"):
        given = by_id[column if column in by_id.columns else "text"]
        out[column] = out["coding_id"].map(given).fillna("").astype(object)
    speaker = out["speaker"].where(out["speaker"].notna(), "")
    out["reference"] = (
        out["source"].astype(str)
        + np.where(speaker != "", ", " + speaker.astype(str), "")
        + ", "
        + out["start"].astype(str)
        + "-"
        + out["end"].astype(str)
    )
    out = out.sort_values(["_pos", "_src", "start", "end", "coding_id"], kind="stable")
    return out.reset_index(drop=True)[COLUMNS]
