"""The property import as a job: preview → confirm → batches sent step by step → report.

Why it works this way:

- The parsed rows live in Django's cache (``django.core.cache``), keyed by a random
  token, not in the session cookie and not in the process: the project will run on
  several app servers sharing one cache, and any of them may serve the next request.
  Rows are stored in chunks of 500 so no cache item outgrows memcached's 1 MB limit.
- No background worker. The browser drives the job: the progress page asks the server
  to take the next *step* (htmx: ``hx-trigger="load, every 2s"`` on the progress block,
  which each response replaces), and each step sends batches of 100 rows through
  CreateProperties for about a second, saves what happened, and returns the progress.
  Nothing runs after the browser leaves; coming back to the page continues where it
  stopped. Without JavaScript a "Continue" button takes the same step (longer budget).
- Steps of one job never overlap: a step takes a short-lived lock with ``cache.add``
  (atomic on every shared backend); a step that finds the lock taken just reports the
  progress. So a double click, two tabs or two app servers cannot send a batch twice.
- Rows that failed our checks never reach relay and never block the good ones. When relay
  refuses a whole batch as invalid (400; or 404 for a batch carrying property ids, one
  of which relay may not know) — one bad row spoils the batch — the batch is split in
  halves and each half is sent again, down to single rows, so only the rows relay itself
  refuses fail, each with relay's message. Every other failure (key refused, a 404 that
  can only mean a wrong address, relay failing or unreachable) would fail the next batch
  the same way: the run pauses ("halted") with one message, the batch and every row after
  it stay pending, and "Continue" resumes where it stopped.
- A batch whose answer was lost (OutcomeUnknown) may be in relay: its rows are looked up
  in relay right away (a property with the same name and ids, created since the attempt;
  for an update, the values sent), found rows count as done, and only the rest is sent
  again. When relay cannot be read to look, the run pauses, and the look comes first
  when it continues.
- Re-importing is safe for rows with an ``id``: CreateProperties is an upsert. The report
  carries the id relay gave each new property, so the same rows can be updated later.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Iterator, Sequence
from typing import Final, Literal

import msgspec
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relaydash.directory import services
from relaydash.directory.exports import csv_bytes
from relaydash.directory.importing import API_COLUMNS, ParsedFile
from relaydash.relay.client import RelayClient
from relaydash.relay.errors import NotFound, OutcomeUnknown, RelayError, ValidationFailed
from relaydash.relay.records import Property, PropertyInput, parse_moment
from relaydash.web import RELAY_REJECTED, relay_error_message

BATCH_SIZE: Final = 100
CHUNK_SIZE: Final = 500
JOB_TTL_SECONDS: Final = 6 * 60 * 60
LOCK_SECONDS: Final = 120
STEP_SECONDS_HTMX: Final = 1.0
STEP_SECONDS_PLAIN: Final = 20.0
_PREFIX: Final = "directory:import"

State = Literal["preview", "running", "halted", "done"]
Outcome = Literal["created", "updated", "failed", "invalid", "not_sent"]

OUTCOME_LABELS: Final = {
    "created": _("created"),
    "updated": _("updated"),
    "failed": _("failed"),
    "invalid": _("not sent (invalid)"),
    "not_sent": _("not sent (stopped)"),
}
IMPORT_STOPPED = _("Not sent: the import was stopped.")
BATCH_FAILED = _("Not imported: %(reason)s")
IMPORT_HALTED = _(
    "The import paused at row %(row)s: %(reason)s The rows from there on were not sent yet; "
    "“Continue” sends them when relay works again."
)
IMPORT_CHECK_HALTED = _(
    "The import paused at row %(row)s: relay's answer to these rows was lost, and relay could "
    "not be asked whether it saved them. “Continue” looks in relay first and sends only the "
    "rows relay does not have."
)
IMPORT_ANSWERS_LOST = _(
    "The import paused at row %(row)s: relay's answers to these rows were lost twice in a row. "
    "“Continue” looks in relay first and sends only the rows relay does not have."
)
# relay's clock and ours may differ: a property up to this much older than the attempt
# still counts as created by it.
CLOCK_SKEW: Final = dt.timedelta(minutes=5)


class StoredRow(msgspec.Struct, kw_only=True):
    """One row of the file as the job keeps it between requests."""

    number: int
    values: dict[str, str]
    errors: list[str] = []
    payload: PropertyInput | None = None
    outcome: Outcome | None = None
    message: str = ""
    result_id: str | None = None
    # When this row was sent in a batch whose answer was lost: it is looked up in relay
    # before it is sent again.
    check_since: str = ""

    @property
    def name(self) -> str:
        return self.values.get("name", "")

    @property
    def property_id(self) -> str:
        return self.result_id or self.values.get("id", "")

    @property
    def problem(self) -> bool:
        return self.outcome in ("failed", "invalid", "not_sent") or bool(self.errors)


class ImportJob(msgspec.Struct, kw_only=True):
    token: str
    user_id: int
    file_name: str
    state: State = "preview"
    rows: int = 0
    valid: int = 0
    invalid: int = 0
    columns: list[str] = []
    ignored_columns: list[str] = []
    file_format: str = "csv"
    delimiter: str = ""
    encoding: str = ""
    customers_checked: bool = True
    queue: list[list[int]] = []
    sent: int = 0
    created: int = 0
    updated: int = 0
    failed: int = 0
    not_sent: int = 0
    lost: int = 0
    calls: int = 0
    halted: str = ""
    created_at: str = ""
    started_at: str = ""
    finished_at: str = ""

    @property
    def percent(self) -> int:
        return int(100 * self.sent / self.valid) if self.valid else 100

    @property
    def problems(self) -> int:
        return self.invalid + self.failed + self.not_sent + self.lost

    @property
    def pending(self) -> int:
        """Valid rows not attempted yet (still queued)."""
        return sum(len(batch) for batch in self.queue)

    @property
    def finished(self) -> dt.datetime | None:
        return dt.datetime.fromisoformat(self.finished_at) if self.finished_at else None


_ROWS_DECODER = msgspec.json.Decoder(list[StoredRow])
_JOB_DECODER = msgspec.json.Decoder(ImportJob)


def _job_key(token: str) -> str:
    return f"{_PREFIX}:{token}:job"


def _chunk_key(token: str, chunk: int) -> str:
    return f"{_PREFIX}:{token}:rows:{chunk}"


def _save_job(job: ImportJob) -> None:
    cache.set(_job_key(job.token), msgspec.json.encode(job), JOB_TTL_SECONDS)


def _save_chunks(token: str, chunks: dict[int, list[StoredRow]]) -> None:
    cache.set_many(
        {_chunk_key(token, n): msgspec.json.encode(rows) for n, rows in chunks.items()}, JOB_TTL_SECONDS
    )


def _load_chunks(job: ImportJob, numbers: Sequence[int]) -> dict[int, list[StoredRow]]:
    keys = {_chunk_key(job.token, n): n for n in numbers}
    found = cache.get_many(list(keys))
    return {keys[key]: _ROWS_DECODER.decode(value) for key, value in found.items()}


# --- Creating and reading jobs ----------------------------------------------------------


def create_job(
    *, parsed: ParsedFile, file_name: str, user_id: int, customers_checked: bool = True
) -> ImportJob:
    """Keep a parsed file for its preview; nothing is sent yet."""
    rows = [
        StoredRow(
            number=row.number,
            values=row.values,
            errors=list(row.errors),
            payload=row.payload,
            outcome=None if row.ok else "invalid",
            message="; ".join(row.errors),
        )
        for row in parsed.rows
    ]
    job = ImportJob(
        token=secrets.token_urlsafe(18),
        user_id=user_id,
        file_name=file_name[:200],
        rows=len(rows),
        valid=sum(1 for row in rows if row.payload is not None),
        invalid=sum(1 for row in rows if row.payload is None),
        columns=parsed.columns,
        ignored_columns=parsed.ignored_columns,
        file_format=parsed.file_format,
        delimiter=parsed.delimiter,
        encoding=parsed.encoding,
        customers_checked=customers_checked,
        created_at=timezone.now().isoformat(),
    )
    _save_chunks(
        job.token, {n: rows[n * CHUNK_SIZE : (n + 1) * CHUNK_SIZE] for n in range(_chunk_count(job))}
    )
    _save_job(job)
    return job


def _chunk_count(job: ImportJob) -> int:
    return max(1, -(-job.rows // CHUNK_SIZE))


def load_job(token: str, *, user_id: int) -> ImportJob | None:
    """The job, if it exists, has not expired and belongs to this user."""
    raw = cache.get(_job_key(token))
    if raw is None:
        return None
    job = _JOB_DECODER.decode(raw)
    return job if job.user_id == user_id else None


def all_rows(job: ImportJob) -> list[StoredRow]:
    """Every row of the job in file order (rows whose chunk expired are left out)."""
    chunks = _load_chunks(job, range(_chunk_count(job)))
    return [row for n in sorted(chunks) for row in chunks[n]]


def select_rows(job: ImportJob, *, only_problems: bool) -> list[StoredRow]:
    rows = all_rows(job)
    return [row for row in rows if row.problem] if only_problems else rows


# --- Running ----------------------------------------------------------------------


class ImportExpired(Exception):
    """The cache no longer holds the job's rows (expired or evicted)."""


def start_job(job: ImportJob) -> ImportJob:
    """Confirm: queue the valid rows in batches. Starting twice changes nothing.

    The rows are stored again so their time in the cache starts anew with the sending.
    Raises ImportExpired when some of them are gone already.
    """
    if job.state != "preview":
        return job
    chunks = _load_chunks(job, range(_chunk_count(job)))
    if len(chunks) != _chunk_count(job):
        raise ImportExpired(job.token)
    valid = [
        number * CHUNK_SIZE + position
        for number, rows in sorted(chunks.items())
        for position, row in enumerate(rows)
        if row.payload is not None
    ]
    job.queue = [valid[i : i + BATCH_SIZE] for i in range(0, len(valid), BATCH_SIZE)]
    job.state = "running" if job.queue else "done"
    job.started_at = timezone.now().isoformat()
    if not job.queue:
        job.finished_at = job.started_at
    _save_chunks(job.token, chunks)
    _save_job(job)
    return job


def run_step(
    *,
    client: RelayClient,
    actor: services.Actor,
    token: str,
    user_id: int,
    casavi_account_id: int,
    seconds: float = STEP_SECONDS_HTMX,
    resume: bool = False,
) -> ImportJob | None:
    """Send batches for about `seconds` (at least one), save the outcome, return the job.

    Returns None when the job does not exist (expired, or not this user's). When another
    step of the same job is running, returns the job unchanged. A halted job stays
    halted unless `resume` (the person pressed "Continue").
    """
    lock = f"{_PREFIX}:{token}:lock"
    if not cache.add(lock, "1", LOCK_SECONDS):
        return load_job(token, user_id=user_id)
    try:
        job = load_job(token, user_id=user_id)
        if job is not None and job.state == "halted" and resume:
            job.state, job.halted = "running", ""
        if job is None or job.state != "running":
            return job
        deadline = time.monotonic() + seconds
        while job.queue:
            halted = _send_batch(job, client=client, actor=actor, casavi_account_id=casavi_account_id)
            if halted:
                job.state, job.halted = "halted", halted
            elif not job.queue:
                job.state = "done"
                job.finished_at = timezone.now().isoformat()
            _save_job(job)
            if halted or time.monotonic() >= deadline:
                break
        return job
    finally:
        cache.delete(lock)


def _send_batch(
    job: ImportJob,
    *,
    client: RelayClient,
    actor: services.Actor,
    casavi_account_id: int,
) -> str:
    """Send the queue's first batch; "" when the run goes on, else why it must pause
    (the batch then stays first in the queue)."""
    batch = job.queue[0]
    needed = sorted({index // CHUNK_SIZE for index in batch})
    chunks = _load_chunks(job, needed)
    if len(chunks) != len(needed):
        # The cache dropped these rows (evicted): nothing to send, say so in the report.
        job.queue.pop(0)
        job.lost += len(batch)
        job.sent += len(batch)
        return ""
    rows = [chunks[index // CHUNK_SIZE][index % CHUNK_SIZE] for index in batch]
    first_row = min(row.number for row in rows)
    looked = any(row.check_since for row in rows)
    if looked:
        try:
            found = _rows_in_relay(client, rows)
        except RelayError:
            return str(IMPORT_CHECK_HALTED % {"row": first_row})
        done = [(i, row) for i, row in enumerate(rows) if i in found]
        for i, row in done:
            _finish(job, [row], echoed=[found[i]], message="")
        for row in rows:
            row.check_since = ""
        job.queue[0] = batch = [index for i, index in enumerate(batch) if i not in found]
        rows = [row for i, row in enumerate(rows) if i not in found]
        _save_chunks(job.token, chunks)
        if not batch:
            job.queue.pop(0)
            return ""
    items = [row.payload for row in rows if row.payload is not None]
    job.calls += 1
    attempted_at = timezone.now()
    job.queue.pop(0)
    try:
        echoed = services.properties_import_batch(
            client=client,
            actor=actor,
            items=items,
            casavi_account_id=casavi_account_id,
            file_name=job.file_name,
            row_numbers=[row.number for row in rows],
        )
    except (ValidationFailed, NotFound) as error:
        # A 404 is about the input only when the batch carries ids relay may not know.
        about_input = isinstance(error, ValidationFailed) or any(item.id for item in items)
        if not about_input:
            job.queue.insert(0, batch)
            return str(IMPORT_HALTED % {"row": first_row, "reason": relay_error_message(error)})
        if len(batch) > 1:
            # One bad row spoils the batch: try the halves, down to single rows.
            middle = len(batch) // 2
            job.queue[0:0] = [batch[:middle], batch[middle:]]
            return ""
        # relay's own words name the problem ("property 999 not found").
        _finish(job, rows, echoed=None, message=str(RELAY_REJECTED % {"message": error.message}))
    except OutcomeUnknown:
        # relay may have these rows: the next turn looks before anything is sent again.
        for row in rows:
            row.check_since = attempted_at.isoformat()
        job.queue.insert(0, batch)
        _save_chunks(job.token, chunks)
        return str(IMPORT_ANSWERS_LOST % {"row": first_row}) if looked else ""
    except RelayError as error:
        job.queue.insert(0, batch)
        return str(IMPORT_HALTED % {"row": first_row, "reason": relay_error_message(error)})
    else:
        _finish(job, rows, echoed=echoed, message="")
    _save_chunks(job.token, chunks)
    return ""


def _rows_in_relay(client: RelayClient, rows: list[StoredRow]) -> dict[int, PropertyInput]:
    """Which of `rows` (positions) relay has, as relay's echo would have given them: an
    update whose values relay has, a new property with the same name and ids created
    since the row was sent. Each property found answers for one row only."""
    everything = services.properties_all(client=client)
    claimed: set[int] = set()
    found: dict[int, PropertyInput] = {}
    for position, row in enumerate(rows):
        item = row.payload
        if item is None or not row.check_since:
            continue
        since = dt.datetime.fromisoformat(row.check_since) - CLOCK_SKEW
        match = _match(everything, item, since, claimed)
        if match is not None and match.id is not None:
            claimed.add(match.id)
            found[position] = msgspec.structs.replace(item, id=str(match.id))
    return found


def _match(
    everything: list[Property], item: PropertyInput, since: dt.datetime, claimed: set[int]
) -> Property | None:
    if item.id is not None:
        return next((p for p in everything if str(p.id) == item.id and services.same_property(p, item)), None)
    candidates = [
        p
        for p in everything
        if p.id is not None
        and p.id not in claimed
        and services.same_property(p, item)
        and _created_since(p, since)
    ]
    return max(candidates, key=lambda p: p.id or 0) if candidates else None


def _created_since(prop: Property, since: dt.datetime) -> bool:
    created = parse_moment(prop.created_at)
    return not isinstance(created, dt.datetime) or created >= since


def _finish(
    job: ImportJob, rows: list[StoredRow], *, echoed: list[PropertyInput] | None, message: str
) -> None:
    for position, row in enumerate(rows):
        job.sent += 1
        if echoed is None:
            row.outcome, row.message = "failed", message
            job.failed += 1
            continue
        sent = row.payload
        updated = sent is not None and sent.id is not None
        echo = echoed[position] if position < len(echoed) else None
        row.result_id = (echo.id if echo is not None else None) or (sent.id if sent is not None else None)
        row.outcome = "updated" if updated else "created"
        if updated:
            job.updated += 1
        else:
            job.created += 1


def stop_job(*, token: str, user_id: int) -> ImportJob | None:
    """Stop sending: rows still queued are reported as not sent. Waits for nothing: a
    step in progress finishes its batch, and its rows keep their outcome."""
    lock = f"{_PREFIX}:{token}:lock"
    if not cache.add(lock, "1", LOCK_SECONDS):
        return load_job(token, user_id=user_id)
    try:
        job = load_job(token, user_id=user_id)
        if job is None or job.state not in ("running", "halted"):
            return job
        waiting = [index for batch in job.queue for index in batch]
        chunks = _load_chunks(job, sorted({index // CHUNK_SIZE for index in waiting}))
        for index in waiting:
            row = chunks[index // CHUNK_SIZE][index % CHUNK_SIZE]
            row.outcome, row.message = "not_sent", str(IMPORT_STOPPED)
        job.not_sent += len(waiting)
        job.queue, job.halted = [], ""
        job.state = "done"
        job.finished_at = timezone.now().isoformat()
        _save_chunks(job.token, chunks)
        _save_job(job)
        return job
    finally:
        cache.delete(lock)


# --- Reports ----------------------------------------------------------------------


def report_csv(job: ImportJob, *, delimiter: str = ";") -> bytes:
    """The result report: row number, id, name, outcome, message — one line per row of
    the file, UTF-8 with a BOM so Excel reads it."""

    def lines() -> Iterator[Sequence[str]]:
        yield [str(_("Row")), "id", "name", str(_("Outcome")), str(_("Message"))]
        for row in all_rows(job):
            outcome = str(OUTCOME_LABELS[row.outcome]) if row.outcome else str(_("waiting"))
            yield [str(row.number), row.property_id, row.name, outcome, row.message]

    return csv_bytes(lines(), delimiter=delimiter)


def rows_with_ids_csv(job: ImportJob, *, delimiter: str = ";") -> bytes:
    """The file's rows in the template's columns with relay's ids filled in: importing
    this file again updates the same properties instead of creating them twice."""

    def lines() -> Iterator[Sequence[str]]:
        yield list(API_COLUMNS)
        for row in all_rows(job):
            values = {**row.values, "id": row.property_id}
            yield [values.get(column, "") for column in API_COLUMNS]

    return csv_bytes(lines(), delimiter=delimiter)
