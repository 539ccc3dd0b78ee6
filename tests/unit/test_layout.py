"""The layout the imports agree with (STYLE.md): arrows point down only, and the domain knows
nothing of Kafka, SQL or HTTP."""

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "consumers", "producers", "projections", "store", "messaging", "entrypoints", "tools")


def imports() -> dict[str, set[str]]:
    """Top-level package -> every top-level module its files import (absolute imports)."""
    found = defaultdict(set)
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    found[package].update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    found[package].add(node.module.split(".")[0])
    return found


def test_the_domain_imports_only_the_standard_library_and_eventsourcing():
    outside = {m for m in imports()["domain"] - {"domain"} if m not in sys.stdlib_module_names}
    assert outside == {"eventsourcing"}


def test_no_two_top_level_packages_import_each_other():
    found = imports()
    edges = {(a, b) for a in PACKAGES for b in found[a] if b in PACKAGES and b != a}
    assert not {(a, b) for a, b in edges if (b, a) in edges}
    assert ("consumers", "producers") not in edges and ("producers", "consumers") not in edges


def test_nothing_installed_imports_the_developers_tools_and_adapters_import_no_entrypoint():
    found = imports()
    assert not [p for p in PACKAGES if p != "tools" and "tools" in found[p]]
    assert not [p for p in ("domain", "consumers", "producers", "projections", "store", "messaging")
                if "entrypoints" in found[p]]


def test_every_benchmark_module_imports():
    """`make bench` is not part of the suite: a moved module must not break it unseen."""
    import importlib

    for path in sorted((ROOT / "bench").glob("*.py")):
        importlib.import_module(f"bench.{path.stem}")
