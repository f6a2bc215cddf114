"""The figures of a period, each resting on the log entries it was computed from: a briefing's content.

A period is whole UTC days, `first` to `last` inclusive: [first 00:00, last + 1 day 00:00). What counts:
- requested, consented, refused (by coded reason), withdrawn, cancelled, departed, delivered: the statements
  made in the period (their time), each an event resting on its own entry;
- tonnes requested (as submitted) and delivered, by category and by route: the declared weight of each
  manifest line; delivered weight is the line's declared weight in proportion to the quantity received
  (good + damaged) over the quantity declared, rounded down to the kilogram;
- waiting, per party: the engine's waiting intervals (clock.py) that overlap the period, clipped to it; an
  interval still open counts up to the log's clock (the time of its last statement), never the wall clock;
- stage times: per leg, submitted → cleared, cleared → departed, departed → delivered, for the stages that
  ended in the period; the median (the mean of the middle two for an even count, rounded down to the
  second) and the 90th percentile (nearest rank), in seconds;
- incidents: claims made or disputed in the period, each with every dispute on the log, side by side;
- attested datasets: passages whose day (departure, else receipt) falls in the period, per dataset, with
  the named source that attested them; a passage has a weight when every one of its lines (in the group) has
  one, tonnes are the weight of those passages, and beside them how many they are out of all (as the public
  `stats` count them, figures/attested.py);

Every figure is a `Figure` (id, value, display, entries, words); `Briefing.figures()` lists them all, so
the auditor compares briefings figure by figure. Values are JSON scalars; `display` is language-neutral
(numbers, durations, UTC times, names and texts as the log gives them). A figure whose value is one of the
log's codes (a capacity, a reason, an incident category, a stage, a duration in seconds, how a claim was
signed) names in `words` the vocabulary it is a code of: the rendering shows it in the reader's words and
the audit recomputes those words the same way (corridor/briefing/words.py), so the figures stay the log's
codes and carry no language. Pure: no Django, no I/O.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

from ..engine.quantity import share, total
from ..engine.times import format_duration, format_time
from .history import Event, History, Interval, attested_day

DAY = 86400
MAX_DAYS = 366  # a briefing's longest period: a year (bounds the work one request can ask of the service)
EARLIEST, LATEST = date(1970, 1, 1), date(9998, 12, 31)  # the day after LATEST still has a timestamp
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # only YYYY-MM-DD (fromisoformat takes 20230101 too)


class PeriodError(ValueError):
    """A period refused, with its stable code (briefing.period, briefing.period-too-long)."""

    def __init__(self, message: str, code: str = "briefing.period") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError(f"the period ends ({self.last}) before it starts ({self.first})")
        if self.first < EARLIEST or self.last > LATEST:
            raise PeriodError(f"a period's days are between {EARLIEST} and {LATEST}")
        if (self.last - self.first).days + 1 > MAX_DAYS:
            raise PeriodError(f"a period is at most {MAX_DAYS} days: {self.first} to {self.last} is "
                              f"{(self.last - self.first).days + 1}", "briefing.period-too-long")

    @classmethod
    def parse(cls, first: str, last: str) -> Period:
        if not all(isinstance(day, str) and ISO_DAY.fullmatch(day) for day in (first, last)):
            raise PeriodError(f"a period is two days written like 2023-09-11 and 2023-09-19, not {first!r} "
                              f"and {last!r}")
        try:
            return cls(date.fromisoformat(first), date.fromisoformat(last))
        except PeriodError:
            raise
        except (TypeError, ValueError) as error:
            raise PeriodError(f"a period is two days like 2023-09-11 and 2023-09-19: {error}") from None

    @property
    def start(self) -> int:
        return int(datetime(self.first.year, self.first.month, self.first.day, tzinfo=UTC).timestamp())

    @property
    def end(self) -> int:
        """Exclusive: midnight after the last day."""
        after = self.last + timedelta(days=1)
        return int(datetime(after.year, after.month, after.day, tzinfo=UTC).timestamp())

    def __contains__(self, moment: int | None) -> bool:
        return moment is not None and self.start <= moment < self.end


@dataclass(frozen=True)
class Figure:
    id: str
    value: int | str | None
    display: str
    entries: tuple[int, ...]
    words: str = ""  # the vocabulary `value` is a code of (briefing/words.py); "": shown as `display`


@dataclass
class Row:
    """One line of a table (an event, or one key of a breakdown): its figures by column, the entries the
    whole line rests on, and nested rows (an incident's disputes)."""

    id: str
    entries: tuple[int, ...]
    cells: dict[str, Figure] = field(default_factory=dict)
    children: list[Row] = field(default_factory=list)

    def figures(self) -> Iterator[Figure]:
        yield from self.cells.values()
        for child in self.children:
            yield from child.figures()


@dataclass(frozen=True)
class Checkpoint:
    """The signed checkpoint a briefing was computed at: the note as served, with its cosignatures."""

    origin: str
    size: int
    root: str  # base64, as in the note
    note: str

    @classmethod
    def of_note(cls, note: str) -> Checkpoint:
        origin, size, root = note.split("\n")[:3]
        return cls(origin, int(size), root, note)

    @property
    def signers(self) -> list[str]:
        """The names on the note's signature lines: the log's own key first, then the witnesses'."""
        body = self.note.split("\n\n", 1)[1] if "\n\n" in self.note else ""
        return [line.split(" ")[1] for line in body.splitlines() if line.startswith("— ") and " " in line[2:]]

    @property
    def witnesses(self) -> list[str]:
        return [name for name in self.signers if name != self.origin]


@dataclass
class Briefing:
    period: Period
    checkpoint: Checkpoint
    as_of: int  # the log's clock, or the period's end if earlier: open waiting intervals count up to it
    totals: list[Figure]
    tables: dict[str, list[Row]]
    clock: int = 0  # the log's clock at the checkpoint: the time of its last statement

    def figures(self) -> Iterator[Figure]:
        yield from self.totals
        for rows in self.tables.values():
            for row in rows:
                yield from row.figures()

    def to_json(self, shown: Callable[[Figure], str] | None = None) -> dict:
        """The machine-readable briefing: what `corridor audit --briefing` recomputes and compares. `shown`:
        each figure as the document shows it (in words, in its language); by default its `display`."""
        shown = shown or (lambda f: f.display)
        return {
            "period": {"from": self.period.first.isoformat(), "to": self.period.last.isoformat()},
            "checkpoint": {"origin": self.checkpoint.origin, "size": self.checkpoint.size,
                           "root": self.checkpoint.root, "note": self.checkpoint.note},
            "as_of": format_time(self.as_of),
            "figures": {f.id: {"value": f.value, "display": shown(f), "entries": ranges(f.entries)}
                        for f in self.figures()},
        }


def ranges(entries: Iterable[int]) -> str:
    """[3, 4, 5, 9] -> "3-5,9": how a figure's entries are written in data attributes and JSON."""
    out: list[str] = []
    run: list[int] = []
    for index in sorted(set(entries)):
        if run and index == run[-1] + 1:
            run.append(index)
            continue
        if run:
            out.append(_run(run))
        run = [index]
    if run:
        out.append(_run(run))
    return ",".join(out)


def _run(run: list[int]) -> str:
    return str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}"


def parse_ranges(text: str) -> tuple[int, ...]:
    out: list[int] = []
    for part in filter(None, text.split(",")):
        first, _, last = part.partition("-")
        out.extend(range(int(first), int(last or first) + 1))
    return tuple(out)


def key(*parts: object) -> str:
    """A figure id from its parts; keys given by parties (categories, datasets) are escaped."""
    return "/".join(quote(str(part), safe=".:-_") for part in parts)


def count(id: str, value: int, entries: Iterable[int]) -> Figure:
    return Figure(id, value, f"{value:,}", tuple(sorted(set(entries))))


def kilograms(id: str, value: int, entries: Iterable[int]) -> Figure:
    """Held in kilograms (exact); shown in tonnes with one decimal, rounded half up (integer arithmetic)."""
    return Figure(id, value, tonnes_shown(value), tuple(sorted(set(entries))))


def tonnes_shown(kg: int) -> str:
    tenths = (kg + 50) // 100
    return f"{tenths // 10:,}.{tenths % 10}"


def seconds(id: str, value: int | None, entries: Iterable[int]) -> Figure:
    """Held in seconds; shown as `6d 9h 30m`, in the reader's units (words "duration")."""
    return Figure(id, value, "" if value is None else format_duration(value), tuple(sorted(set(entries))),
                  "duration")


def text(id: str, value: str | None, entries: Iterable[int], words: str = "") -> Figure:
    """A name or a party's words as the log gives them; with `words`, a code of that vocabulary."""
    return Figure(id, value, value or "", tuple(sorted(set(entries))), words)


def moment(id: str, value: int | None, entries: Iterable[int]) -> Figure:
    """Held as the log writes a time (2023-09-12T06:00:00Z); shown as people read it: 2023-09-12 06:00 UTC."""
    written = None if value is None else format_time(value)
    return Figure(id, written, "" if value is None else readable_time(written), tuple(sorted(set(entries))))


UTC_WRITTEN = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}:[0-9]{2})(:[0-9]{2})?Z")


def readable_time(written: str) -> str:
    """"2023-09-12T06:00:00Z" -> "2023-09-12 06:00 UTC" (the seconds, when not 00, kept); any other text as
    it is (a party's own dates: an incident's `occurred_from` may be a day, or a time in another form)."""
    found = UTC_WRITTEN.fullmatch(written)
    if not found:
        return written
    day, minute, second = found.groups()
    return f"{day} {minute}{second if second and second != ':00' else ''} UTC"


def compute(history: History, period: Period, checkpoint: Checkpoint) -> Briefing:
    """The briefing of `period` from a history folded up to the checkpoint's size."""
    if history.size != checkpoint.size:
        raise ValueError(f"the history holds {history.size} entries, the checkpoint {checkpoint.size}")
    events = [event for event in history.events if event.time in period]
    by_kind: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_kind[event.kind].append(event)
    names = _Names(history)
    tables = {
        "requested": [_requested_row(e, names) for e in by_kind["submit"]],
        "consents": [_consent_row(e, names) for e in by_kind["consent"]],
        "refusals": [_refusal_row(e, names) for e in by_kind["refuse"]],
        "refusal_reasons": _by_reason(by_kind["refuse"]),
        "withdrawals": [_withdrawal_row(e, names) for e in by_kind["withdraw"]],
        "deliveries": [_delivery_row(e, names) for e in by_kind["deliver"]],
        "tonnes_by_category": _tonnes(by_kind, lambda leg, line: line.category, "category"),
        "tonnes_by_route": _tonnes(by_kind, lambda leg, line: names.route(leg.route), "route"),
        "waiting": _waiting(history, period, names),
        "stages": _stages(history, period),
        "incidents": _incidents(history, period, names),
        "datasets": _datasets(history, period, names),
    }
    as_of = min(history.state.clock, period.end)
    return Briefing(period, checkpoint, as_of, _totals(by_kind), tables, history.state.clock)


class _Names:
    def __init__(self, history: History) -> None:
        self.state = history.state

    def party(self, party: str) -> str:
        known = self.state.parties.get(party)
        return known.name if known else party

    def route(self, route: str) -> str:
        known = self.state.routes.get(route)
        return known.name if known else route


def _totals(by_kind: dict[str, list[Event]]) -> list[Figure]:
    submits = by_kind["submit"]
    legs = [(e, leg) for e in submits for leg in e.payload.legs]
    delivered = by_kind["deliver"]
    return [
        count("totals/requested", len(submits), (e.index for e in submits)),
        count("totals/requested.legs", len(legs), (e.index for e in submits)),
        count("totals/requested.vehicles", sum(len(leg.vehicles) for _, leg in legs), (e.index for e in submits)),
        kilograms("totals/requested.kg", sum(line.weight_kg for _, leg in legs for line in leg.lines),
                  (e.index for e in submits)),
        *(count(f"totals/{kind}", len(by_kind[kind]), (e.index for e in by_kind[kind]))
          for kind in ("consent", "refuse", "withdraw", "cancel", "depart", "deliver")),
        kilograms("totals/delivered.kg", sum(kg for e in delivered for _, _, kg in _delivered_lines(e)),
                  (e.index for e in delivered)),
    ]


def _event_row(table: str, event: Event, names: _Names, **cells: Figure) -> Row:
    row_id = key(table, event.index)
    return Row(row_id, (event.index,), {
        "time": moment(f"{row_id}/time", event.time, (event.index,)),
        "plan": text(f"{row_id}/plan", event.plan, (event.index,)),
        "party": text(f"{row_id}/party", names.party(event.party), (event.index,)),
        **{name: replace(f, id=f"{row_id}/{name}", entries=(event.index,)) for name, f in cells.items()},
    })


def _requested_row(event: Event, names: _Names) -> Row:
    legs = event.payload.legs
    return _event_row("requested", event, names,
                      linkage=text("", event.payload.linkage, (), "linkage"),
                      routes=text("", ", ".join(names.route(leg.route) for leg in legs), ()),
                      vehicles=count("", sum(len(leg.vehicles) for leg in legs), ()),
                      kg=kilograms("", sum(line.weight_kg for leg in legs for line in leg.lines), ()))


def _consent_row(event: Event, names: _Names) -> Row:
    return _event_row("consents", event, names, capacity=text("", event.payload.capacity, (), "capacity"),
                      conditions=text("", " · ".join(event.payload.conditions), ()))


def _refusal_row(event: Event, names: _Names) -> Row:
    return _event_row("refusals", event, names, reason=text("", event.payload.reason, (), "reason"),
                      text=text("", event.payload.text, ()))


def _withdrawal_row(event: Event, names: _Names) -> Row:
    return _event_row("withdrawals", event, names, reason=text("", event.payload.reason, (), "reason"),
                      text=text("", event.payload.text, ()))


def _delivery_row(event: Event, names: _Names) -> Row:
    leg = event.content.leg(event.payload.leg)
    kg = sum(weight for _, _, weight in _delivered_lines(event))
    return _event_row("deliveries", event, names, leg=text("", leg.id, ()), route=text("", names.route(leg.route), ()),
                      kg=kilograms("", kg, ()))


def _by_reason(refusals: list[Event]) -> list[Row]:
    grouped: dict[str, list[int]] = defaultdict(list)
    for event in refusals:
        grouped[event.payload.reason].append(event.index)
    rows = []
    for reason in sorted(grouped):
        row_id = key("refusal_reasons", reason)
        rows.append(Row(row_id, tuple(grouped[reason]), {
            "reason": text(f"{row_id}/reason", reason, grouped[reason], "reason"),
            "count": count(f"{row_id}/count", len(grouped[reason]), grouped[reason])}))
    return rows


def _delivered_lines(event: Event) -> Iterator[tuple[object, object, int]]:
    """(leg, line, kg received) for each receipt of a delivery: declared weight × received / declared."""
    leg = event.content.leg(event.payload.leg)
    for receipt in event.payload.receipts:
        line = leg.line(receipt.line)
        if line is not None:
            yield leg, line, share(line.weight_kg, total(receipt.good, receipt.damaged), line.quantity)


def _tonnes(by_kind: dict[str, list[Event]], group, table: str) -> list[Row]:
    """Kilograms requested (as submitted) and delivered per group (a category, a route)."""
    sums: dict[str, dict[str, list]] = defaultdict(lambda: {"requested": [0, []], "delivered": [0, []]})
    for event in by_kind["submit"]:
        for leg in event.payload.legs:
            for line in leg.lines:
                _add(sums[group(leg, line)]["requested"], line.weight_kg, event.index)
    for event in by_kind["deliver"]:
        for leg, line, kg in _delivered_lines(event):
            _add(sums[group(leg, line)]["delivered"], kg, event.index)
    rows = []
    for name in sorted(sums):
        row_id = key(f"tonnes_by_{table}", name)
        requested, delivered = sums[name]["requested"], sums[name]["delivered"]
        rows.append(Row(row_id, tuple(sorted(set(requested[1] + delivered[1]))), {
            # a goods category reads in words where the pages know it ("wash": water, sanitation and hygiene)
            table: text(f"{row_id}/{table}", name, requested[1] + delivered[1], "category" * (table == "category")),
            "requested": kilograms(f"{row_id}/requested", requested[0], requested[1]),
            "delivered": kilograms(f"{row_id}/delivered", delivered[0], delivered[1])}))
    return rows


def _add(total: list, kg: int, index: int) -> None:
    total[0] += kg
    total[1].append(index)


def _clip(interval: Interval, period: Period, now: int) -> int:
    end = interval.end if interval.end is not None else now
    return max(0, min(end, period.end, now) - max(interval.start, period.start))


def _waiting(history: History, period: Period, names: _Names) -> list[Row]:
    """Per party: seconds waited on in the period (over all plans), the plans, and those still waited on
    at the period's end (or at the log's last statement, if earlier)."""
    now = history.state.clock
    at_end = min(period.end, now)
    per_party: dict[str, list[tuple[Interval, int]]] = defaultdict(list)
    for interval in history.intervals:
        overlap = _clip(interval, period, now)
        open_at_end = interval.start <= at_end and (interval.end is None or interval.end > at_end) and \
            interval.start < period.end
        if overlap or open_at_end:
            per_party[interval.party].append((interval, overlap))
    rows = []
    for party, items in per_party.items():
        row_id = key("waiting", party)
        entries = [index for interval, _ in items for index in interval.entries]
        waiting_now = {i.plan for i, _ in items if i.start <= at_end and (i.end is None or i.end > at_end)}
        rows.append(Row(row_id, tuple(sorted(set(entries))), {
            "party": text(f"{row_id}/party", names.party(party), entries),
            "seconds": seconds(f"{row_id}/seconds", sum(overlap for _, overlap in items), entries),
            "plans": count(f"{row_id}/plans", len({i.plan for i, _ in items}), entries),
            "waiting_at_end": count(f"{row_id}/waiting_at_end", len(waiting_now), entries)}))
    return sorted(rows, key=lambda row: (-row.cells["seconds"].value, row.id))


STAGES = (("submitted", "cleared"), ("cleared", "departed"), ("departed", "delivered"))


def _stages(history: History, period: Period) -> list[Row]:
    """Per stage: how many legs ended it in the period, the median and 90th percentile of its length."""
    marks = _leg_marks(history)
    rows = []
    for begin, end in STAGES:
        lengths: list[tuple[int, tuple[int, int]]] = []
        for times in marks.values():
            if begin in times and end in times and times[end][0] in period:
                lengths.append((times[end][0] - times[begin][0], (times[begin][1], times[end][1])))
        if not lengths:
            continue
        values = sorted(length for length, _ in lengths)
        entries = [index for _, pair in lengths for index in pair]
        row_id = key("stages", f"{begin}-{end}")
        rows.append(Row(row_id, tuple(sorted(set(entries))), {
            "stage": text(f"{row_id}/stage", f"{begin} → {end}", entries, "stages"),
            "legs": count(f"{row_id}/legs", len(values), entries),
            "median": seconds(f"{row_id}/median", _median(values), entries),
            "p90": seconds(f"{row_id}/p90", values[math.ceil(0.9 * len(values)) - 1], entries)}))
    return rows


def _median(ordered: list[int]) -> int:
    """The mean of the middle two for an even count, rounded down to the second."""
    return (ordered[(len(ordered) - 1) // 2] + ordered[len(ordered) // 2]) // 2


def _leg_marks(history: History) -> dict[tuple[str, str], dict[str, tuple[int, int]]]:
    """(plan, leg) -> stage mark -> (time, index): submitted (the plan's submission), cleared (the first
    time the plan was cleared), departed and delivered (the leg's own statements)."""
    plans: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for change in history.statuses:
        if change.status == "cleared" and "cleared" not in plans[change.plan]:
            plans[change.plan]["cleared"] = (change.time, change.index)
    marks: dict[tuple[str, str], dict[str, tuple[int, int]]] = defaultdict(dict)
    for event in history.events:
        if event.kind == "submit":
            plans[event.plan]["submitted"] = (event.time, event.index)
    for event in history.events:
        if event.kind in ("depart", "deliver"):
            leg = marks[event.plan, event.payload.leg]
            leg.update(plans[event.plan])
            leg["departed" if event.kind == "depart" else "delivered"] = (event.time, event.index)
    return marks


def _incidents(history: History, period: Period, names: _Names) -> list[Row]:
    """Claims made or disputed in the period, each with all its disputes beside it."""
    reports = {e.payload.incident: e for e in history.events if e.kind == "report"}
    disputes: dict[str, list[Event]] = defaultdict(list)
    for event in history.events:
        if event.kind == "dispute":
            disputes[event.payload.incident].append(event)
    rows = []
    for incident, report in reports.items():
        if report.time not in period and not any(d.time in period for d in disputes[incident]):
            continue
        rows.append(_incident_row(report, disputes[incident], names))
    return rows


def _incident_row(report: Event, disputes: list[Event], names: _Names) -> Row:
    claim, index = report.payload, (report.index,)
    row_id = key("incidents", claim.incident)
    signed_by, member = report.signed
    row = Row(row_id, index, {
        "incident": text(f"{row_id}/incident", claim.incident, index),
        "reporter": text(f"{row_id}/reporter", names.party(report.party), index),
        "category": text(f"{row_id}/category", claim.category, index, "incident"),
        "place": text(f"{row_id}/place", claim.place.name, index),
        "occurred": _occurred(f"{row_id}/occurred", claim, index),
        "claim": text(f"{row_id}/claim", claim.text, index),
        "reported": moment(f"{row_id}/reported", report.time, index),
        "signed": text(f"{row_id}/signed", signed_by + (f" {member}" if member else "") if signed_by else None,
                       index, "signing")})
    for dispute in disputes:
        child_id = key("incidents", claim.incident, "dispute", dispute.index)
        row.children.append(Row(child_id, (dispute.index,), {
            "party": text(f"{child_id}/party", names.party(dispute.party), (dispute.index,)),
            "text": text(f"{child_id}/text", dispute.payload.text, (dispute.index,)),
            "time": moment(f"{child_id}/time", dispute.time, (dispute.index,))}))
    return row


def _occurred(id: str, claim, index: tuple[int, ...]) -> Figure:
    """When the claim says it happened, as the party wrote it (the value); shown with its times readable."""
    written = claim.occurred_from + (f" – {claim.occurred_to}" if claim.occurred_to else "")
    shown = readable_time(claim.occurred_from) + (f" – {readable_time(claim.occurred_to)}" if claim.occurred_to
                                                    else "")
    return Figure(id, written, shown, index)


def _datasets(history: History, period: Period, names: _Names) -> list[Row]:
    """Per dataset: its source, passages of the period, the weight of those with a weight and how many they
    are; nested rows by commodity and by crossing, each counting only its own lines."""
    per_dataset: dict[str, list[Event]] = defaultdict(list)
    for event in history.events:
        if event.kind == "attest" and attested_day(event.payload) in period:
            per_dataset[event.payload.dataset].append(event)
    rows = []
    for dataset in sorted(per_dataset):
        events = per_dataset[dataset]
        row = _dataset_row(key("datasets", dataset), [(e, e.payload.lines) for e in events], dataset=dataset)
        row.cells["source"] = text(f"{row.id}/source", ", ".join(sorted({names.party(e.party) for e in events})),
                                   row.entries)
        for dimension, of in (("commodity", lambda claim, line: line.category),
                              ("crossing", lambda claim, line: claim.crossing)):
            groups: dict[str, dict[int, tuple[Event, list]]] = defaultdict(dict)
            for event in events:
                for line in event.payload.lines:
                    groups[of(event.payload, line)].setdefault(event.index, (event, []))[1].append(line)
            row.children += [_dataset_row(key("datasets", dataset, dimension, name), list(group.values()),
                                          **{dimension: name}) for name, group in sorted(groups.items())]
        rows.append(row)
    return rows


def _dataset_row(row_id: str, passages: list[tuple[Event, list]], **label: str) -> Row:
    """`passages`: each attested passage with its lines in this group. A passage has a weight here when every
    one of those lines has one; the kilograms are those passages' (a partial sum would pass for a whole)."""
    entries = [event.index for event, _ in passages]
    known = [lines for _, lines in passages if all(line.weight_kg is not None for line in lines)]
    kg, weighed = sum(line.weight_kg for lines in known for line in lines), len(known)
    cells = {name: text(f"{row_id}/{name}", value, entries) for name, value in label.items()}
    cells["passages"] = count(f"{row_id}/passages", len(passages), entries)
    cells["kg"] = kilograms(f"{row_id}/kg", kg, entries)
    cells["weighed"] = count(f"{row_id}/weighed", weighed, entries)
    return Row(row_id, tuple(sorted(set(entries))), cells)
