"""Imports run one way: the actions app knows none of the apps that build on it, and appeals' models
know nothing of printing."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "uadesk"
ACTIONS = PACKAGE / "actions"
BUILT_ON_ACTIONS = ("uadesk.appeals", "uadesk.petitions", "uadesk.supporters")
# Modules of the actions app that still import those apps. Empty: keep it so; a module listed here
# that no longer needs to be fails the test.
STILL_IMPORTING = []


def imports_in(source: str, package: str) -> set[str]:
    """Every module (and name from a module) the source imports, at module or function level; relative
    imports are made absolute from `package`, the package the source is in."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def imported(path: Path) -> set[str]:
    package = ".".join(path.relative_to(PACKAGE.parent).parent.parts)
    return imports_in(path.read_text(), package)


def within(names: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(name for name in names if any(name == p or name.startswith(p + ".") for p in packages))


@pytest.mark.parametrize("path", sorted(ACTIONS.rglob("*.py")), ids=lambda p: str(p.relative_to(ACTIONS)))
def test_the_actions_app_imports_none_of_the_apps_built_on_it(path):
    name = str(path.relative_to(ACTIONS))
    found = within(imported(path), BUILT_ON_ACTIONS)
    if name in STILL_IMPORTING:
        assert found, f"uadesk/actions/{name} imports none of them any more: take it off STILL_IMPORTING"
    else:
        assert found == [], f"uadesk/actions/{name} imports {', '.join(found)}"


def test_every_module_still_importing_is_there():
    assert [name for name in STILL_IMPORTING if not (ACTIONS / name).exists()] == []


def test_imports_are_seen_in_every_form():
    source = (
        "import uadesk.supporters.models\n"
        "from uadesk.petitions import services\n"
        "from .models import Target\n"
        "def later():\n"
        "    from ..appeals.models import Appeal\n"
    )
    assert within(imports_in(source, "uadesk.actions"), BUILT_ON_ACTIONS) == [
        "uadesk.appeals.models",
        "uadesk.appeals.models.Appeal",
        "uadesk.petitions",
        "uadesk.petitions.services",
        "uadesk.supporters.models",
    ]
    assert "uadesk.actions.models.Target" in imports_in(source, "uadesk.actions")
    relative = imports_in("from .printing import appeal_pdf", "uadesk.appeals")
    assert "uadesk.appeals.printing" in relative


def test_the_appeals_models_do_not_import_printing():
    # The printing module builds on the models (an appeal in, a PDF out): the other way would be a circle.
    found = within(imported(PACKAGE / "appeals" / "models.py"), ("uadesk.appeals.printing",))
    assert found == [], f"uadesk/appeals/models.py imports {', '.join(found)}"
