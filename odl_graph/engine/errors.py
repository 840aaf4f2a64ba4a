"""What a query can run into in the engine, and how a worker's reply or death says which."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Iterable
from dataclasses import dataclass

from odl_graph.errors import EvaluationError, OdlError, QueryError, StoreError, parse_error_position
from odl_graph.negotiation import Format


class QueryTimeout(OdlError):
    """The query ran past the time limit; its worker was killed."""


class EngineBusy(OdlError):
    """No worker became free within the time limit; `retry_after`: seconds a client should wait."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class WorkerCrashed(OdlError):
    """The worker was killed from outside while evaluating (the host's OOM killer); it was replaced."""


class MemoryLimit(OdlError):
    """The query needed more memory than a worker may allocate (`worker_memory_mb`); it was stopped."""


class EngineFailure(OdlError):
    """The engine itself failed on this query (a panic, a crash): it would fail again, so no retry."""


class NotAcceptable(OdlError):
    """The result kind (solutions, boolean, graph) has no format the client accepts."""

    def __init__(self, kind: str, formats: Iterable[Format]) -> None:
        self.kind = kind
        offered = ", ".join(f.media_type for f in formats)
        super().__init__(f"cannot serialise {kind} results in an acceptable format; available: {offered}")


class RowCapExceeded(OdlError):
    """A SELECT answer has more rows than the row cap, and the client did not opt into a cut answer."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        super().__init__(
            f"the answer has more than {cap} rows, the row cap of this endpoint; nothing was cut silently: "
            f"page through it with LIMIT {cap} OFFSET 0, then OFFSET {cap}, {2 * cap}, ... "
            f"(with an ORDER BY so pages do not overlap), or add the parameter truncate=true to get the "
            f"first {cap} rows marked X-ODL-Truncated: true"
        )


class UpdateRejected(OdlError):
    """An update was sent where only queries are accepted."""


class GraphNotFound(OdlError):
    """Graph Store Protocol: the named graph does not exist."""


@dataclass(frozen=True)
class Failure:
    """An error as it crosses the pipe from a worker (exceptions do not pickle reliably)."""

    kind: str  # query | notfound | rowcap | memory | engine | store
    message: str
    line: int | None = None
    column: int | None = None

    @classmethod
    def of(cls, exc: BaseException) -> Failure:
        if isinstance(exc, QueryError):
            return cls("query", str(exc), exc.line, exc.column)
        if isinstance(exc, GraphNotFound):
            return cls("notfound", str(exc))
        if isinstance(exc, RowCapExceeded):
            return cls("rowcap", str(exc), exc.cap)
        if isinstance(exc, StoreError):
            return cls("store", str(exc))
        if isinstance(exc, SyntaxError):
            line, col = parse_error_position(str(exc))
            return cls("query", str(exc), line, col)
        if isinstance(exc, MemoryError):
            return cls("memory", "")
        if type(exc).__name__ == "PanicException":  # pyo3: a Rust panic caught on the calling thread
            return cls("engine", str(exc))
        if isinstance(exc, EvaluationError | RuntimeError):  # parsed, then failed while evaluating
            return cls("evaluation", str(exc))
        return cls("query", f"{type(exc).__name__}: {exc}")

    def error(self, memory_mb: int) -> OdlError:
        """The exception the caller sees."""
        if self.kind == "notfound":
            return GraphNotFound(self.message)
        if self.kind == "rowcap":
            return RowCapExceeded(self.line or 0)
        if self.kind == "memory":
            return MemoryLimit(memory_message(memory_mb))
        if self.kind == "engine":
            return engine_failure(self.message)
        if self.kind == "store":
            return StoreError(self.message)
        if self.kind == "evaluation":
            return EvaluationError(self.message)
        return QueryError(self.message, line=self.line, column=self.column)


_PANIC = re.compile(r"panicked at [^\n]*:\n([^\n]+)")


def crash_error(status: int, stderr_tail: str, memory_mb: int) -> OdlError:
    """What a worker's death says about the query, from its exit status and the end of its stderr.

    A Rust allocation past RLIMIT_AS aborts with "memory allocation of N bytes failed"; a panic off
    the calling thread aborts with "thread ... panicked at ...: message"; a stack overflow in the
    parser is a SIGSEGV. All of these fail again on a retry; a plain SIGKILL came from outside
    (the host's OOM killer), which a retry may survive."""
    if "memory allocation of" in stderr_tail or "MemoryError" in stderr_tail:
        return MemoryLimit(memory_message(memory_mb))
    m = _PANIC.search(stderr_tail)
    if m:
        return engine_failure(m.group(1).strip())
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
    if sig == signal.SIGKILL:
        return WorkerCrashed("the query worker was killed during evaluation (out of memory on the host?); "
                             "it was replaced")
    if sig == signal.SIGSEGV or "overflowed its stack" in stderr_tail:
        return EngineFailure("the query engine crashed on this query (stack overflow: is it nested too deeply?)")
    what = f"signal {signal.Signals(sig).name}" if sig else f"exit status {os.WEXITSTATUS(status)}"
    return EngineFailure(f"the query engine crashed on this query ({what})")


UNSORTABLE = ("ORDER BY cannot sort these values: the engine's comparison has no total order over the mixed "
              "kinds of values this query sorts (e.g. numbers, strings and dates together; the engine "
              "reported: {}). Sort on one kind, e.g. ORDER BY STR(?x), or filter by DATATYPE(?x) first")


def engine_failure(message: str) -> OdlError:
    """A panic of the engine: a QueryError (400) when the query itself can be changed to avoid it
    (ORDER BY over mixed literals: pyoxigraph 0.5.13 sorts with a comparison that is not a total
    order and Rust's sort panics), else an EngineFailure (500)."""
    if "total order" in message:
        return QueryError(UNSORTABLE.format(message))
    return EngineFailure(f"the query engine failed on this query: {message}")


def memory_message(memory_mb: int) -> str:
    return (f"the query needed more than the {memory_mb} MB a query worker may allocate "
            f"(worker_memory_mb) and was stopped")
