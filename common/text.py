"""Vietnamese text as people search and sort it: one folding function for search (case and
diacritics ignored, đ read as d) and one sort key for the Vietnamese alphabet.

Why hand-written: PyICU (the ICU "vi" collation) has no wheels on PyPI and needs a C++ build
against libicu; Unidecode is GPL. Vietnamese needs little: the standard library's Unicode
decomposition tells the letter-forming marks (ă â ê ô ơ ư) from the five tone marks, and the
alphabet is short. The key is a string of digits, so Python's sorted() and every database's
ORDER BY (whatever its collation) agree on it: models store it and lists order by it."""

from __future__ import annotations

import re
import unicodedata

# the Vietnamese alphabet, with the letters of foreign words (f j w z) in their Latin places
ALPHABET = tuple("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")
_LETTER_RANK = {letter: 100 + i for i, letter in enumerate(ALPHABET)}
# marks that make a letter (breve, circumflex, horn) and tone marks in dictionary order:
# none, huyền, hỏi, ngã, sắc, nặng (CLDR's Vietnamese collation)
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_SPACE = "001"
_END_OF_LETTERS = "000"
SORT_KEY_LENGTH = 255


def fold(text: str | None) -> str:
    """Lower case without diacritics, đ as d, single spaces: "Cụm công nghiệp Đông Hải" →
    "cum cong nghiep dong hai". Search compares folded text with folded terms."""
    decomposed = unicodedata.normalize("NFD", (text or "").casefold().replace("đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


def _graphemes(text: str) -> list[tuple[str, set[str]]]:
    """(base character, its combining marks) for each character of `text`."""
    out: list[tuple[str, set[str]]] = []
    for c in unicodedata.normalize("NFD", text.casefold()):
        if unicodedata.combining(c) and out:
            out[-1][1].add(c)
        else:
            out.append((c, set()))
    return out


def sort_key(text: str | None) -> str:
    """The order of the Vietnamese alphabet (a ă â b c d đ e ê …), tones compared only
    between names with the same letters (a à ả ã á ạ), case ignored; digits before letters;
    spaces and punctuation count as one separator. A string of digits at most
    SORT_KEY_LENGTH long: a letter is three digits, any other character "9" and its code
    point; the tones follow the letters after "000"."""
    letters: list[str] = []
    tones: list[str] = []
    for base, marks in _graphemes(text or ""):
        letter = base + "".join(sorted(marks & _LETTER_MARKS))
        letter = unicodedata.normalize("NFC", letter)
        rank = _LETTER_RANK.get(letter) or _LETTER_RANK.get(base)
        if rank is not None:
            letters.append(str(rank))
        elif base.isdigit() and base.isascii():
            letters.append(f"01{base}")
        elif not base.isalnum():
            if letters and letters[-1] != _SPACE:
                letters.append(_SPACE)
            continue
        else:
            letters.append(f"9{ord(base):07d}")
        tone = max((_TONES.get(m, 0) for m in marks), default=0)
        tones.append(str(tone))
    while letters and letters[-1] == _SPACE:
        letters.pop()
    return ("".join(letters) + _END_OF_LETTERS + "".join(tones))[:SORT_KEY_LENGTH]


_WORD = re.compile(r"\S+")


def search_terms(query: str | None) -> list[str]:
    """The folded words of a search box's text; every one must occur."""
    return _WORD.findall(fold(query))
