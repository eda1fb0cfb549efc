"""Words for PostgreSQL full-text search, Chinese included.

PostgreSQL's parsers split on spaces and punctuation, so a Chinese sentence would be one
"word" and never match a search for a word inside it. Text is therefore segmented here
(jieba's search mode, which also emits the shorter words inside long ones) and joined
with spaces; the database then builds the tsvector with the 'simple' configuration,
which only lower-cases. Queries are segmented the same way, so both sides agree.
"""

from __future__ import annotations

import logging
import re
from functools import cache

import jieba

# Anything that is neither a letter nor a digit separates words (punctuation, CJK marks).
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
MAX_QUERY_WORDS = 16


@cache
def _tokenizer() -> jieba.Tokenizer:
    # Loading the dictionary takes about a second: once per process, off the event loop
    # (callers run segment() in a thread). jieba logs its loading at INFO otherwise.
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def segment(text: str) -> str:
    """The words of ``text`` separated by single spaces, lower-cased."""
    words: list[str] = []
    for chunk in _NOT_WORD.split(text.lower()):
        if chunk:
            words.extend(w for w in _tokenizer().cut_for_search(chunk) if w.strip())
    return " ".join(words)


def query_words(text: str) -> list[str]:
    """The words a search must all contain (for plainto_tsquery's AND)."""
    seen: dict[str, None] = {}
    for chunk in _NOT_WORD.split(text.lower()):
        if chunk:
            # A query word is matched whole: the precise cut, not the search-mode pieces,
            # or "刹车异响" would also require the fragments of every longer word.
            seen.update((w, None) for w in _tokenizer().cut(chunk) if w.strip())
    return list(seen)[:MAX_QUERY_WORDS]
