"""Reports, agreement, reconciliation and exports of a project on a server are those of the
same project in a file: the example study with its two coders, built in both."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from qualcode.examples import CODERS, CODINGS, MANIFEST, examples_root
from qualcode.project import Project


@pytest.fixture
def both(lead_url: str, coded_demo_file: Path, tmp_path: Path):
    """The coded example study in a file and on the server (built as a lead would)."""
    path = tmp_path / "coded.qcdb"
    path.write_bytes(coded_demo_file.read_bytes())
    root = examples_root()
    with (
        Project.open(path) as local,
        Project.create(lead_url, language=local.context.language) as remote,
    ):
        remote.sources.import_paths([root / MANIFEST])
        remote.exchange.merge_from([root / CODINGS / f"{coder}.qdpx" for coder in CODERS])
        yield local, remote


def test_report_tables_are_the_same(both):
    local, remote = both
    assert remote.summary()["codings"] == local.summary()["codings"] > 0
    tables = remote.reports.report_tables(["all"], by="kind")
    for name, table in local.reports.report_tables(["all"], by="kind").items():
        pd.testing.assert_frame_equal(tables[name], table, obj=name)


def test_agreement_and_reconciliation_are_the_same(both):
    local, remote = both
    coders = list(CODERS)
    assert remote.team.agreement(coders).rows() == local.team.agreement(coders).rows()
    found = local.team.disagreements(coders)
    assert [d.id for d in remote.team.disagreements(coders)] == [d.id for d in found]
    first = found[0]
    made = [p.team.reconcile(first.id, coders[0], coders=coders) for p in (remote, local)]
    assert made[0].codings == made[1].codings
    assert made[0].agreements and made[1].agreements
    assert made[0].agreements.count == made[1].agreements.count > 0
    settled = [{k: d.choice for k, d in p.team.reconciled(found).items()} for p in (remote, local)]
    assert settled[0] == settled[1] == {first.id: coders[0]}
    agreed = [
        {
            (c.source_id, c.code_id, c.start, c.end)
            for c in p.context.store.list_codings(coder="agreed")
        }
        for p in (remote, local)
    ]
    assert agreed[0] == agreed[1]


def test_exports_are_the_same(both, tmp_path: Path):
    local, remote = both
    local_csv, remote_csv = tmp_path / "local.csv", tmp_path / "remote.csv"
    local.reports.export_tables(local_csv, ["frequencies"])
    remote.reports.export_tables(remote_csv, ["frequencies"])
    assert remote_csv.read_text() == local_csv.read_text()
    local_qdpx = local.exchange.export_qdpx(tmp_path / "local.qdpx")
    remote_qdpx = remote.exchange.export_qdpx(tmp_path / "remote.qdpx")
    with zipfile.ZipFile(local_qdpx) as a, zipfile.ZipFile(remote_qdpx) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        codings = b"<Coding "
        assert b.read("project.qde").count(codings) == a.read("project.qde").count(codings) > 0
