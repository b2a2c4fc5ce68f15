"""The balance chart's arithmetic, without Qt: round ticks in integer cents, exact
labels (from Decimal, never a float), and the min/max envelope of the versions that
fall into each pixel column."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# (from this many cents on, the unit in cents, its suffix): 12,345.00 -> "12.3k"
_UNITS = ((10**12, 10**11, "B"), (10**9, 10**8, "M"), (10**6, 10**5, "k"))


def nice_step(span: int, ticks: int = 4) -> int:
    """A round tick interval (1, 2, 2.5 or 5 times a power of ten) giving about
    `ticks` intervals over `span` (integers: cents or versions)."""
    if span <= 0:
        return 1
    raw = span / ticks
    power = 1
    while power * 10 <= raw:
        power *= 10
    for numerator, denominator in ((1, 1), (2, 1), (5, 2), (5, 1), (10, 1)):
        step = power * numerator // denominator
        if step >= raw and step * denominator == power * numerator:
            return max(step, 1)
    return max(power * 10, 1)


def ticks(low: int, high: int, count: int = 4) -> tuple[int, list[int]]:
    """(step, tick values) of round values from `low` to `high`, anchored at zero."""
    step = nice_step(high - low, count)
    first = -(-low // step) * step  # ceil to a multiple of step
    return step, list(range(first, high + 1, step))


def unit_of(magnitude: int) -> tuple[int, str]:
    """The unit (in cents) and suffix to label values of about `magnitude` cents."""
    for threshold, unit, suffix in _UNITS:
        if magnitude >= threshold:
            return unit, suffix
    return 100, ""


def money_label(cents: int, step: int, unit: int = 100, suffix: str = "") -> str:
    """An axis label: `cents` in `unit` with as few places as `step` needs (≤ 2)."""
    if cents == 0:
        return "0"
    value = Decimal(cents) / Decimal(unit)
    places = 0
    scaled = Decimal(step) / Decimal(unit)
    while places < 2 and scaled != scaled.to_integral_value():
        scaled *= 10
        places += 1
    if places and not suffix:
        places = 2  # plain money: cents, as everywhere else
    return f"{value:,.{places}f}{suffix}"


@dataclass(frozen=True, slots=True)
class Column:
    """The versions drawn in one pixel column: the lowest, highest and last balance."""

    first: int  # version
    last: int  # version
    low: int  # cents
    high: int  # cents
    close: int  # cents, after the column's last version


def envelope(cents: list[int], first: int, last: int, columns: int) -> list[Column]:
    """Versions `first`…`last` (1-based) in at most `columns` pixel columns, each with
    its min, max and closing balance; a column also reaches to the previous column's
    close, so the band never breaks."""
    if columns <= 0 or last < first:
        return []
    count = last - first + 1
    per = count / columns
    found: list[Column] = []
    previous = cents[first - 2] if first >= 2 else None
    start = first
    for column in range(columns):
        end = first + int((column + 1) * per) - 1 if column < columns - 1 else last
        if end < start:
            continue
        chunk = cents[start - 1 : end]
        low, high, close = min(chunk), max(chunk), chunk[-1]
        if previous is not None:
            low, high = min(low, previous), max(high, previous)
        found.append(Column(start, end, low, high, close))
        previous = close
        start = end + 1
    return found


def decimate(cents: list[int], buckets: int) -> list[tuple[int, int]]:
    """(version, cents) points: every point, or the min and max per bucket of versions
    in the order they occur (spikes stay visible)."""
    n = len(cents)
    if n <= 2 * buckets:
        return [(i + 1, value) for i, value in enumerate(cents)]
    points: list[tuple[int, int]] = []
    step = n / buckets
    start = 0
    for b in range(buckets):
        end = min(n, int((b + 1) * step))
        if end <= start:
            continue
        chunk = cents[start:end]
        low = chunk.index(min(chunk))
        high = chunk.index(max(chunk))
        for i in sorted({low, high}):
            points.append((start + i + 1, chunk[i]))
        start = end
    return points
