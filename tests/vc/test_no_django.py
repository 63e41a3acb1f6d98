"""No module under src/credstack/vc imports Django (the credential core is framework-free)."""

from __future__ import annotations

import ast
from pathlib import Path

VC = Path(__file__).resolve().parents[2] / "src" / "credstack" / "vc"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            names.update(arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str))
    return names


def test_no_module_imports_django() -> None:
    files = sorted(VC.rglob("*.py"))
    assert files, "no modules found"
    offenders = {
        str(path.relative_to(VC)): sorted(n for n in imported_modules(path) if n == "django" or n.startswith("django."))
        for path in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}
