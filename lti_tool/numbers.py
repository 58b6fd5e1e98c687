"""Whole numbers taken from outside (URLs, forms, platform claims) fit the database's integer columns, or are
treated as absent: a number too big for a column must be a 404 or a refusal, never a 500."""

from __future__ import annotations

DATABASE_INT_MAX = 2**31 - 1


def bounded_int(value: object) -> int:
    """``int(value)`` for ASCII digits (an optional minus sign) within the database's range, else ValueError."""
    text = str(value).strip()
    digits = text.removeprefix("-")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 10:
        raise ValueError(f"not a whole number in range: {text[:20]!r}")
    number = int(text)
    if abs(number) > DATABASE_INT_MAX:
        raise ValueError(f"not a whole number in range: {text[:20]!r}")
    return number


def positive_int_or_none(value: object) -> int | None:
    """A positive id from outside, or None when it is absent, malformed or out of range."""
    try:
        number = bounded_int(value)
    except ValueError:
        return None
    return number if number > 0 else None
