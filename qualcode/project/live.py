"""What others do to an open project, as it happens: the facade's side of the live feed.

A server project tells each open window when codings are added or removed, when the
codebook or the sources change, and who is online (:mod:`qualcode.store.live`); a project
file is watched for commits of other processes, such as a ``pull`` into a clone or a
command run beside the window (:mod:`qualcode.store.watch`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.project import Project
    from qualcode.store.live import Listener
    from qualcode.store.watch import FileWatcher


def live_listener(project: Project) -> Listener | None:
    """A listener for ``project`` if it is on a server, else None."""
    from qualcode.store.live import Listener

    if not project.team.on_server:
        return None
    store = project.context.store
    url = store.engine.url.render_as_string(hide_password=False)
    return Listener(url, label=project.context.label, own=store.sessions)


def file_watcher(project: Project) -> FileWatcher | None:
    """A watcher of ``project``'s file if it is a file, else None."""
    from qualcode.store.watch import FileWatcher

    path = project.context.path
    if project.team.on_server or path is None:
        return None
    store = project.context.store
    return FileWatcher(path, lambda: store.writes_begun, label=project.context.label)
