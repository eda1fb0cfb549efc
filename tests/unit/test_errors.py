"""The error catalogue: every error_id the server can return has a text in both languages.

The console shows an error as the text of its ``error_id`` (``error.<error_id>`` in
``web/i18n.js``, ``web/messages.js``), never the server's English ``message``, so every
id must have one. The ids are every ``CallcenterError`` subclass's (found by importing
every module of the package), the literal ids the HTTP middleware and the WebSocket put
in a body, the ``http_<status>`` ids of the errors aiohttp raises itself, and the two the
console makes up. The string table is parsed here from the JavaScript source, and its two
locales must have exactly the same keys and placeholders.
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
from pathlib import Path

import callcenter
from callcenter.errors import CallcenterError

PACKAGE = Path(callcenter.__file__).parent
WEB = PACKAGE.parent / "web"

# What aiohttp raises before or around a handler, turned into "http_<status>" by
# http/middleware.py: 400 (a WebSocket request that is not an upgrade, a bad body), 403 and
# 404 (static files, no such route), 405 (no such method on a route), 413 (a body over
# client_max_size).
AIOHTTP_STATUSES = (400, 403, 404, 405, 413)
# Made up by the console itself (web/api.js): no answer at all, an answer without an id.
CLIENT_IDS = ("network_error", "http_error")
# The console's text when it has nothing better (web/messages.js); not an error_id.
FALLBACK = "generic"

_ENTRY = re.compile(r'^\s*("(?:[^"\\]|\\.)*"):\s*("(?:[^"\\]|\\.)*"),?\s*$')
_LOCALE = re.compile(r'^\s*"([\w-]+)":\s*\{\s*$')
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def string_table() -> dict[str, dict[str, str]]:
    """``STRINGS`` of web/i18n.js: one ``"key": "text",`` per line, in two locale blocks."""
    source = (WEB / "i18n.js").read_text(encoding="utf-8")
    block = source.split("export const STRINGS = {\n", 1)[1].split("\n};\n", 1)[0]
    table: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for number, line in enumerate(block.splitlines(), 1):
        if not line.strip() or line.strip().startswith("//"):
            continue
        if m := _LOCALE.match(line):
            current = table.setdefault(m.group(1), {})
        elif line.strip() in ("},", "}"):
            current = None
        elif (m := _ENTRY.match(line)) and current is not None:
            key, text = json.loads(m.group(1)), json.loads(m.group(2))
            assert key not in current, f"i18n.js: {key!r} twice"
            current[key] = text
        else:
            raise AssertionError(f"i18n.js STRINGS line {number} is not one entry: {line!r}")
    return table


def _import_every_module() -> None:
    for module in pkgutil.walk_packages(callcenter.__path__, "callcenter."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)


def _subclasses(cls: type[CallcenterError]) -> set[type[CallcenterError]]:
    found = {cls}
    for sub in cls.__subclasses__():
        found |= _subclasses(sub)
    return found


def _literal_ids() -> set[str]:
    """Values of an "error_id" key in a dict literal anywhere in the package."""
    ids: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Dict):
                continue
            for key, value in zip(node.keys, node.values, strict=True):
                if not (isinstance(key, ast.Constant) and key.value == "error_id"):
                    continue
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    ids.add(value.value)
                elif isinstance(value, ast.JoinedStr) and ast.unparse(value).startswith(
                        "f'http_"):
                    ids |= {f"http_{status}" for status in AIOHTTP_STATUSES}
                elif not (isinstance(value, ast.Attribute) and value.attr == "error_id"):
                    raise AssertionError(f"{path}:{node.lineno}: an error_id the catalogue "
                                         f"cannot read: {ast.unparse(value)}")
    return ids


def error_ids() -> set[str]:
    _import_every_module()
    ids = {cls.error_id for cls in _subclasses(CallcenterError)
           if cls.__module__.startswith("callcenter.")}
    return ids | _literal_ids() | set(CLIENT_IDS)


def test_the_catalogue_finds_every_kind_of_error_id() -> None:
    ids = error_ids()
    assert {"internal_error", "bad_credentials", "slot_full"} <= ids  # classes
    assert {"unexpected_message", "http_404"} <= ids  # literals in ws.py, middleware.py
    api_js = (WEB / "api.js").read_text(encoding="utf-8")
    assert all(f'"{client_id}"' in api_js for client_id in CLIENT_IDS)


def test_both_locales_have_the_same_keys_and_placeholders() -> None:
    table = string_table()
    locales = re.search(r"export const LOCALES = \[(.*?)\];",
                        (WEB / "i18n.js").read_text(encoding="utf-8"))
    assert locales is not None
    assert sorted(table) == sorted(json.loads(f"[{locales.group(1)}]")) == ["en", "zh-CN"]
    zh, en = table["zh-CN"], table["en"]
    assert sorted(zh.keys() - en.keys()) == [], "keys only in zh-CN"
    assert sorted(en.keys() - zh.keys()) == [], "keys only in en"
    differing = [key for key in zh
                 if set(_PLACEHOLDER.findall(zh[key])) != set(_PLACEHOLDER.findall(en[key]))]
    assert differing == [], "the two texts fill in different {placeholders}"
    empty = [f"{locale}: {key}" for locale, texts in table.items()
             for key, text in texts.items() if not text.strip()]
    assert empty == []


def test_every_error_id_has_a_text_in_both_locales() -> None:
    table = string_table()
    for locale, texts in table.items():
        missing = sorted(i for i in error_ids() if f"error.{i}" not in texts)
        assert missing == [], f"error_ids without a text in {locale}"


def test_every_error_text_is_for_an_error_id_there_is() -> None:
    ids = error_ids() | {FALLBACK}
    # "error.<id>.<detail>": the text used when the error carries that detail.
    stale = sorted(key for key in string_table()["en"]
                   if key.startswith("error.") and key.split(".")[1] not in ids)
    assert stale == [], "texts of error_ids nothing returns any more"
