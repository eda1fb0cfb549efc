import pytest

from callcenter.db.queries import load_queries, parse_queries


def test_named_statements() -> None:
    q = parse_queries("-- name: a\nSELECT 1;\n\n-- name: b\nSELECT $1\n")
    assert q == {"a": "SELECT 1", "b": "SELECT $1"}


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        parse_queries("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;\n")


def test_shipped_query_files_parse() -> None:
    assert "insert_user" in load_queries("users")
