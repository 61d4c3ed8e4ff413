"""The example study (mentoring needs analysis) and the demo project built from it.

The study's files live at the repository root (``codebooks/``, ``transcripts_example/``); a
wheel carries them inside the package as ``qualcode/_examples/``. Both are looked for, so the
demo works from an editable install and from a built wheel alike.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from qualcode.errors import ProjectError
from qualcode.project import Project

MANIFEST = "transcripts_example/study.yaml"


def examples_root() -> Path:
    """The folder holding ``codebooks/`` and ``transcripts_example/``."""
    here = Path(__file__).resolve().parent
    for root in (here / "_examples", here.parent):
        if (root / MANIFEST).is_file():
            return root
    raise ProjectError("the example study is not installed with this copy of qualcode")


def build_demo(path: str | Path, *, progress: Callable[[float], None] | None = None) -> Project:
    """Create a project at ``path`` from the example study and return it (open)."""
    root = examples_root()
    manifest_path = root / MANIFEST
    study = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    folder = manifest_path.parent
    project = Project.create(
        path, language=study.get("language", "en"), coder="demo", name=study.get("name")
    )
    try:
        project.import_codebook(folder / study["codebook"])
        entries = study["sources"]
        groups: dict[tuple[str, str | None], list[Path]] = {}
        for entry in entries:
            key = (entry.get("kind", "interview"), entry.get("language"))
            groups.setdefault(key, []).append(folder / entry["file"])
        done = 0
        for (kind, language), files in groups.items():
            project.import_files(files, kind=kind, language=language)
            done += len(files)
            if progress is not None:
                progress(done / len(entries))
        if study.get("attributes"):
            project.import_attributes(folder / study["attributes"])
    except BaseException:
        project.close()
        Path(path).unlink(missing_ok=True)
        raise
    return project
