"""The handbook's search ignores accent marks, as the site's does ("chu ky so" finds "Chữ ký
số"): a Sphinx extension that registers a search language for `vi`, the book's language.

Sphinx has none of its own for Vietnamese and falls back to English: Porter stems and English
stop words, which leave "số", "an toàn" or "tờ" out of the index ("so", "an" and "to" are
English stop words). Here every word is indexed folded and lowercased, nothing is a stop word,
and the page folds each query word the same way (the `Stemmer` below, which Sphinx puts in
the book's language_data.js). English lesson plans are indexed as written, unstemmed: Sphinx's
search also finds a word inside a longer one ("payment" in "payments").
handbook.py copies this file into the book's `_ext/` folder, where jupyter-book loads it.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.search import SearchLanguage

from kynangso.site.post.search import fold


class SearchVietnamese(SearchLanguage):
    lang = "vi"
    language_name = "Vietnamese"
    stopwords: set[str] = set()
    # the same folding as `fold`: "đ" to "d", then every combining mark dropped
    js_stemmer_code = """
var Stemmer = function () {
  this.stemWord = function (word) {
    return word.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD").replace(/\\p{Mn}/gu, "");
  };
};
"""

    def stem(self, word: str) -> str:
        return fold(word).lower()


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_search_language(SearchVietnamese)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
