"""Study years of an installed asset, counted from its commissioning date.

Year 0 is the commissioning date (the purchase of the quote); study year k (1..N) runs from the
(k-1)-th to the k-th anniversary of that date. An anniversary of 29 February falls on 28 February
in years that have none. Time is an argument: nothing here reads the clock.
"""

from __future__ import annotations

import math
from datetime import date


def add_years(start: date, years: int) -> date:
    """The ``years``-th anniversary of ``start`` (29 February -> 28 February when needed)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a year without one
        return start.replace(year=start.year + years, day=28)


def years_elapsed(start: date, day: date) -> float:
    """Study years from ``start`` to ``day``: whole years to the last anniversary plus the share
    of the current year's days that have passed (negative before ``start``)."""
    if day < start:
        return -((start - day).days / 365.25)
    k = day.year - start.year
    begin = add_years(start, k)
    if begin > day:
        k -= 1
        begin = add_years(start, k)
    end = add_years(start, k + 1)
    return k + (day - begin).days / (end - begin).days


def study_year(start: date, day: date, last: int) -> int:
    """The study year an amount on ``day`` falls in: 0 on or before ``start``, k for a day after
    the (k-1)-th anniversary up to the k-th, at most ``last`` (amounts after the study period
    count in its last year)."""
    t = years_elapsed(start, day)
    if t <= 0:
        return 0
    return min(math.ceil(t), last)
