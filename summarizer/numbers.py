"""The one check of a number a user gives: settings (`settings.py`) and the CLI's own numeric
options (`cli/common.number`) alike, so `nan`, `inf` and negatives are refused the same way
everywhere, before any work."""

from __future__ import annotations

import math

from .errors import SettingError


def check_number(
    name: str,
    value: object,
    *,
    integer: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    positive: bool = False,
) -> None:
    """Refuse non-numbers (bools included), NaN and infinities, and values out of range, as a
    `SettingError` naming `name`."""
    kind = "an integer" if integer else "a number"
    ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type:
        raise SettingError(name, f"must be {kind} (got {value!r})")
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise SettingError(name, f"must be a finite number (got {value!r})")
    if positive and number <= 0:
        raise SettingError(name, f"must be more than 0 (got {value!r})")
    if minimum is not None and number < minimum:
        raise SettingError(name, f"must be at least {minimum:g} (got {value!r})")
    if maximum is not None and number > maximum:
        raise SettingError(name, f"must be at most {maximum:g} (got {value!r})")
