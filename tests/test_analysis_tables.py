"""The report tables against counts worked out by hand (see tests/analysis_study.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qualcode.analysis.frequencies import share_texts
from qualcode.errors import ProjectError
from qualcode.project import Project
from qualcode.project.cache import Recent
from tests.analysis_study import build_study

# The columns as the README's "Table columns" promises them, written out: a table whose
# columns change must fail here, whatever the module's own constants say.
FREQUENCY_COLUMNS = [
    "code_id",
    "code",
    "parent",
    "depth",
    "codings",
    "passages",
    "sources",
    "of_sources",
    "sources_pct",
    "sources_text",
    "speakers",
]
PAIR_COLUMNS = ["code_a_id", "code_a", "code_b_id", "code_b", "count", "jaccard"]
QUOTE_COLUMNS = [
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


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory):
    p = build_study(tmp_path_factory.mktemp("study"))
    yield p
    p.close()


def rows(frame, *columns: str) -> list[tuple]:
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]


def share_text(n: int, of: int) -> str:
    return str(share_texts(np.array([n]), np.array([of]))[0])


def test_share_text_rounds_half_up():
    assert share_text(31, 52) == "31 of 52 (60%)"
    assert share_text(1, 8) == "1 of 8 (13%)"  # 12.5 rounds up, not to even
    assert share_text(0, 4) == "0 of 4 (0%)"


def test_frequencies_with_rollup(study: Project):
    f = study.reports.frequencies()
    assert list(f.columns) == FREQUENCY_COLUMNS
    # Awareness: codings 1 and 2 overlap (one passage); b and c one each.
    # Barriers rolls up Time, Money and its own coding: in a, Time 3+6 merge, 4 and 5 apart.
    assert rows(f, "code", "codings", "passages", "sources", "sources_text", "speakers") == [
        ("Awareness", 4, 3, 3, "3 of 4 (75%)", 3),
        ("Barriers", 7, 6, 3, "3 of 4 (75%)", 4),
        ("Barriers/Time", 4, 3, 2, "2 of 4 (50%)", 2),
        ("Barriers/Money", 2, 2, 2, "2 of 4 (50%)", 2),
    ]
    assert f["of_sources"].tolist() == [4, 4, 4, 4]
    assert f["sources_pct"].tolist() == [75.0, 75.0, 50.0, 50.0]
    assert rows(f, "parent", "depth")[2] == ("Barriers", 1)


def test_frequencies_without_rollup_and_with_zeros(study: Project):
    f = study.reports.frequencies(rollup=False, zeros=True)
    assert rows(f, "code", "codings", "passages", "sources_text") == [
        ("Awareness", 4, 3, "3 of 4 (75%)"),
        ("Barriers", 1, 1, "1 of 4 (25%)"),
        ("Barriers/Time", 4, 3, "2 of 4 (50%)"),
        ("Barriers/Money", 2, 2, "2 of 4 (50%)"),
        ("Unused", 0, 0, "0 of 4 (0%)"),
    ]


def test_one_coder_keeps_n_of_all_sources(study: Project):
    f = study.reports.frequencies(coder="anna", code="Barriers/Time")
    # ben's "I have no time" is gone; anna's three codings are three passages.
    assert rows(f, "code", "codings", "passages", "sources_text") == [
        ("Barriers/Time", 3, 3, "2 of 4 (50%)")
    ]


def test_by_kind_counts_of_the_kind(study: Project):
    f = study.reports.frequencies(by="kind", code="Awareness")
    assert list(f.columns) == ["kind", *FREQUENCY_COLUMNS]
    assert rows(f, "kind", "code", "passages", "sources_text") == [
        ("expert_panel", "Awareness", 1, "1 of 1 (100%)"),
        ("interview", "Awareness", 2, "2 of 3 (67%)"),
    ]


def test_by_attribute_with_a_group_for_sources_without_it(study: Project):
    f = study.reports.frequencies(by="cohort", code="Awareness")
    assert rows(f, "cohort", "sources_text") == [
        ("2019", "1 of 2 (50%)"),
        ("2020", "1 of 1 (100%)"),
        ("(none)", "1 of 1 (100%)"),
    ]


def test_by_speaker_of_the_turn_a_coding_starts_in(study: Project):
    f = study.reports.frequencies(by="speaker", code="Barriers")
    got = {(r[0], r[1]): r[2:] for r in rows(f, "speaker", "code", "passages", "sources_text")}
    # STUDENT speaks in a and d, so N is 2; Barriers in a: three passages.
    assert got[("STUDENT", "Barriers")] == (3, "1 of 2 (50%)")
    assert got[("Prof. Lindqvist", "Barriers")] == (1, "1 of 1 (100%)")
    assert got[("Dr. Weber", "Barriers/Time")] == (1, "1 of 1 (100%)")
    assert ("INTERVIEWER", "Barriers") not in got


def test_by_coder_counts_of_the_sources_each_coded(study: Project):
    f = study.reports.frequencies(by="coder", code="Barriers/Time")
    assert rows(f, "coder", "codings", "passages", "sources_text") == [
        ("anna", 3, 3, "2 of 3 (67%)"),
        ("ben", 1, 1, "1 of 1 (100%)"),
    ]


def test_where_and_sources_filters_set_n(study: Project):
    f = study.reports.frequencies(where={"cohort": "2019"}, code="Awareness")
    assert rows(f, "code", "sources_text") == [("Awareness", "1 of 2 (50%)")]
    g = study.reports.frequencies(sources=["b", "c"], code="Awareness")
    assert rows(g, "code", "passages", "sources_text") == [("Awareness", 2, "2 of 2 (100%)")]
    h = study.reports.frequencies(where={"kind": ["expert_panel"]}, rollup=False)
    assert rows(h, "code", "sources_text") == [
        ("Awareness", "1 of 1 (100%)"),
        ("Barriers", "1 of 1 (100%)"),
        ("Barriers/Time", "1 of 1 (100%)"),
    ]


def test_cooccurrence_by_overlap_counts_places_and_characters(study: Project):
    c = study.reports.cooccurrence()
    assert list(c.columns) == PAIR_COLUMNS
    # Only in a: the Awareness passage "I never heard of it. I have" overlaps the Time
    # passage "I have no time at all" on "I have".
    awareness = len("I never heard of it. I have") + len("a friend told me")
    awareness += len("Students never heard of it")
    time = len("I have no time at all") + len("no time again") + len("They have no time")
    both = len("I have")
    assert rows(c, "code_a", "code_b", "count") == [("Awareness", "Barriers/Time", 1)]
    assert c["jaccard"].iloc[0] == pytest.approx(both / (awareness + time - both))


def test_cooccurrence_by_turn(study: Project):
    c = study.reports.cooccurrence(unit="turn")
    # Turns holding each code: Awareness a1 b1 c1; Time a1 a3 c1; Money a3 b1.
    assert rows(c, "code_a", "code_b", "count", "jaccard") == [
        ("Awareness", "Barriers/Time", 2, 0.5),
        ("Awareness", "Barriers/Money", 1, 0.25),
        ("Barriers/Time", "Barriers/Money", 1, 0.25),
    ]


def test_cooccurrence_by_turn_rolled_up_leaves_out_a_code_and_its_parent(study: Project):
    c = study.reports.cooccurrence(unit="turn", rollup=True)
    # Barriers holds a1 a3 b1 c1 c2: with Awareness 3 of 3 + 5 - 3 turns.
    assert rows(c, "code_a", "code_b", "count", "jaccard") == [
        ("Awareness", "Barriers", 3, 0.6),
        ("Awareness", "Barriers/Time", 2, 0.5),
        ("Awareness", "Barriers/Money", 1, 0.25),
        ("Barriers/Time", "Barriers/Money", 1, 0.25),
    ]


def test_cooccurrence_by_sentence(study: Project):
    c = study.reports.cooccurrence(unit="sentence")
    # Awareness runs over two sentences of a (coding 2), one of b, one of c: 4 sentences;
    # Time is in 3; they share "I have no time at all." only.
    assert rows(c, "code_a", "code_b", "count") == [("Awareness", "Barriers/Time", 1)]
    assert c["jaccard"].iloc[0] == pytest.approx(1 / 6)


def test_cooccurrence_by_sentence_keeps_the_sentences_of_the_sources_read_last(study: Project):
    kept, study.context.sentence_frames = study.context.sentence_frames, Recent(2)
    try:
        for _ in range(2):  # split anew, then partly from what is kept: the same counts
            c = study.reports.cooccurrence(unit="sentence")  # four sources, two kept
            assert rows(c, "code_a", "code_b", "count") == [("Awareness", "Barriers/Time", 1)]
            assert c["jaccard"].iloc[0] == pytest.approx(1 / 6)
            assert len(study.context.sentence_frames) == 2
    finally:
        study.context.sentence_frames = kept


def test_matrix_of_passages_per_source(study: Project):
    m = study.reports.matrix()
    assert list(m.columns) == ["code_id", "code", "a", "b", "d", "c"]
    assert rows(m, "code", "a", "b", "c", "d") == [
        ("Awareness", 1, 1, 1, 0),
        ("Barriers", 3, 1, 2, 0),
        ("Barriers/Time", 2, 0, 1, 0),
        ("Barriers/Money", 1, 1, 0, 0),
    ]


def test_crosstab_by_kind(study: Project):
    x = study.reports.crosstab("kind")
    assert list(x.columns) == ["code_id", "code", "expert_panel", "interview", "total"]
    assert rows(x, "code", "expert_panel", "interview", "total")[:2] == [
        ("Awareness", "1 of 1 (100%)", "2 of 3 (67%)", "3 of 4 (75%)"),
        ("Barriers", "1 of 1 (100%)", "2 of 3 (67%)", "3 of 4 (75%)"),
    ]
    assert study.reports.crosstab("cohort", value="sources")["(none)"].tolist() == [1, 1, 1, 0]


def test_quotes_of_a_subtree(study: Project):
    q = study.reports.quotes(code="Barriers", sources=["a"])
    assert list(q.columns) == QUOTE_COLUMNS
    assert rows(q, "code", "speaker", "coder", "text") == [
        ("Barriers/Time", "STUDENT", "ben", "I have no time"),
        ("Barriers/Time", "STUDENT", "anna", "no time at all"),
        ("Barriers/Time", "STUDENT", "anna", "no time again"),
        ("Barriers/Money", "STUDENT", "anna", "Money is tight"),
    ]
    first = q.iloc[0]
    assert first["reference"] == f"a, STUDENT, {first['start']}-{first['end']}"
    assert first["turn"] == 1


def test_nothing_gives_empty_tables_with_their_columns(study: Project, tmp_path: Path):
    nothing = {"where": {"cohort": "2019"}, "sources": "b"}  # each exists; no source has both
    assert list(study.reports.frequencies(**nothing).columns) == FREQUENCY_COLUMNS
    assert study.reports.frequencies(**nothing).empty
    assert study.reports.frequencies(zeros=True, **nothing).empty
    assert study.reports.frequencies(code="Unused").empty
    assert list(study.reports.cooccurrence(unit="sentence", **nothing).columns) == PAIR_COLUMNS
    assert study.reports.quotes(code="Unused").empty
    assert list(study.reports.quotes(code="Unused").columns) == QUOTE_COLUMNS
    assert list(study.reports.matrix(**nothing).columns) == ["code_id", "code"]
    with Project.create(tmp_path / "empty.qcdb") as empty:
        for table in ("frequencies", "cooccurrence", "matrix", "crosstab", "quotes"):
            frame = getattr(empty.reports, table)()
            assert frame.empty, table
        assert list(empty.reports.frequencies(by="speaker").columns) == [
            "speaker",
            *FREQUENCY_COLUMNS,
        ]
        assert list(empty.reports.cooccurrence(unit="turn").columns) == PAIR_COLUMNS


def test_bad_requests_are_project_errors(study: Project):
    with pytest.raises(ProjectError, match="cohort"):
        study.reports.frequencies(by="semester")
    with pytest.raises(ProjectError, match="no attribute"):
        study.reports.frequencies(where={"semester": "3"})
    with pytest.raises(ProjectError, match="no coder"):
        study.reports.frequencies(coder="zoe")
    with pytest.raises(ProjectError, match="unit"):
        study.reports.cooccurrence(unit="paragraph")


def test_tables_follow_new_codings_undo_and_merges(tmp_path: Path):
    with build_study(tmp_path / "live") as p:
        assert p.reports.frequencies(code="Barriers/Money")["codings"].tolist() == [2]
        text = p.sources.get("d").text
        start = text.index("Nothing")
        p.coding.apply("d", start, start + 7, "Barriers/Money")
        assert p.reports.frequencies(code="Barriers/Money")["sources_text"].tolist() == [
            "3 of 4 (75%)"
        ]
        p.coding.undo()
        assert p.reports.frequencies(code="Barriers/Money")["sources_text"].tolist() == [
            "2 of 4 (50%)"
        ]
        p.codebook.merge_codes("Barriers/Money", "Barriers/Time")
        f = p.reports.frequencies(code="Barriers/Time")
        assert rows(f, "code", "codings", "sources") == [("Barriers/Time", 6, 3)]


def test_tables_follow_codings_written_by_another_window(tmp_path: Path):
    with build_study(tmp_path / "shared") as first:
        assert first.reports.frequencies(code="Barriers/Money")["codings"].tolist() == [2]
        with Project.open(tmp_path / "shared" / "study.qcdb") as second:
            text = second.sources.get("d").text
            start = text.index("Nothing")
            second.coding.apply("d", start, start + 7, "Barriers/Money", coder="ben")
        assert first.reports.frequencies(code="Barriers/Money")["codings"].tolist() == [3]
        assert first.reports.quotes(code="Barriers/Money")["text"].tolist()[-1] == "Nothing"


def test_export_by_table_names_and_a_chart_broken_down(study: Project, tmp_path: Path):
    import pandas as pd

    [path] = study.reports.export_tables(tmp_path / "t.xlsx", ["frequencies", "quotes"], by="kind")
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["frequencies", "frequencies_by_kind", "quotes", "about"]
    assert sheets["frequencies_by_kind"]["Sources"].tolist()[:2] == [
        "1 of 1 (100%)",
        "2 of 3 (67%)",
    ]
    chart = study.reports.chart("frequencies", tmp_path / "f.svg", by="kind").read_text(
        encoding="utf-8"
    )
    assert "interview (N=3)" in chart and "expert_panel (N=1)" in chart


def test_packed_and_plain_reads_of_the_codings_agree(study: Project, monkeypatch):
    import qualcode.store.analysis as store_analysis

    study.context.store._kept_frames.clear()
    packed = study.context.store.codings_frame()
    monkeypatch.setattr(store_analysis, "_packable", lambda conn: False)
    study.context.store._kept_frames.clear()
    plain = study.context.store.codings_frame()
    assert len(plain) == 11
    assert packed.equals(plain)
    assert plain.dtypes.tolist() == ["int64"] * 6
