import ast
from pathlib import Path

import pytest

import callcenter
from callcenter.db.queries import load_queries, parse_queries


def test_named_statements() -> None:
    q = parse_queries("-- name: a\nSELECT 1;\n\n-- name: b\nSELECT $1\n")
    assert q == {"a": "SELECT 1", "b": "SELECT $1"}


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        parse_queries("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;\n")


def test_shipped_query_files_parse() -> None:
    assert "insert_user" in load_queries("users")


# -- every named statement is used by the code ----------------------------------------
#
# A statement counts as used when a module that loads its file (``Q = load_queries(...)``,
# or imports such a name from the module that does) subscripts that name with it
# (``Q["insert_user"]``). A module that also subscripts it with an expression
# (``Q[section]``, ``Q[query]``) uses every string literal it holds: the statement names
# it picks from (``SECTIONS = ("phones", ...)``, ``_merged(conn, "merge_orders")``).

PACKAGE = Path(callcenter.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _loaded_features(tree: ast.Module) -> dict[str, str]:
    """{variable: feature} for ``VAR = load_queries("feature")`` at module level."""
    found = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id == "load_queries"
                and len(node.value.args) == 1
                and isinstance(node.value.args[0], ast.Constant)
                and isinstance(node.value.args[0].value, str)):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.args[0].value
    return found


def _used_statements() -> dict[str, set[str]]:
    trees = {_module_name(p): ast.parse(p.read_text(encoding="utf-8"), str(p))
             for p in PACKAGE.rglob("*.py")}
    loaders = {name: _loaded_features(tree) for name, tree in trees.items()}
    used: dict[str, set[str]] = {}
    for name, tree in trees.items():
        variables = dict(loaders[name])
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in loaders:
                for alias in node.names:
                    if alias.name in loaders[node.module]:
                        variables[alias.asname or alias.name] = loaders[node.module][alias.name]
        if not variables:
            continue
        literals = {n.value for n in ast.walk(tree)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
                    and node.value.id in variables):
                continue
            names = used.setdefault(variables[node.value.id], set())
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                names.add(node.slice.value)
            else:
                names |= literals
    return used


def test_the_usage_scan_sees_literal_and_picked_names() -> None:
    used = _used_statements()
    assert "insert_user" in used["users"]  # Q["insert_user"]
    assert "merge_orders" in used["imports"]  # _merged(conn, "merge_orders") -> Q[query]


def test_every_named_statement_is_used() -> None:
    used = _used_statements()
    unused = [f"{path.name}: {name}"
              for path in sorted((PACKAGE / "db" / "queries").glob("*.sql"))
              for name in load_queries(path.stem)
              if name not in used.get(path.stem, set())]
    assert not unused, "statements no code runs:\n" + "\n".join(unused)
