"""The capability packages talk through signals and api modules, never through each other's insides."""

import ast
from pathlib import Path

LMS = Path(__file__).resolve().parents[1] / "lms"
SHARED = {"core", "extensions", "signals", "i18n", "accounts", "migrations"}
CAPABILITIES = {"courses", "support", "surveys", "dashboards", "certificates"}


def imported_packages(path: Path) -> set[tuple[str, str]]:
    """Return (package, module) pairs for every `lms.<package>[.<module>]` that *path* imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "lms" and len(parts) > 1:
                found.add((parts[1], parts[2] if len(parts) > 2 else ""))
    return found


def allowed(importer: str, package: str, module: str) -> bool:
    """Shared packages are open to all; another capability only through its read-only api module."""
    return package in SHARED or package == importer or module == "api"


def test_packages_import_only_what_they_may():
    offences = []
    for path in LMS.rglob("*.py"):
        importer = path.relative_to(LMS).parts[0]
        if importer in SHARED - {"accounts"}:
            offences += [(str(path), package) for package, _ in imported_packages(path) if package in CAPABILITIES]
            continue
        offences += [
            (str(path), f"{package}.{module}")
            for package, module in imported_packages(path)
            if not allowed(importer, package, module)
        ]
    assert offences == []


def test_accounts_knows_nothing_of_the_capabilities():
    for path in (LMS / "accounts").rglob("*.py"):
        assert not {package for package, _ in imported_packages(path)} & CAPABILITIES, path
