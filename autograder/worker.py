"""The student process: runs a submission's answer cells and serves calls into them.

This file is started as `python -I -c <this file's text>` in a separate process, inside a sandbox where
one is available, so it imports nothing from the grader: only the standard library and numpy. The grader
(the parent) imports it too, for `encode`/`decode`, so both ends speak one wire format.

Wire format: one JSON document per line. Values travel as plain data: numbers, strings, lists, and
numpy arrays as {"__nd__": [dtype, shape, base64 bytes]}. Nothing is ever pickled, so a hostile process
can send back numbers and nothing else.

Conversation (parent -> worker, worker -> parent):
    {"op": "exec", "cell": id, "source": code}      -> {"op": "done"} | {"op": "error", ...}
    {"op": "call", "target": "Class.method", ...}   -> {"op": "standin", ...}* then {"op": "result", ...}
While a call runs, each stand-in (a graded member replaced by the grader's reference, so that one bug
costs one function) asks the parent for its value with {"op": "standin"} and waits for
{"op": "value"} or {"op": "raise"}.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import os
import sys
import time
import traceback
import warnings
from typing import Any

MAX_LINE = 64 * 2**20  # a longer message is a protocol violation, not something to buffer
MAX_OUTPUT = 4000  # characters of a call's printed output kept for feedback
NUMERIC_KINDS = "biufc"  # bool, int, uint, float, complex: the only dtypes that cross the wire


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


class BoundedText:
    """A stand-in for sys.stdout/sys.stderr that keeps the first MAX_OUTPUT characters and counts the rest."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def write(self, text: str) -> int:
        text = str(text)
        room = MAX_OUTPUT - self.kept
        self.parts.append(text[:room])
        self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - room)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def text(self) -> str:
        out = "".join(self.parts)
        return out + (f"\n... ({self.dropped} more characters cut)" if self.dropped else "")


SPIN_SECONDS = 0.002  # how long a reader polls before it sleeps: waking a sleeping process costs ~0.3 ms here


def read_line(fd: int, buffer: bytearray, deadline: float | None = None) -> bytes | None:
    """One line from a non-blocking `fd`: polls briefly, then sleeps in select. None at end of file;
    TimeoutError past `deadline`; ValueError for a line longer than MAX_LINE."""
    import select

    spin_until = time.monotonic() + SPIN_SECONDS
    while (end := buffer.find(b"\n")) < 0:
        try:
            chunk = os.read(fd, 1 << 20)
        except BlockingIOError:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise TimeoutError from None
            if now >= spin_until:
                select.select([fd], [], [], None if deadline is None else deadline - now)
            continue
        if not chunk:
            return None
        buffer += chunk
        if len(buffer) > MAX_LINE:
            raise ValueError("line too long")
    line = bytes(buffer[:end])
    del buffer[:end + 1]
    return line


class Channel:
    """Line-delimited JSON over two file descriptors that student code is not meant to use."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        os.set_blocking(read_fd, False)
        self.read_fd, self.write_fd, self.buffer = read_fd, write_fd, bytearray()

    def send(self, message: dict) -> None:
        data = (json.dumps(message) + "\n").encode()
        while data:
            data = data[os.write(self.write_fd, data):]

    def receive(self) -> dict:
        line = read_line(self.read_fd, self.buffer)
        if line is None:
            os._exit(0)  # the grader has gone: nothing left to do
        return json.loads(line)


def student_trace(exc: BaseException) -> list[str]:
    """The traceback lines that point into the student's own cells, nothing of the grader's."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith("<cell ")]
    return [f"{f.filename[1:-1]}, line {f.lineno}, in {f.name}: {(f.line or '').strip()}" for f in frames]


def describe(exc: BaseException) -> dict:
    text = str(exc)
    if isinstance(exc, SyntaxError):
        text = f"{exc.msg} (line {exc.lineno}: {(exc.text or '').strip()})"
    return {"type": type(exc).__name__, "message": text[:500], "trace": student_trace(exc)[-5:]}


def plain_state(obj: Any) -> Any:
    """The instance attributes that can cross the wire (weights, bias...)."""
    import numpy as np

    plain = (int, float, bool, np.ndarray, np.generic)
    return encode({name: value for name, value in vars(obj).items() if isinstance(value, plain)})


class Worker:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}

    def serve(self) -> None:
        import numpy as np

        self.namespace["np"] = np  # the notebooks' given import
        while True:
            message = self.channel.receive()
            self.channel.send(self.handle(message))

    def handle(self, message: dict) -> dict:
        output = BoundedText()
        sys.stdout = sys.stderr = output
        caught: list[warnings.WarningMessage] = []
        started = time.perf_counter()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                reply = self.run(message)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt from student code included
            reply = {"op": "error", "error": describe(exc)}
        finally:
            seconds = time.perf_counter() - started
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        reply["seconds"] = seconds
        reply["stdout"] = output.text()
        reply["warnings"] = sorted({f"{w.category.__name__}: {w.message}" for w in caught})[:10]
        return reply

    def run(self, message: dict) -> dict:
        import numpy as np

        if message["op"] == "exec":
            name = f"<cell {message['cell']}>"
            import linecache

            linecache.cache[name] = (len(message["source"]), None, message["source"].splitlines(True), name)
            exec(compile(message["source"], name, "exec"), self.namespace)
            return {"op": "done"}

        np.seterr(all="warn", under="ignore")  # numpy's defaults, whatever a cell set at top level
        np.random.seed(message.get("seed", 0))
        scope, _, member = message["target"].rpartition(".")
        calls: dict[str, int] = {}
        if (scope or member) not in self.namespace:
            return {"op": "missing", "name": scope or member}
        if scope:  # a method: build an instance with the student's __init__, then set the given state
            cls = self.namespace[scope]
            if not callable(getattr(cls, member, None)):
                return {"op": "missing", "name": message["target"]}
            obj = cls(*decode(message.get("init") or []))
            for attr, value in decode(message.get("state") or {"__dict__": {}}).items():
                setattr(obj, attr, value)
        else:
            obj = None
        # Stand-ins: instance attributes shadow a class's methods; module-level neighbours are swapped in
        # the namespace for the length of the call.
        replacements = {name: self.standin(name, calls, obj) for name in message.get("standins", [])}
        replacements.update({name: self.constant(name, calls, value)
                             for name, value in message.get("constants", {}).items()})
        missing = object()
        saved = {} if scope else {name: self.namespace.get(name, missing) for name in replacements}
        for name, function in replacements.items():
            if scope:
                setattr(obj, name, function)
            else:
                self.namespace[name] = function
        try:
            function = getattr(obj, member) if scope else self.namespace[member]
            args, kwargs = decode(message.get("args") or []), decode(message.get("kwargs") or {"__dict__": {}})
            start = time.perf_counter()
            value = function(*args, **kwargs)
            elapsed = time.perf_counter() - start
        finally:
            for name, original in saved.items():
                if original is missing:
                    self.namespace.pop(name, None)
                else:
                    self.namespace[name] = original
        reply = {"op": "result", "value": encode(value), "elapsed": elapsed, "calls": calls}
        if obj is not None:
            reply["state"] = plain_state(obj)
        return reply

    @staticmethod
    def constant(name: str, calls: dict[str, int], value: Any):
        def same_answer(*args: Any, **kwargs: Any) -> Any:
            calls[name] = calls.get(name, 0) + 1
            return decode(value)  # a fresh copy each time: changing it in place changes nothing

        same_answer.__name__ = name
        return same_answer

    def standin(self, name: str, calls: dict[str, int], obj: Any):
        def call_reference(*args: Any, **kwargs: Any) -> Any:
            calls[name] = calls.get(name, 0) + 1
            state = plain_state(obj) if obj is not None else encode({})
            self.channel.send({"op": "standin", "name": name, "args": encode(list(args)),
                               "kwargs": encode(kwargs), "state": state})
            answer = self.channel.receive()
            if answer["op"] == "raise":
                raise RuntimeError(answer["message"])
            return decode(answer["value"])

        call_reference.__name__ = name
        return call_reference


def limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-long write fails with an error, not a kill
    for limit, value in ((resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_CPU, cpu_seconds),
                         (resource.RLIMIT_FSIZE, 16 * 2**20), (resource.RLIMIT_CORE, 0)):
        with contextlib.suppress(ValueError, OSError):  # a limit the platform lacks: the deadline still holds
            resource.setrlimit(limit, (value, value))


def main() -> None:
    # The protocol keeps the original stdin/stdout; the student's prints go to a bounded buffer instead,
    # and anything written at the C level (os.system, extension modules) goes nowhere.
    read_fd, write_fd = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    limit_resources(int(os.environ.get("GRADER_MEMORY", 2**30)), int(os.environ.get("GRADER_CPU", 600)))
    channel = Channel(read_fd, write_fd)
    import numpy  # noqa: F401 -- imported before the first message so that start-up overlaps the parent's work

    channel.send({"op": "ready"})
    Worker(channel).serve()


if __name__ == "__main__":
    main()
