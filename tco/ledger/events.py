"""Service events: what happens to an installed asset, appended and never changed.

Every event names the asset, the day it happened and its kind, and carries an ``event_id`` given
by its sender (a service system, a spreadsheet, a person): an event sent again with the same id
and the same content is recorded once; the same id with other content is refused. Kinds and
their fields (amounts in the quote's currency, money of the day):

- ``operating_hours``: ``hours``, the reading of the hour meter (cumulative since commissioning);
- ``repair``: one failure; ``cost`` (parts and labor), ``payer`` (``buyer`` or ``seller``: the
  seller pays under a warranty, a service plan or as goodwill), ``downtime_hours`` (standstill);
- ``maintenance``: a preventive maintenance visit; ``cost`` and ``payer`` (optional together);
- ``energy``: ``kwh`` used since the previous energy reading, ``cost`` what it cost (optional:
  otherwise kWh x the quote's energy price);
- ``contact``: ``contact`` (``visit``, ``call``, ``complaint``, ``praise``).

``note`` is free text on any kind. Fields that do not belong to a kind are refused by name.

CSV import (:func:`parse_events_csv`): a header line naming the columns of :data:`CSV_COLUMNS`
(``event_id``, ``asset_id``, ``date`` and ``kind`` required; the others optional; any order), one
event per line, empty cells for fields not given. Every problem is reported as
``line N: field: message`` (line 1 is the header); a file with any problem imports nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from tco.core.errors import Problem, TcoError, format_path
from tco.core.text import CleanNote


class EventKind(StrEnum):
    operating_hours = "operating_hours"
    repair = "repair"
    maintenance = "maintenance"
    energy = "energy"
    contact = "contact"


class ContactKind(StrEnum):
    visit = "visit"
    call = "call"
    complaint = "complaint"
    praise = "praise"


class Payer(StrEnum):
    buyer = "buyer"
    seller = "seller"


class EventError(TcoError):
    """Events that cannot be recorded; every problem is named by its field (and CSV line)."""


EventId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/#-]{0,99}$")]
Hours = Annotated[Decimal, Field(ge=0, le=10_000_000, max_digits=12, decimal_places=2)]
Amount = Annotated[Decimal, Field(ge=0, le=10**12, max_digits=20, decimal_places=6)]
Kwh = Annotated[Decimal, Field(ge=0, le=10**12, max_digits=16, decimal_places=3)]
Downtime = Annotated[Decimal, Field(ge=0, le=100_000, max_digits=10, decimal_places=2)]
EARLIEST = date(2000, 1, 1)

#: The fields each kind requires and the optional ones it accepts (besides note).
REQUIRED: dict[EventKind, frozenset[str]] = {
    EventKind.operating_hours: frozenset({"hours"}),
    EventKind.repair: frozenset({"cost", "payer"}),
    EventKind.maintenance: frozenset(),
    EventKind.energy: frozenset({"kwh"}),
    EventKind.contact: frozenset({"contact"}),
}
OPTIONAL: dict[EventKind, frozenset[str]] = {
    EventKind.operating_hours: frozenset(),
    EventKind.repair: frozenset({"downtime_hours"}),
    EventKind.maintenance: frozenset({"cost", "payer"}),
    EventKind.energy: frozenset({"cost"}),
    EventKind.contact: frozenset(),
}
VALUE_FIELDS = ("hours", "cost", "payer", "downtime_hours", "kwh", "contact")


class EventInput(BaseModel):
    """One event as a sender gives it (API body, CSV line, command-line options)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    event_id: EventId
    asset_id: Annotated[int, Field(ge=1, le=2**31 - 1)]
    date: date
    kind: EventKind
    hours: Hours | None = None
    cost: Amount | None = None
    payer: Payer | None = None
    downtime_hours: Downtime | None = None
    kwh: Kwh | None = None
    contact: ContactKind | None = None
    note: Annotated[CleanNote, Field(max_length=2000)] = ""

    def digest(self) -> str:
        """SHA-256 of the content (every field but the id, numbers normalised): a re-sent event
        has the same digest, a changed one another."""
        parts = [str(self.asset_id), self.date.isoformat(), self.kind.value]
        for name in VALUE_FIELDS:
            value = getattr(self, name)
            parts.append("" if value is None else _hashed(value))
        parts.append(self.note)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _hashed(value: Any) -> str:
    """A value as the digest sees it: numbers normalised (``1200.00`` and ``1.2E+3`` alike)."""
    if isinstance(value, Decimal):
        return str(value.normalize() + 0)  # + 0 turns -0 into 0
    return str(value.value if isinstance(value, StrEnum) else value)


def canonical(value: Any) -> str:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    return str(value.value if isinstance(value, StrEnum) else value)


def kind_problems(event: EventInput, prefix: str = "") -> list[Problem]:
    """The fields ``event`` lacks or should not have for its kind, and a date before 2000."""
    out: list[Problem] = []
    given = {name for name in VALUE_FIELDS if getattr(event, name) is not None}
    kind = event.kind
    for name in sorted(REQUIRED[kind] - given):
        out.append(Problem(f"{prefix}{name}", f"required for a {kind.value} event"))
    for name in sorted(given - REQUIRED[kind] - OPTIONAL[kind]):
        out.append(Problem(f"{prefix}{name}", f"does not apply to a {kind.value} event"))
    if kind is EventKind.maintenance and (event.cost is None) != (event.payer is None):
        missing = "payer" if event.payer is None else "cost"
        out.append(Problem(f"{prefix}{missing}", "give cost and payer together"))
    if event.date < EARLIEST:
        out.append(Problem(f"{prefix}date", f"must not be before {EARLIEST.isoformat()}"))
    return out


def _pydantic_problems(exc: ValidationError, prefix: str) -> list[Problem]:
    out = []
    for e in exc.errors():
        path = format_path(e["loc"])
        message = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            message = "unknown field"
        elif e["type"] == "missing":
            message = "required"
        elif e["type"] == "enum":
            message = f"{e['input']!r} is not one of: {e['ctx']['expected']}"
        out.append(Problem(f"{prefix}{path}", message))
    return out


def parse_event(raw: Any, prefix: str = "") -> EventInput:
    """Validate one event given as plain data; :class:`EventError` names every problem."""
    if not isinstance(raw, Mapping):
        raise EventError([Problem(prefix.rstrip(": .") or "event", "must be a mapping")])
    try:
        event = EventInput.model_validate(raw)
    except ValidationError as exc:
        raise EventError(_pydantic_problems(exc, prefix)) from None
    problems = kind_problems(event, prefix)
    if problems:
        raise EventError(problems)
    return event


_MANY: TypeAdapter[list[EventInput]] = TypeAdapter(list[EventInput])


def _validate(
    raws: Sequence[Any], prefixes: Sequence[str]
) -> tuple[list[EventInput], list[Problem]]:
    """Events and every problem of them; all validated in one pass when they are well formed,
    event by event (to name every problem) when they are not."""
    try:
        events = _MANY.validate_python(raws)
    except ValidationError:
        out: list[EventInput] = []
        problems: list[Problem] = []
        for raw, prefix in zip(raws, prefixes, strict=True):
            try:
                out.append(parse_event(raw, prefix))
            except EventError as exc:
                problems.extend(exc.problems)
        return out, problems
    found = [
        p for e, prefix in zip(events, prefixes, strict=True) for p in kind_problems(e, prefix)
    ]
    return events, found


def parse_events(raws: Sequence[Any]) -> list[EventInput]:
    """Validate a list of events (a bulk import); problems are named ``[i].field``."""
    events, problems = _validate(raws, [f"[{i}]." for i in range(len(raws))])
    if problems:
        raise EventError(problems)
    return events


# --------------------------------------------------------------------------------------------
# CSV

CSV_COLUMNS = (
    "event_id",
    "asset_id",
    "date",
    "kind",
    "hours",
    "cost",
    "payer",
    "downtime_hours",
    "kwh",
    "contact",
    "note",
)
CSV_REQUIRED = ("event_id", "asset_id", "date", "kind")
#: Problems listed in full before the rest are counted.
MAX_REPORTED = 50


def _header_problems(header: Sequence[str]) -> list[Problem]:
    out = []
    seen: set[str] = set()
    for name in header:
        if name not in CSV_COLUMNS:
            out.append(
                Problem(
                    f"line 1: {name or '(empty)'}",
                    "unknown column; the columns are " + ", ".join(CSV_COLUMNS),
                )
            )
        elif name in seen:
            out.append(Problem(f"line 1: {name}", "is given twice"))
        seen.add(name)
    for name in CSV_REQUIRED:
        if name not in seen:
            out.append(Problem("line 1", f"the column '{name}' is missing"))
    return out


@dataclass(frozen=True, slots=True)
class CsvEvent:
    """An event of a CSV file and the line it starts on."""

    line: int
    event: EventInput


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_REPORTED:
        return problems
    lines = {p.path.split(":")[0] for p in problems[MAX_REPORTED:]}
    rest = Problem(
        "", f"... and {len(problems) - MAX_REPORTED} more problems on {len(lines)} more lines"
    )
    return [*problems[:MAX_REPORTED], rest]


def _rows(text: str) -> Iterable[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    start = 1
    for row in reader:
        yield start, row
        start = reader.line_num + 1


def parse_events_csv(text: str) -> list[CsvEvent]:
    """The events of a CSV file (see the module docstring); :class:`EventError` lists every
    problem by line and column, and nothing is returned when there is one."""
    rows = iter(_rows(text))
    first = next(rows, None)
    if first is None:
        raise EventError([Problem("line 1", "the file is empty; it needs a header line")])
    header = [c.strip() for c in first[1]]
    problems = _header_problems(header)
    if problems:
        raise EventError(problems)
    width = len(header)
    lines: list[int] = []
    raws: list[dict[str, str]] = []
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue  # blank lines are skipped
        if len(row) != width:
            cells = f"has {len(row)} cells; the header has {width}"
            problems.append(Problem(f"line {line}", cells))
            continue
        lines.append(line)
        raws.append({k: v for k, v in zip(header, map(str.strip, row), strict=True) if v})
    events, found = _validate(raws, [f"line {n}: " for n in lines])
    problems = sorted([*problems, *found], key=_line_of)
    if problems:
        raise EventError(_capped(problems))
    if not events:
        raise EventError([Problem("line 2", "the file holds no events")])
    return [CsvEvent(n, e) for n, e in zip(lines, events, strict=True)]


def _line_of(problem: Problem) -> int:
    return int(problem.path.split(":")[0].removeprefix("line "))


def events_csv(events: Iterable[EventInput]) -> str:
    """Events as CSV with the full header (what :func:`parse_events_csv` reads back)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in events:
        writer.writerow(
            [
                e.event_id,
                e.asset_id,
                e.date.isoformat(),
                e.kind.value,
                *("" if getattr(e, n) is None else canonical(getattr(e, n)) for n in VALUE_FIELDS),
                e.note,
            ]
        )
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Recorded events


@dataclass(frozen=True, slots=True)
class Event:
    """A recorded event (what the ledger computes with)."""

    event_id: str
    asset_id: int
    kind: EventKind
    occurred_on: date
    hours: Decimal | None = None
    cost: Decimal | None = None
    payer: Payer | None = None
    downtime_hours: Decimal | None = None
    kwh: Decimal | None = None
    contact: ContactKind | None = None
    note: str = ""

    @classmethod
    def of(cls, e: EventInput) -> Event:
        return cls(
            event_id=e.event_id,
            asset_id=e.asset_id,
            kind=e.kind,
            occurred_on=e.date,
            hours=e.hours,
            cost=e.cost,
            payer=e.payer,
            downtime_hours=e.downtime_hours,
            kwh=e.kwh,
            contact=e.contact,
            note=e.note,
        )
