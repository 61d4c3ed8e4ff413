"""The example study (mentoring needs analysis) and the demo project built from it.

The study's files live at the repository root (``codebooks/``, ``transcripts_example/``); a
wheel carries them inside the package as ``qualcode/_examples/``. Both are looked for, so the
demo works from an editable install and from a built wheel alike.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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
    from qualcode.ingest.routing import read_study

    manifest = examples_root() / MANIFEST
    study = read_study(manifest)
    project = Project.create(path, language=study.language or "en", coder="demo", name=study.name)
    try:
        project.import_paths([manifest], progress=progress)
    except BaseException:
        project.close()
        Path(path).unlink(missing_ok=True)
        raise
    return project
