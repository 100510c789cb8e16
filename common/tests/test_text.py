"""Vietnamese folding for search and the Vietnamese alphabet's sort key."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.text import fold, search_terms, sort_key


@pytest.mark.parametrize(("text", "folded"), [
    ("Cái Lân", "cai lan"), ("CÁI LÂN", "cai lan"),
    ("Cụm công nghiệp  Đông Hải", "cum cong nghiep dong hai"),
    ("ĐẦM HÀ", "dam ha"), ("Ưng  Hoà", "ung hoa"), (None, ""),
])
def test_fold_ignores_case_and_diacritics(text, folded):
    assert fold(text) == folded


def test_search_terms_are_folded_words():
    assert search_terms("  CÁI   lân ") == ["cai", "lan"]


@pytest.mark.parametrize(("first", "second"), [
    ("Hà An", "Hoành Bồ"), ("Mạo Khê", "Mông Dương"), ("Vàng Danh", "Việt Hưng"),
    ("Quảng Đức", "Quảng Tân"), ("Quảng Dực", "Quảng Đức"),
    ("an", "ăn"), ("ăn", "ân"), ("ân", "bà"), ("dê", "đê"), ("đê", "em"), ("ôm", "ơn"),
    ("ơn", "pa"), ("ung", "ưng"), ("ưng", "va"), ("Ba", "Bà"), ("Bà", "Bả"), ("Bả", "Bã"),
    ("Bã", "Bá"), ("Bá", "Bạ"), ("Bạ", "Bác"), ("Ba Chẽ", "Bà Chẽ"), ("Ô Tô", "Ống"),
    ("Khu 2", "Khu A"), ("Hạ Long", "hạ Long 2"),
])
def test_sort_key_follows_the_vietnamese_alphabet(first, second):
    assert sort_key(first) < sort_key(second)
    assert sorted([second, first], key=sort_key) == [first, second]


def test_sort_key_ignores_case_and_punctuation():
    assert sort_key("HẠ LONG") == sort_key("hạ long") == sort_key("Hạ  Long.")


@given(st.text(max_size=200))
def test_sort_key_is_digits_within_the_column(text):
    key = sort_key(text)
    assert key.isdigit() and key.isascii() and len(key) <= 255


def _toneless(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed
                                               if c not in "\u0300\u0309\u0303\u0301\u0323"))


_VI = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệòỏõóọồổỗốộờởỡớợ "


@given(st.text(alphabet=_VI, max_size=12), st.text(alphabet=_VI, max_size=12))
def test_letters_decide_before_tones(a, b):
    """Tones only break ties between names with the same letters."""
    if sort_key(_toneless(a)) < sort_key(_toneless(b)):
        assert sort_key(a) < sort_key(b)
