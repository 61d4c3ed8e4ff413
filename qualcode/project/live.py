"""What others do on a server project, as it happens: the facade's side of the live feed.

A project file has no one else on it (another window on the same file is seen on focus and
ctrl+r); a server project tells each open window when codings are added or removed and who
is online (:mod:`qualcode.store.live`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.project import Project
    from qualcode.store.live import Listener


def live_listener(project: Project) -> Listener | None:
    """A listener for ``project`` if it is on a server, else None."""
    from qualcode.store.live import Listener

    if not project.team.on_server:
        return None
    url = project.context.store.engine.url.render_as_string(hide_password=False)
    return Listener(url, label=project.context.label)
