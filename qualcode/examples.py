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
CODINGS = "transcripts_example/codings"
CODERS = ("anna", "ben")
"""The two coders whose work ships with the study, one REFI-QDA project each in ``CODINGS``."""


def examples_root() -> Path:
    """The folder holding ``codebooks/`` and ``transcripts_example/``."""
    here = Path(__file__).resolve().parent
    for root in (here / "_examples", here.parent):
        if (root / MANIFEST).is_file():
            return root
    raise ProjectError("the example study is not installed with this copy of qualcode")


def build_demo(
    path: str | Path, *, coded: bool = True, progress: Callable[[float], None] | None = None
) -> Project:
    """Create a project at ``path`` from the example study and return it (open).

    Args:
        path: The new project file.
        coded: Merge in the codings of the study's two coders (:data:`CODERS`), so reports
            and agreement have something to show; ``False`` gives the uncoded study.
        progress: Called with the fraction done.
    """
    from qualcode.ingest.routing import read_study

    root = examples_root()
    manifest = root / MANIFEST
    study = read_study(manifest)
    with Project.build(
        path, language=study.language or "en", coder="demo", name=study.name
    ) as project:
        project.sources.import_paths([manifest], progress=progress)
        if coded:
            # Each coder's project as a REFI-QDA file, merged as a team's would be: the
            # sources and codes match the ones just imported, so only the codings are new.
            project.exchange.merge_from([root / CODINGS / f"{coder}.qdpx" for coder in CODERS])
    return Project.open(path)


def prepare_demo(project: Project) -> None:
    """Fit the suggester and find the themes once, as ``qualcode suggest`` and ``qualcode
    themes`` ask for them by default, so that their first run in a new process reads what
    this one kept (:mod:`qualcode.nlp.kept`, :mod:`qualcode.project.answered`) instead of
    parsing every source and fitting. Nothing to do when keeping is off."""
    from qualcode.nlp import kept

    if kept.cache_dir() is None:
        return
    project.suggestions.suggest_source()
    project.suggestions.themes()
