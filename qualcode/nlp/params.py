"""Parameters of an estimator read from its ``__init__``, as scikit-learn's ``BaseEstimator``
reads them.

A suggester stores each ``__init__`` argument as an attribute of the same name and nothing
else; ``get_params`` lists them all, so ``sklearn.base.clone`` and a project's record of
what it fitted see every one. Written here rather than inherited from ``BaseEstimator`` so
that importing a suggester does not load scikit-learn (the CLI starts without it).
"""

from __future__ import annotations

import inspect
from typing import Any, Self

from qualcode.errors import QualcodeError


class Estimator:
    """``get_params``/``set_params`` for a class whose ``__init__`` names every parameter
    (no ``*args``/``**kwargs``) and stores each as it is."""

    @classmethod
    def _param_names(cls) -> list[str]:
        """The ``__init__`` parameters, sorted (as scikit-learn lists them)."""
        names = []
        for p in inspect.signature(cls.__init__).parameters.values():
            if p.name == "self":
                continue
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(f"{cls.__name__}.__init__ takes {p}: name every parameter")
            names.append(p.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Every parameter by name; with ``deep``, an estimator parameter's own too (as
        ``name__param``)."""
        out: dict[str, Any] = {}
        for name in self._param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params: Any) -> Self:
        """Set parameters by name (``name__param`` sets a parameter's own); returns self."""
        valid = self._param_names()
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise QualcodeError(
                    f"{type(self).__name__} has no parameter {name!r}; it has {', '.join(valid)}"
                )
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            getattr(self, name).set_params(**sub_params)
        return self
