"""A project's settings, named in one place.

They are rows of the ``meta`` table (key, value), a format every project file and server
project already holds. :class:`SettingKey` names every key qualcode reads or writes, so no
call site spells one as a bare string and a misspelt key is refused instead of written
as a new row nobody reads; :class:`Settings` is what a project reads back, typed, with the
defaults its callers used to repeat.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum

from qualcode.errors import ProjectError


class SettingKey(StrEnum):
    """Every key of the ``meta`` table; the value is the stored key."""

    SCHEMA_VERSION = "schema_version"
    NAME = "name"
    LANGUAGE = "language"
    CREATED_AT = "created_at"
    CODER = "coder"
    CODEBOOK_NAME = "codebook_name"
    # The suggester's pipeline (a spaCy model name or path) and what the project used.
    NLP_MODEL = "nlp.model"
    # The case attribute holding what each source answers (``import --question-column``).
    NLP_CONTEXT = "nlp.context"
    NLP_SUGGESTERS = "nlp.suggesters"
    NLP_THEMES = "nlp.themes"
    # What ``reconcile`` last wrote: the coder holding the agreed coding, and from whom.
    RECONCILE_INTO = "reconcile.into"
    RECONCILE_CODERS = "reconcile.coders"
    # A clone's server, its coder there, and when it last met it.
    SYNC_ORIGIN = "sync.origin"
    SYNC_CODER = "sync.coder"
    SYNC_CLONED_AT = "sync.cloned_at"
    SYNC_PUSHED_AT = "sync.pushed_at"
    SYNC_PULLED_AT = "sync.pulled_at"
    # The namespace of the GUIDs this project's exports mint.
    REFI_NAMESPACE = "refi.namespace"
    # A server project's roles and catalog version (written by its own SQL too).
    SERVER_CODERS_ROLE = "server.coders_role"
    SERVER_LEADS_ROLE = "server.leads_role"
    SERVER_CATALOG_VERSION = "server.catalog_version"
    # Which of the triggers that tell open windows of changes it has (qualcode.store.notify).
    SERVER_LIVE_VERSION = "server.live_version"


def setting_key(key: str) -> SettingKey:
    """``key`` as a :class:`SettingKey`; a key qualcode does not know is refused."""
    try:
        return SettingKey(key)
    except ValueError:
        known = ", ".join(k.value for k in SettingKey)
        raise ProjectError(f"unknown setting {key!r} (known: {known})") from None


@dataclass(frozen=True)
class Settings:
    """A project's settings as read: each known key a typed field (its name the key's
    name in lower case), unset ones at their default; rows of unknown keys are left out."""

    schema_version: int = 0
    name: str = ""
    language: str = "en"
    created_at: str = ""
    coder: str | None = None
    codebook_name: str = ""
    nlp_model: str | None = None
    nlp_context: str | None = None
    nlp_suggesters: str | None = None
    nlp_themes: str | None = None
    reconcile_into: str = ""
    reconcile_coders: tuple[str, ...] = ()
    sync_origin: str | None = None
    sync_coder: str | None = None
    sync_cloned_at: str | None = None
    sync_pushed_at: str | None = None
    sync_pulled_at: str | None = None
    refi_namespace: str | None = None
    server_coders_role: str | None = None
    server_leads_role: str | None = None
    server_catalog_version: str | None = None
    server_live_version: str | None = None
    # The stored text of every known key that is set, for comparing before a write.
    stored: Mapping[SettingKey, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_rows(cls, rows: Mapping[str, str]) -> Settings:
        """The settings held by ``meta`` rows (key to value); unknown keys are left out."""
        stored = {SettingKey(k): v for k, v in rows.items() if k in _KEYS}
        typed: dict[str, object] = {k.name.lower(): v for k, v in stored.items()}
        version = stored.get(SettingKey.SCHEMA_VERSION, "0")
        typed["schema_version"] = int(version) if version.strip().isdigit() else 0
        coders = stored.get(SettingKey.RECONCILE_CODERS, "")
        typed["reconcile_coders"] = tuple(c.strip() for c in coders.split(",") if c.strip())
        typed["reconcile_into"] = stored.get(SettingKey.RECONCILE_INTO, "").strip()
        return cls(**typed, stored=stored)  # type: ignore[arg-type]

    def value(self, key: SettingKey) -> str | None:
        """The stored text of ``key``, or None where the project has not set it."""
        return self.stored.get(key)


_KEYS = frozenset(k.value for k in SettingKey)
assert {k.name.lower() for k in SettingKey} <= {f.name for f in fields(Settings)}
