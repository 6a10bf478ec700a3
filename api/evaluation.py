"""Stateless pricing for the evaluate endpoints: parse, evaluate, serialize; nothing is saved.

``evaluate_document(raw)`` is exactly ``result_json(evaluate(parse_scenario(raw)))``, the
document ``tco evaluate FILE --json`` prints (serialized compactly here), built directly as
JSON-ready data (:func:`~tco.core.results.evaluate_json`) rather than through the result models.
A batch is validated as a whole (problems named ``scenarios[3].offers[0]...``) and evaluated on
the columnar path (:func:`tco.batch.columnar.evaluate_all`), one vectorized batch per study
period, so each result is the one its scenario gets alone.

Request bodies are parsed by :func:`parse_json` within the input limits of scenario files
(:data:`~tco.core.scenario.MAX_NESTING` levels, integers of
:data:`~tco.core.scenario.MAX_INTEGER_DIGITS`
digits): beyond them the body is refused (422 naming ``body`` or the integer's path).

A scenario with an ``uncertainty`` section asks for ``draws`` copies of itself; a request may
ask for at most ``max_draws`` (``TCO_MAX_DRAWS``) in all, one scenario or a whole batch, or it
is refused (422 naming the limit) before anything is evaluated.

A large batch is priced in a child process of the worker (:class:`BatchProcess`): parsing,
validating and packing a thousand scenarios is Python work that holds the GIL for hundreds of
milliseconds in all, which the small requests the worker's event loop serves meanwhile would
wait for; a child process has its own.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import gc
import importlib
import json
import math
import os
import pickle
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator, Mapping
from typing import Any, cast

import orjson
from pydantic_core import from_json, to_json

from api.settings import DEFAULT_BATCH_PROCESS_NICE, DEFAULT_MAX_DRAWS
from tco.core.errors import InputFileError, Problem, ScenarioError, TcoError
from tco.core.results import evaluate_json, warm_up
from tco.core.scenario import (
    MAX_INTEGER_DIGITS,
    MAX_NESTING,
    TOO_DEEP,
    TOO_LONG,
    Scenario,
    input_limit_problems,
    parse_scenario,
)

#: Digits as b"1", everything else as b"0": a run of more digits than an integer may have is
#: then found by ``bytes.find`` (a few milliseconds for megabytes, where a regular expression
#: would hold the GIL ten times as long); only then are a body's integers looked at.
_DIGITS = bytes(0x31 if 0x30 <= b <= 0x39 else 0x30 for b in range(256))
_LONG_RUN = b"1" * (MAX_INTEGER_DIGITS + 1)
_AT = re.compile(r" at (line \d+ column \d+)$")


def _refused(message: str) -> InputFileError:
    return InputFileError([Problem("body", message)])


def parse_json(raw: bytes) -> Any:
    """A request body parsed as JSON, within the input limits; 422 (:class:`InputFileError`)
    naming the line and column when it is not JSON, ``body`` when it nests more than
    :data:`~tco.core.scenario.MAX_NESTING` levels, the path of an integer longer than
    :data:`~tco.core.scenario.MAX_INTEGER_DIGITS` digits."""
    if not raw.strip():
        raise _refused("is empty; send a JSON document")
    data = _parse_in_pieces(raw) if len(raw) > PIECES_BYTES else None
    if data is None:
        try:  # pydantic-core's parser: the same values as json.loads, in less time
            data = from_json(raw)
        except ValueError as exc:
            data = _parse_slowly(raw, str(exc))
    # Counting brackets and looking for long digit runs is cheap; walking the document is
    # needed only when either could be beyond a limit.
    long_digits = raw.translate(_DIGITS).find(_LONG_RUN) >= 0
    if long_digits or raw.count(b"[") + raw.count(b"{") > MAX_NESTING:
        problems = input_limit_problems(data, source="body", integers=long_digits)
        if problems:
            raise InputFileError(problems)
    return data


#: Bodies up to this size are parsed, and single scenarios priced, on the event loop: about a
#: millisecond's work at most, less than the hand-over to a worker thread and back costs when
#: the GIL is contended. Larger bodies are parsed and priced in a worker thread.
INLINE_BYTES = 16 * 1024
#: Bodies larger than this are parsed in pieces (:func:`_parse_in_pieces`).
PIECES_BYTES = 64 * 1024
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _blank(text: str, i: int = 0) -> int:
    """The index of the first character at or after ``i`` that is not JSON whitespace."""
    found = _WS.match(text, i)
    return found.end() if found else i


def _parse_in_pieces(raw: bytes) -> dict[str, Any] | None:
    """A large JSON object parsed member by member, and the items of its array members one by
    one (a batch's scenarios), with the values of ``json.loads``; None when the body is anything
    else or not valid JSON (it is then parsed whole, which names the problem).

    Parsing a batch of a thousand scenarios in one call would hold the GIL for tens of
    milliseconds, while the event loop of the worker waits for it; in pieces, it can take
    its turn in between.
    """
    try:
        text = raw.decode("utf-8")
        decode = _DECODER.raw_decode
        i = _blank(text)
        if text[i : i + 1] != "{":
            return None
        out: dict[str, Any] = {}
        i = _blank(text, i + 1)
        if text[i : i + 1] == "}":
            i += 1
        else:
            while True:
                if text[i : i + 1] != '"':
                    return None
                key, i = decode(text, i)
                i = _blank(text, i)
                if text[i : i + 1] != ":":
                    return None
                i = _blank(text, i + 1)
                if text[i : i + 1] == "[":
                    out[key], i = _array_in_pieces(text, i)
                else:
                    out[key], i = decode(text, i)
                i = _blank(text, i)
                if text[i : i + 1] == ",":
                    i = _blank(text, i + 1)
                    continue
                if text[i : i + 1] != "}":
                    return None
                i += 1
                break
        return out if _blank(text, i) == len(text) else None
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or too deep: parsed whole
        return None


def _array_in_pieces(text: str, i: int) -> tuple[list[Any], int]:
    """The JSON array at ``text[i]`` (a ``[``), item by item, and the index after it."""
    decode = _DECODER.raw_decode
    items: list[Any] = []
    i = _blank(text, i + 1)
    if text[i : i + 1] == "]":
        return items, i + 1
    while True:
        item, i = decode(text, i)
        items.append(item)
        i = _blank(text, i)
        if text[i : i + 1] == ",":
            i = _blank(text, i + 1)
        elif text[i : i + 1] == "]":
            return items, i + 1
        else:
            raise ValueError("not a JSON array")


def _parse_slowly(raw: bytes, fast_error: str) -> Any:
    """A body pydantic-core refused: its limits named, other problems named by json.loads the
    same way as everywhere else."""
    where = _AT.search(fast_error)
    at = f" at {where.group(1)}" if where else ""
    if fast_error.startswith("recursion limit exceeded"):
        raise _refused(TOO_DEEP) from None
    if fast_error.startswith("number out of range"):
        raise _refused(
            f"number out of range{at}: too many digits (integers may have at most "
            f"{MAX_INTEGER_DIGITS})"
        ) from None
    try:
        return cast(object, json.loads(raw.decode("utf-8")))
    except UnicodeDecodeError:
        raise _refused("is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise _refused(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise _refused(TOO_DEEP) from None
    except ValueError:  # an integer beyond the interpreter's conversion limit
        raise _refused(TOO_LONG) from None


def _non_finite(node: Any, path: str) -> Iterator[str]:
    if isinstance(node, float) and not math.isfinite(node):
        yield path
    elif isinstance(node, Mapping):
        for k, v in node.items():
            yield from _non_finite(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list | tuple):
        for i, v in enumerate(node):
            yield from _non_finite(v, f"{path}[{i}]")


#: The fields of a result that may be null: an offer's cost per hour, and comparison measures.
_NULLABLE_COMPARISON = (
    "sir",
    "airr",
    "simple_payback_year",
    "discounted_payback_year",
    "savings_negative_again_year",
    "savings_recovered_year",
    "breakeven_year",
    "irr",
    "price_headroom",
)


def _nulls_given(document: Any) -> int:
    """The Nones where a result (or a batch's results) may hold them; -1 for other documents."""
    if not isinstance(document, dict):
        return -1
    results = document.get("results", [document])
    count = 0
    try:
        for result in results:
            for offer in result["offers"]:
                count += offer["cost_per_operating_hour"] is None
            for comparison in result["comparison"]["offers"].values():
                count += sum(comparison[k] is None for k in _NULLABLE_COMPARISON)
    except (KeyError, TypeError, AttributeError):
        return -1
    return count


def dumps(document: Any, *, path: str = "") -> bytes:
    """Compact JSON (the same numbers, shortest round-trip form, UTF-8); a result with NaN or
    infinity is refused (422) naming where it appears.

    orjson writes it; because orjson would write NaN or infinity as null, the nulls of the
    output are counted against the Nones of the document where a result may hold them
    (:func:`_nulls_given`); when they differ (a NaN, or merely a string holding "null"), the
    document is written again by pydantic-core, which shows NaN and infinity, and checked. (The
    engine refuses results whose numbers overflow before this point, naming the offers; this is
    the last guard.)
    """
    out = orjson.dumps(document)
    if out.count(b"null") == _nulls_given(document):  # every null in the output is a None
        return out
    checked = to_json(document, inf_nan_mode="constants")
    if b"NaN" not in checked and b"Infinity" not in checked:
        return checked
    where = list(_non_finite(document, path))[:5]
    raise ScenarioError(
        [
            Problem(
                "",
                "the scenario cannot be priced: its numbers overflow (non-finite "
                f"{', '.join(where)}); check extreme inputs such as a tiny mtbf_hours",
            )
        ]
    )


def too_many_draws(where: str, draws: int, limit: int) -> Problem:
    """The problem of ``draws`` above the service's ``limit``, named ``where``."""
    return Problem(
        where, f"{draws} draws are more than this service allows: at most {limit} (TCO_MAX_DRAWS)"
    )


def _refuse_many_draws(scenarios: list[Scenario | None], limit: int, *, batch: bool) -> None:
    """Refuse (422) a request whose scenarios ask for more than ``limit`` draws: each one
    named by its path, and a batch whose draws add up to more."""
    problems: list[Problem] = []
    total = 0
    for k, sc in enumerate(scenarios):
        draws = 0 if sc is None or sc.uncertainty is None else sc.uncertainty.draws
        total += draws
        if draws > limit:
            where = f"scenarios[{k}].uncertainty.draws" if batch else "uncertainty.draws"
            problems.append(too_many_draws(where, draws, limit))
    if batch and not problems and total > limit:
        problems.append(
            Problem(
                "scenarios",
                f"asks for {total} draws in all, more than this service allows: at most "
                f"{limit} (TCO_MAX_DRAWS)",
            )
        )
    if problems:
        raise ScenarioError(problems)


def evaluate_document(raw: Any, *, max_draws: int = DEFAULT_MAX_DRAWS) -> dict[str, Any]:
    scenario = parse_scenario(raw)
    _refuse_many_draws([scenario], max_draws, batch=False)
    return evaluate_json(scenario)


def _batch_items(raw: Any, limit: int) -> list[Any]:
    """The scenarios of a batch request, as data: the envelope checked (a mapping holding
    ``scenarios`` only, a list of 1 to ``limit`` items)."""
    if not isinstance(raw, Mapping):
        raise ScenarioError([Problem("", "a batch must be a mapping with 'scenarios'")])
    extra = sorted(str(k) for k in raw if k != "scenarios")
    problems = [Problem(k, "unknown field") for k in extra]
    items = raw.get("scenarios")
    if not isinstance(items, list):
        problems.append(Problem("scenarios", "required: a list of scenarios"))
        raise ScenarioError(problems)
    if not items:
        problems.append(Problem("scenarios", "must hold at least 1 scenario, not 0"))
        raise ScenarioError(problems)
    if len(items) > limit:
        problems.append(
            Problem(
                "scenarios",
                f"holds {len(items)} scenarios, more than the limit of {limit} a batch may hold "
                "(TCO_MAX_BATCH_SCENARIOS)",
            )
        )
    if problems:
        raise ScenarioError(problems)
    return items


def _evaluate_items(items: list[Any], max_draws: int) -> list[dict[str, Any]]:
    """Every scenario's result, or a 422 naming every problem: the plainly valid ones on the
    columnar path (:func:`tco.batch.columnar.evaluate_all`), one batch per study period."""

    from tco.batch.columnar import evaluate_all  # pyarrow: loaded where batches are priced

    def check(scenarios: list[Scenario | None]) -> None:
        _refuse_many_draws(scenarios, max_draws, batch=True)

    return evaluate_all(items, check=check)


def evaluate_batch_document(
    raw: Any, *, limit: int, max_draws: int = DEFAULT_MAX_DRAWS
) -> dict[str, Any]:
    """``{"results": [...]}``, one result per scenario in order."""
    return {"results": _evaluate_items(_batch_items(raw, limit), max_draws)}


def evaluate_body(raw: bytes, *, max_draws: int = DEFAULT_MAX_DRAWS) -> bytes:
    """``POST /v1/evaluate``: a request body in, the response body out."""
    return dumps(evaluate_document(parse_json(raw), max_draws=max_draws))


def evaluate_batch_body(raw: bytes, *, limit: int, max_draws: int = DEFAULT_MAX_DRAWS) -> bytes:
    """``POST /v1/evaluate/batch``: a request body in, the response body out, the same bytes as
    ``dumps(evaluate_batch_document(parse_json(raw), limit=limit))``.

    It runs in a worker thread beside the event loop, which needs the GIL for every request it
    serves; so the batch holds the GIL in short stretches only. The results are written one
    by one; the large structures are released item by item; and the cyclic garbage collector
    is paused meanwhile (:func:`collector_paused`): a full collection over a large batch's
    objects would hold the GIL for a tenth of a second, and everything the batch allocates is
    released by reference counting anyway.
    """
    with collector_paused():
        data = parse_json(raw)
        try:
            results = _evaluate_items(_batch_items(data, limit), max_draws)
        finally:
            _release(data.get("scenarios") if isinstance(data, dict) else None)
        try:
            parts = [dumps(r, path=f"results[{i}]") for i, r in enumerate(results)]
        finally:
            _release(results)
        body = b'{"results":[' + b",".join(parts) + b"]}"
        _release(parts)
        return body


def _release(items: Any) -> None:
    """Empty a list one item at a time: freeing a large structure at once holds the GIL for
    as long as it takes, freeing it item by item lets other threads in between."""
    if isinstance(items, list):
        while items:
            items.pop()


class _CollectorPause:
    """Pauses the cyclic garbage collector while any thread is inside; re-entrant and
    thread-safe. The collector is on again when the last one leaves, unless it was off before
    the first came in."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._was_enabled = True

    def __enter__(self) -> None:
        with self._lock:
            if self._inside == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._inside += 1

    def __exit__(self, *_: object) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0 and self._was_enabled:
                gc.enable()


_COLLECTOR_PAUSE = _CollectorPause()


def collector_paused() -> _CollectorPause:
    """A context in which the cyclic garbage collector does not run (see
    :func:`evaluate_batch_body`)."""
    return _COLLECTOR_PAUSE


# --------------------------------------------------------------------------------------------
# Large batches in a child process

#: How much lower the child's CPU priority is than the worker's (``nice``, unless
#: ``TCO_BATCH_PROCESS_NICE`` says): where cores are scarce the worker's small requests, which
#: someone waits for, come before the batch, which is throughput work; on idle cores it makes
#: no difference. (On a machine saturated by other work, a batch at 19 gets a small share.)
CHILD_NICE = DEFAULT_BATCH_PROCESS_NICE
#: A request to the child: body length, scenario limit, draw limit; then the body.
_REQUEST = struct.Struct("!QQQ")
#: An answer: its kind (:data:`_BODY`, :data:`_PROBLEMS`, :data:`_FAILURE`) and length; then it.
_ANSWER = struct.Struct("!BQ")
_BODY, _PROBLEMS, _FAILURE = 0, 1, 2
#: The child: a new interpreter with this process's import path, serving batches on a socket.
_CHILD = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[2]); "
    "from api.evaluation import serve_batches; serve_batches(int(sys.argv[1]), int(sys.argv[3]))"
)


def _receive(sock: socket.socket, into: memoryview) -> bool:
    """Fill ``into`` from the socket (the kernel copies, the GIL released); False at its end."""
    done = 0
    while done < len(into):
        n = sock.recv_into(into[done:])
        if n == 0:
            return False
        done += n
    return True


def _answer(raw: bytes, limit: int, max_draws: int) -> tuple[int, bytes]:
    """The child's answer to one batch: the response body, a project error's class and
    problems (pickled), or the traceback of anything else."""
    try:
        return _BODY, evaluate_batch_body(raw, limit=limit, max_draws=max_draws)
    except TcoError as exc:
        return _PROBLEMS, pickle.dumps((type(exc), exc.problems))
    except Exception:
        return _FAILURE, traceback.format_exc().encode()


def serve_batches(fd: int, nice: int = CHILD_NICE) -> None:
    """The child's life: a lower priority (``nice``), the compiled kernel loaded (from numba's
    on-disk cache), then batches from the socket ``fd`` one by one, until the worker closes it
    (or exits)."""
    lower = getattr(os, "nice", None)
    if lower is not None and nice > 0:
        with contextlib.suppress(OSError):
            lower(nice)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C: the worker's to act on
    warm_up()
    importlib.import_module("tco.batch.columnar")  # what batches are priced with
    gc.collect()
    gc.freeze()  # what start-up made lives as long as the child: out of the collector's sight
    with socket.socket(fileno=fd) as sock:
        while True:
            head = bytearray(_REQUEST.size)
            if not _receive(sock, memoryview(head)):
                return
            size, limit, max_draws = _REQUEST.unpack(head)
            raw = bytearray(size)
            if not _receive(sock, memoryview(raw)):
                return
            kind, payload = _answer(bytes(raw), limit, max_draws)
            del raw
            try:
                sock.sendall(_ANSWER.pack(kind, len(payload)))
                sock.sendall(payload)
            except OSError:  # the worker has gone
                return


class _ChildGoneError(Exception):
    """The child could not be started, or died."""


class BatchProcess:
    """A child process of this worker that prices large batches, started on first use.

    The child is a new interpreter (``python -c``; it ignores a terminal's Ctrl-C, which is the
    worker's to act on: the worker's exit closes the socket and so ends the child) that loads
    the compiled kernel before it takes the first batch; batches take turns. It stays in the
    worker's session: the scheduler shares the processor between sessions first (autogroups),
    so only there does its lower priority rank it below the worker. Body and answer go
    over a socket pair: the kernel copies them, the worker's GIL free meanwhile, and the answer
    lands in one buffer, served as it is. Its answers are the bytes :func:`evaluate_batch_body`
    gives in this process, and its project errors are raised here as they would be (422 with
    the paths of the problems). Where the child died (killed, out of memory), the batch is
    priced in this process and the next one starts a new child.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None

    @property
    def started(self) -> bool:
        return self._child is not None

    @property
    def pid(self) -> int | None:
        return None if self._child is None else self._child.pid

    def _start(self, nice: int) -> socket.socket:
        mine, theirs = socket.socketpair()
        fd = str(theirs.fileno())
        with theirs:
            self._child = subprocess.Popen(
                [sys.executable, "-c", _CHILD, fd, json.dumps(sys.path), str(nice)],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        self._sock = mine
        return mine

    def _stop(self) -> None:
        sock, child, self._sock, self._child = self._sock, self._child, None, None
        if sock is not None:
            sock.close()
        if child is not None:  # a batch it may be pricing has no one left to answer
            child.terminate()
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def shutdown(self) -> None:
        """Stop the child (a new one starts on next use)."""
        with self._lock:
            self._stop()

    def _exchange(
        self, raw: bytes, limit: int, max_draws: int, nice: int
    ) -> tuple[int, memoryview]:
        with self._lock:
            try:
                sock = self._sock or self._start(nice)
                sock.sendall(_REQUEST.pack(len(raw), limit, max_draws))
                sock.sendall(raw)
                head = bytearray(_ANSWER.size)
                if _receive(sock, memoryview(head)):
                    kind, size = _ANSWER.unpack(head)
                    answer = memoryview(bytearray(size))
                    if _receive(sock, answer):
                        return kind, answer
            except OSError:
                pass
            self._stop()
            raise _ChildGoneError

    async def evaluate(
        self, raw: bytes, *, limit: int, max_draws: int, nice: int = CHILD_NICE
    ) -> bytes | memoryview:
        """``evaluate_batch_body(raw, ...)``, priced in the child (in a thread of this process
        where the child cannot start or died); ``nice``: the child's priority, if it starts."""
        try:
            kind, answer = await asyncio.to_thread(self._exchange, raw, limit, max_draws, nice)
        except _ChildGoneError:
            return await asyncio.to_thread(
                evaluate_batch_body, raw, limit=limit, max_draws=max_draws
            )
        if kind == _PROBLEMS:
            error_class, problems = pickle.loads(answer)
            raise error_class(problems)
        if kind == _FAILURE:
            raise RuntimeError("the batch process failed:\n" + bytes(answer).decode())
        return answer


BATCH_PROCESS = BatchProcess()
atexit.register(BATCH_PROCESS.shutdown)
