"""What crosses between the grader and the student process: limits, values, messages, outcomes.

This module runs on both sides. The student process loads it from its source text (see sandbox/launch.py), so it
imports only the standard library, and numpy inside the functions that need it.

Wire format: one JSON document per line. Values travel as plain data: numbers, strings, lists, and numpy
arrays as {"__nd__": [dtype, shape, base64 bytes]}. Nothing is ever pickled, so a hostile process can send
back numbers and nothing else.

Conversation (grader -> student process, student process -> grader):
    (start)                                          <- {"op": "ready", "isolation": layer}
    {"op": "exec", "cell": id, "source": code,      -> {"op": "done", "errors": {statement: error}}
     "namespace": key, "statements": [i...] | null}     | {"op": "error", ...} (a whole cell that raised)
    {"op": "call", "target": "Class.method",        -> {"op": "standin", ...}* then {"op": "result", ...}
     "namespace": key, ...}
    {"op": "echo", "args": ...}                     -> {"op": "echo", "args": ...}  (what moving values costs)
While a call runs, each stand-in (a graded member answered by the grader's reference) asks for its value
with {"op": "standin"} and waits for {"op": "value"} or {"op": "raise"}.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import os
import select
from dataclasses import dataclass, field
from time import monotonic  # bound now: student code that replaces time.monotonic cannot reach it
from typing import Any

MAX_LINE = 64 * 2**20  # bytes: a longer message is a protocol violation, not something to buffer
NUMERIC_KINDS = "biufc"  # bool, int, uint, float, complex: the only dtypes that cross the wire
KEEPER_SECONDS = 10.0  # how long a student process's keeper may take to clear up when it ends, before it is killed
SPIN_SECONDS = 0.002  # a reader polls this long before it sleeps: waking a sleeping process costs ~0.3 ms


@dataclass(frozen=True)
class Limits:
    """Every limit on student code, set once (command line or caller) and carried to the student process."""

    check_seconds: float = 3.0  # one check's calls together; a check may ask for more (vectorisation)
    cell_seconds: float = 5.0  # running one answer cell when the process starts
    memory_bytes: int = 2**30  # address space of the student process
    cpu_seconds: int = 600  # CPU time of the student process over its whole life
    output_chars: int = 2000  # printed output kept per call, and shown in feedback
    libraries: tuple[str, ...] = ("numpy", "matplotlib")  # what student code may import beyond the standard library


class Opaque:
    """Stands for a value that cannot cross the wire (a function, an object...): only its type's name."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


def encode(value: Any) -> Any:
    """Turn a value into JSON-ready plain data (see the module docstring)."""
    import numpy as np

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in NUMERIC_KINDS:
        return {"__np__": encode(np.asarray(value))}
    if isinstance(value, np.ndarray) and value.dtype.kind in NUMERIC_KINDS:
        return {"__nd__": [value.dtype.str, list(value.shape), base64.b64encode(value.tobytes()).decode()]}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"__dict__": {k: encode(v) for k, v in value.items()}}
    return {"__opaque__": type(value).__name__}


def decode(data: Any, depth: int = 0) -> Any:
    """Inverse of `encode`; raises ValueError on anything malformed (the other side may be hostile)."""
    import numpy as np

    if depth > 20:
        raise ValueError("value nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v, depth + 1) for v in data]
    if not isinstance(data, dict) or len(data) != 1:
        raise ValueError("malformed value")
    (tag, body), = data.items()
    if tag == "__nd__":
        dtype_str, shape, payload = body
        dtype = np.dtype(dtype_str)
        if dtype.kind not in NUMERIC_KINDS or not all(isinstance(s, int) and s >= 0 for s in shape):
            raise ValueError("unsupported array")
        raw = base64.b64decode(payload, validate=True)
        if len(raw) != math.prod(shape) * dtype.itemsize:
            raise ValueError("array size does not match its shape")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if tag == "__np__":
        array = decode(body, depth + 1)
        if not isinstance(array, np.ndarray) or array.shape != ():
            raise ValueError("malformed numpy scalar")
        return array[()]
    if tag == "__tuple__" and isinstance(body, list):
        return tuple(decode(v, depth + 1) for v in body)
    if tag == "__dict__" and isinstance(body, dict):
        return {str(k): decode(v, depth + 1) for k, v in body.items()}
    if tag == "__opaque__" and isinstance(body, str):
        return Opaque(body[:100])
    raise ValueError("malformed value")


class ChannelClosed(Exception):
    """The other end has gone."""


class Channel:
    """Line-delimited JSON over two non-blocking file descriptors, with an optional deadline per message.

    `receive` raises TimeoutError past the deadline, ChannelClosed at end of file, and ValueError for a line
    longer than MAX_LINE or one that is not a JSON object.
    """

    def __init__(self, read_fd: int, write_fd: int) -> None:
        os.set_blocking(read_fd, False)
        os.set_blocking(write_fd, False)
        self.read_fd, self.write_fd, self.buffer = read_fd, write_fd, bytearray()

    def send(self, message: dict, deadline: float | None = None) -> None:
        data = memoryview((json.dumps(message) + "\n").encode())
        while data:
            try:
                data = data[os.write(self.write_fd, data):]
            except BlockingIOError:
                if not select.select([], [self.write_fd], [], remaining(deadline))[1]:
                    raise TimeoutError from None
            except BrokenPipeError:
                raise ChannelClosed from None

    def close(self) -> None:
        for fd in {self.read_fd, self.write_fd}:
            with contextlib.suppress(OSError):
                os.close(fd)

    def receive(self, deadline: float | None = None, spin: float | None = None) -> dict:
        """The next message; the reader polls for `spin` seconds (default SPIN_SECONDS) before it sleeps."""
        spin_until = monotonic() + (SPIN_SECONDS if spin is None else spin)
        while (end := self.buffer.find(b"\n")) < 0:
            try:
                chunk = os.read(self.read_fd, 1 << 20)
            except BlockingIOError:
                now = monotonic()
                if deadline is not None and now >= deadline:
                    raise TimeoutError from None
                if now >= spin_until:
                    select.select([self.read_fd], [], [], remaining(deadline))
                continue
            if not chunk:
                raise ChannelClosed
            self.buffer += chunk
            if len(self.buffer) > MAX_LINE:
                raise ValueError("line too long")
        line = bytes(self.buffer[:end])
        del self.buffer[:end + 1]
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested deeper than the parser goes
            raise ValueError("not JSON") from None
        if not isinstance(message, dict) or not isinstance(message.get("op"), str):
            raise ValueError("not a message")
        return message


def remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - monotonic())


@dataclass
class Outcome:
    """What one call of a graded function gave: its value, and the instance's state afterwards."""

    value: Any
    state: dict[str, Any] = field(default_factory=dict)
    stdout: str = ""
    warnings: list[str] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)  # how often each stand-in was called
    seconds: float = 0.0  # the call's time, measured by the grader (never by the student process)
    cpu_seconds: float = 0.0  # a timed call's CPU time, read from the kernel by the grader (cpu.py)
    target: str = ""  # the function called ("Class.method"), set by the grader

    @classmethod
    def from_reply(cls, reply: dict, seconds: float) -> Outcome:
        """Decode a result; raises ValueError, TypeError or AttributeError on malformed data."""
        return cls(decode(reply.get("value")), decode(reply.get("state") or {"__dict__": {}}),
                   str(reply.get("stdout", "")), [str(w) for w in reply.get("warnings", [])],
                   {str(k): int(v) for k, v in dict(reply.get("calls", {})).items()}, seconds)
