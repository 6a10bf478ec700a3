"""Text from users (customer, seller, titles, offer and line names, notes), cleaned where it
enters the models, so documents, workbooks, pages and terminals show what was typed, in order.

Cleaning removes:

- bidi overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069): a name holding
  U+202E (right-to-left override) would otherwise display reversed, and so would whatever a
  document prints after it on the same line;
- the bidi marks U+200E, U+200F and U+061C in text without right-to-left letters, where they
  can only move neighbouring characters (in Arabic or Hebrew text they are kept: there they
  place punctuation and digits correctly);
- the deprecated format characters U+206A-U+206F;
- control characters (C0, DEL, C1): a tab or a line break becomes a space in one-line text
  (names), and is kept in multi-line text (notes), where ``\\r\\n`` becomes ``\\n``;
- line and paragraph separators (U+2028, U+2029): a space, or a line break in notes.

Nothing else changes: letters of every script, joiners and emoji stay as typed.
:data:`Name` (1 to 200 characters), :data:`Label` (up to 200) and :data:`Note` (up to 2,000,
line breaks kept) are the pydantic field types of text from users: their length limit counts
the characters as sent (what the JSON schema states), then the text is cleaned and trimmed; a
name needs a character that stays (the schema's pattern says so). :data:`CLEAN_LINE` and
:data:`CLEAN_NOTE` (after a field's own constraints) and :data:`CleanText` and :data:`CleanNote`
(without constraints) only clean.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

#: Overrides, embeddings (U+202A-U+202E) and isolates (U+2066-U+2069): always removed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Left-to-right, right-to-left and Arabic letter marks: removed from text without RTL letters.
BIDI_MARKS = frozenset("\u200e\u200f\u061c")
_DEPRECATED_FORMAT = frozenset("\u206a\u206b\u206c\u206d\u206e\u206f")
_REMOVED = BIDI_CONTROLS | _DEPRECATED_FORMAT
_SEPARATORS = frozenset("\u2028\u2029")
_SUSPECT = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u206f]"
)


def _has_rtl_letters(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") and ch not in BIDI_MARKS for ch in text)


def clean_text(text: str, *, multiline: bool = False) -> str:
    """``text`` without bidi controls and control characters (see the module docstring).

    One-line text gets a space for a tab or line break; ``multiline`` text keeps tabs and line
    breaks (``\\n``). Text with nothing to clean is returned as it is.
    """
    if _SUSPECT.search(text) is None:
        return text
    if multiline:
        text = text.replace("\r\n", "\n")
    keep_marks = _has_rtl_letters(text)
    out: list[str] = []
    for ch in text:
        if ch in _REMOVED or (ch in BIDI_MARKS and not keep_marks):
            continue
        if ch in ("\t", "\n", "\r") or ch in _SEPARATORS:
            out.append("\n" if multiline and ch != "\t" else ("\t" if multiline else " "))
            continue
        if unicodedata.category(ch) == "Cc":
            continue
        out.append(ch)
    return "".join(out)


def _clean_line(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def _clean_note(value: Any) -> Any:
    return clean_text(value, multiline=True) if isinstance(value, str) else value


#: Cleans a one-line text field (a name, a title) before it is validated. Put it after the
#: field's constraints, ``Annotated[str, Field(max_length=200), CLEAN_LINE]``: the constraints
#: then apply to the cleaned text with pydantic's usual messages ("String should have at most
#: 200 characters"); after them, pydantic would check them as generic lengths.
CLEAN_LINE = BeforeValidator(_clean_line)
#: Cleans a multi-line text field (a note), line breaks kept; after the constraints, as above.
CLEAN_NOTE = BeforeValidator(_clean_note)
#: One-line text without constraints of its own.
CleanText = Annotated[str, CLEAN_LINE]
#: Multi-line text without constraints of its own.
CleanNote = Annotated[str, CLEAN_NOTE]


#: A character that stays after cleaning and trimming: a name needs one (JSON schema pattern,
#: searched anywhere in the text; the same class in Python, Rust and ECMAScript regexes).
VISIBLE = "[^\\s\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u206f]"


def _sent(max_length: int, *, multiline: bool = False) -> BeforeValidator:
    """Refuse text longer than ``max_length`` as sent, then clean it."""

    def check(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if len(value) > max_length:
            raise PydanticCustomError(
                "string_too_long",
                "String should have at most {max_length} characters",
                {"max_length": max_length},
            )
        return clean_text(value, multiline=multiline)

    return BeforeValidator(check)


#: A name (customer, seller, product, cost line): 1 to 200 characters, cleaned.
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=VISIBLE), _sent(200)]
#: A title or an optional name: up to 200 characters, cleaned.
Label = Annotated[str, Field(max_length=200), _sent(200)]
#: A note: up to 2,000 characters, cleaned, line breaks kept.
Note = Annotated[str, Field(max_length=2000), _sent(2000, multiline=True)]
