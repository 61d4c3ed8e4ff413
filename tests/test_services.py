"""Promises about the shape of the project facade: a thin root holding a few named services.

``qualcode.project.Project`` opens a project and holds its services; each service is a class
of its own that gets the shared context and the services it needs in its constructor. These
tests keep it that way: no service grows past what a reader can hold, no mixin, and no
``cast()`` to reach a sibling.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections import Counter
from pathlib import Path

import qualcode.project
from qualcode.project import Project

PACKAGE = Path(qualcode.project.__file__).parent
MAX_SERVICE_NAMES = 30
MAX_ROOT_NAMES = 14  # fewer than 15
SERVICES = {"context", "sources", "codebook", "coding", "suggestions", "reports", "exchange"}


def public_names(cls: ast.ClassDef) -> set[str]:
    """What a class offers: its methods, properties and fields, and every attribute its
    methods set on ``self``, without the ``_private`` ones."""
    names: set[str] = set()
    for node in cls.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    for node in ast.walk(cls):
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        for t in targets:
            if isinstance(t, ast.Attribute) and getattr(t.value, "id", None) == "self":
                names.add(t.attr)
    return {n for n in names if not n.startswith("_")}


def project_classes() -> dict[str, ast.ClassDef]:
    found = {}
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                found[f"{path.stem}.{node.name}"] = node
    return found


def test_no_class_in_the_project_package_has_more_than_30_public_names():
    sizes = {name: len(public_names(cls)) for name, cls in project_classes().items()}
    assert sizes["__init__.Project"] > 5 and sizes["review.Suggestions"] > 10  # it counts
    too_big = {name: n for name, n in sizes.items() if n > MAX_SERVICE_NAMES}
    assert not too_big


def test_the_root_project_has_fewer_than_15_public_names(tmp_path: Path):
    cls = project_classes()["__init__.Project"]
    assert len(public_names(cls)) <= MAX_ROOT_NAMES
    with Project.create(tmp_path / "p.qcdb") as project:
        offered = {n for n in dir(project) if not n.startswith("_")}
    assert len(offered) <= MAX_ROOT_NAMES
    assert SERVICES | {"team"} <= offered


def test_no_cast_in_the_project_package():
    uses = [
        f"{path.name}:{i}"
        for path in sorted(PACKAGE.glob("*.py"))
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "cast(" in line
    ]
    assert not uses


def test_no_mixin_and_no_shared_base_in_the_project_package():
    """A class has at most one base from qualcode.project, and no such base serves two."""
    classes = []
    for info in pkgutil.iter_modules(qualcode.project.__path__):
        module = importlib.import_module(f"qualcode.project.{info.name}")
        classes += [
            c
            for _, c in inspect.getmembers(module, inspect.isclass)
            if c.__module__ == module.__name__
        ]
    assert len(classes) > 20
    own = [[b for b in c.__bases__ if b.__module__.startswith("qualcode.project")] for c in classes]
    assert not [c.__name__ for c, bases in zip(classes, own, strict=True) if len(bases) > 1]
    shared = Counter(b for bases in own for b in bases)
    assert not [b.__name__ for b, n in shared.items() if n > 1]


def test_each_service_gets_what_it_needs_in_its_constructor(tmp_path: Path):
    """The services share one context, and a service that needs another holds that one."""
    with Project.create(tmp_path / "p.qcdb") as project:
        for name in SERVICES - {"context"} | {"team"}:
            service = getattr(project, name)
            assert service._ctx is project.context, name
        imports = project.sources.import_paths.__self__
        assert imports._codes is project.codebook and imports._exchange is project.exchange
