"""What the coding screen gives the mixins it is made of (navigation, suggestions).

Declared once here, for the type checker: each mixin names only the state it adds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.model import Source
    from qualcode.project import Project
    from qualcode.tui.widgets.transcript import TranscriptView
    from qualcode.tui.workbench import Workbench

Span = tuple[int, int]


class CodingParts:
    """The coding screen's state and methods that its mixins use."""

    app: Workbench
    source: Source | None

    if TYPE_CHECKING:

        @property
        def view(self) -> TranscriptView: ...

        @property
        def project(self) -> Project: ...

        def _select(self, span: Span) -> None: ...

        def say(self, message: str) -> None: ...
