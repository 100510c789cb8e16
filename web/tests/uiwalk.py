"""What the Vietnamese-UI walks look for: the text a person sees on a page (not markup,
not URLs), English words from a list, and raw codes (organisation-unit codes, audit action
names, enum values). Shared by the fast client walk and the browser walk."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from common.audit import ACTION_LABELS

# English a Vietnamese page should never show (whole words, case-sensitive where a
# Vietnamese word is spelled the same in lower case)
ENGLISH_WORDS = [
    "the", "and", "of", "with", "from", "should", "Input", "valid", "invalid", "required",
    "Save", "Submit", "Search", "Status", "Edit", "Delete", "Cancel", "Export", "Import",
    "Download", "Upload", "None", "True", "False", "Error", "Page", "Next", "Previous",
    "Sign", "Login", "Logout", "Password", "Username", "Report", "Reports", "Period", "Due",
    "Draft", "Submitted", "Accepted", "Returned", "Enterprise", "Industrial", "Zone", "Name",
    "Kind", "Place", "Total", "Year", "Opened", "Closed", "Field", "Value", "History",
    "Changes", "Filter", "Sort", "Show", "Not found", "Forbidden", "overdue", "electricity",
    "economic_zone", "year", "h1", "h2", "Tasks", "Targets", "Agencies", "Home",
]
_ENGLISH = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH_WORDS)
                      + r")(?![\w-])")

# enum values people must not see (choices are shown by their labels)
ENUM_VALUES = [
    "economic_zone", "industrial_park", "industrial_cluster", "craft_village",
    "supermarket", "commercial_centre", "convenience_store", "traditional_market",
    "cleaner_production", "in_progress", "not_started", "inspected", "declared",
    "draft", "submitted", "returned", "accepted", "semiannual", "annual", "adhoc",
]

_HIDDEN = {"script", "style", "template", "noscript"}
_SHOWN_ATTRS = {"title", "placeholder", "aria-label", "alt", "value"}


class _Text(HTMLParser):
    """The visible text of a page: its own words and what people or data files entered
    (notes, sources, history values) alike, since both are shown to users."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        kind = dict(attrs).get("type", "")
        for name, value in attrs:
            if not value or name not in _SHOWN_ATTRS:
                continue
            # a button's value and a text box's placeholder are read; hidden fields and
            # a select's option values are not
            if name == "value" and not (tag == "input" and kind in {"submit", "button"}):
                continue
            self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text a person sees on a page (and reads in buttons, titles, placeholders)."""
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


_EMAIL = re.compile(r"\S+@\S+")


def english_words(text: str) -> list[str]:
    """The words of the English list in `text`."""
    return [m[1] for m in _ENGLISH.finditer(text)]


def problems(text: str, unit_codes: set[str]) -> list[str]:
    """English words and raw codes in `text` (a page's visible text)."""
    text = _EMAIL.sub(" ", text)
    found = [f"English: {word!r}" for word in english_words(text)]
    words = set(re.findall(r"[\w.-]+", text))
    found += [f"unit code: {w!r}" for w in sorted(words & unit_codes)]
    found += [f"unit code: {w!r}" for w in sorted(words) if re.fullmatch(r"dn-\d{6,}", w)]
    found += [f"action: {w!r}" for w in sorted(words & set(ACTION_LABELS))]
    found += [f"enum value: {w!r}" for w in sorted(words & set(ENUM_VALUES))]
    return found


def context(text: str, problem: str, width: int = 60) -> str:
    """The problem with the text around its first occurrence, for a readable failure."""
    needle = problem.split("'")[1] if "'" in problem else problem
    i = text.find(needle)
    return f"{problem} in «…{text[max(0, i - width):i + width]}…»"
