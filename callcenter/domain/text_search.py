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
import time
from functools import cache

import jieba

# Anything that is neither a letter nor a digit separates words (punctuation, CJK marks).
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
MAX_QUERY_WORDS = 16


@cache
def _tokenizer() -> jieba.Tokenizer:
    # Loading the dictionary takes about a second: once per process, off the event loop
    # (callers run segment() in a thread, the recordings worker warms it up at start).
    # jieba's own initialize() holds the GIL for 100-400 ms at a time (its marshal cache
    # is read in one C call; without the cache, big dict work between GIL switches),
    # which stalls the event loop even from a thread; this builds the same prefix
    # dictionary in Python, handing the GIL back every few hundred lines.
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    freq: dict[str, int] = {}
    total = 0
    with tokenizer.get_dict_file() as lines:
        for number, line in enumerate(lines):
            word, count = line.strip().decode("utf-8").split(" ")[:2]
            freq[word] = int(count)
            total += int(count)
            for end in range(1, len(word)):
                freq.setdefault(word[:end], 0)
            if number % 500 == 0:
                time.sleep(0)  # let the event loop's thread run
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, total, True
    return tokenizer


def warm_up() -> None:
    """Load the dictionary now (blocking: run it in a thread) rather than at the first
    search or index."""
    _tokenizer()


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
