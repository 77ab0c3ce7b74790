"""One runner for every benchmark: each rival in a fresh process, medians, spread and peak memory.

A *rival* is a factory ``"package.module:function"`` plus JSON keyword arguments; the factory
builds the workload (data, model, weights) and returns a zero-argument callable, the thing that
is timed (one forward + backward, one epoch, ...). The parent never imports torch, JAX or npgnn
itself: it spawns ``python -m benchmarks._harness --worker SPEC`` per rival, with the rival's
thread settings in the environment *before* any import, and reads one JSON line back.

Thread settings per ``kind`` (``Rival.kind``), ``threads`` = ``Rival.threads``:

- every kind: ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``,
  ``NUMBA_NUM_THREADS`` = ``threads``; the benchmark machine's own ``OPENBLAS_CORETYPE`` /
  ``OPENBLAS_L2_SIZE`` overrides are removed (the brief's ``env -u ...``);
- ``npgnn``: BLAS at one thread (``OPENBLAS/OMP/MKL_NUM_THREADS=1``, what ``import npgnn`` does
  by itself), ``threads`` for its numba kernels;
- ``torch``: ``torch.set_num_threads(threads)`` and ``set_num_interop_threads(1)`` right after
  ``import torch``, before the factory runs;
- ``jax``: ``XLA_FLAGS=--xla_cpu_multi_thread_eigen=<threads > 1>
  intra_op_parallelism_threads=<threads>`` and ``JAX_PLATFORMS=cpu``;
- ``numpy``: only the variables above.

Protocol in the worker: ``warmup`` untimed calls, then ``repeats`` timed calls, each preceded by
``pause`` seconds of sleep (OpenBLAS and OpenMP workers spin after a call and would steal the
core from the next one); wall time (``perf_counter``) and the process's CPU time (all threads)
per call. Then one more call measures peak memory: the resident-set high-water mark
(``VmHWM`` of ``/proc/self/status``) is reset by writing ``5`` to ``/proc/self/clear_refs``
(Linux >= 4.0), and the peak is ``VmHWM`` after the call minus ``VmRSS`` before it -- exact, no
sampling gaps. Where ``clear_refs`` is not writable, a thread polling ``VmRSS`` every 0.5 ms
gives a lower bound instead (``memory_method`` in the result says which). For that call only,
the free heap is returned to the system (``malloc_trim``) and glibc's mmap threshold is fixed
at 64 KiB, so blocks freed by earlier calls leave the resident set and the call's own
allocations show up in its peak. The timed calls run with glibc's defaults: with the threshold
fixed, every array above 64 KiB is a fresh ``mmap`` faulted in page by page (benchmarks/gin_epoch.py
measured twice the CPU time per epoch that way, for npgnn and PyG alike). Optional: ``profile=True`` runs one call under
``torch.profiler`` (torch rivals) and reports the top operators by self CPU time, to say what
dominates a rival's time when it is not the GNN (e.g. dropout's RNG).

Rivals can be interleaved over ``rounds`` (each round spawns every rival afresh; samples are
pooled), a rival that exceeds ``timeout`` seconds, or ``memory_limit`` bytes of address space
(``RLIMIT_AS``), or is killed comes back with ``error`` set instead of numbers, and ``write_markdown`` / ``machine_lines`` state the machine
(CPU model, cores, load average before/after), versions and the best torch thread count.

Parent API: ``Rival``, ``torch_rivals``, ``run``, ``Result``, ``best``, ``fmt_ms``, ``fmt_mb``, ``fmt_profile``,
``machine_lines``, ``table_lines``, ``write_markdown``.
"""
from __future__ import annotations

import argparse
import ctypes
import dataclasses
import importlib
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = "@@harness "
KINDS = ("npgnn", "torch", "jax", "numpy")
THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS")
DROP_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
#: How numpy, torch and XLA say that an allocation failed (a worker's stderr).
OOM_SIGNS = ("MemoryError", "can't allocate memory", "Cannot allocate memory", "std::bad_alloc",
             "RESOURCE_EXHAUSTED", "Out of memory")


# ============================================================================ parent side
@dataclasses.dataclass(frozen=True)
class Rival:
    """One implementation to time in its own process.

    Args:
        name: label in tables (unique within one ``run``).
        factory: ``"package.module:function"``; called in the worker as ``function(**kwargs)``,
            it returns the zero-argument callable to time.
        kind: one of ``KINDS``; decides the thread settings (module docstring).
        threads: thread count for that kind (torch intra-op, numba, XLA intra-op).
        kwargs: JSON-serialisable keyword arguments for the factory.
        env: extra environment variables for the worker (a ``PYTHONPATH`` here is put in front
            of the repository's ``src`` and root, which are always on the worker's path).
    """

    name: str
    factory: str
    kind: str = "numpy"
    threads: int = 1
    kwargs: dict = dataclasses.field(default_factory=dict)
    env: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Rival.kind: expected one of {KINDS}, got {self.kind!r}")
        if ":" not in self.factory:
            raise ValueError(f"Rival.factory: expected 'package.module:function', got {self.factory!r}")
        if not isinstance(self.threads, int) or self.threads < 1:
            raise ValueError(f"Rival.threads: expected a positive int, got {self.threads!r}")
        json.dumps(self.kwargs)  # fails early, naming the value, if not serialisable


def torch_rivals(label: str, factory: str, threads: Sequence[int] = (1, 2), /,
                 **kwargs) -> list[Rival]:
    """The same torch workload at each thread count: ``"<label>, torch <t>T"`` rivals; the first
    three arguments are positional-only, so ``kwargs`` (for the factory) may use any name."""
    return [Rival(f"{label}, torch {t}T", factory, kind="torch", threads=t, kwargs=kwargs)
            for t in threads]


@dataclasses.dataclass
class Result:
    """Seconds per timed call (wall and CPU), peak memory in bytes, or the error that stopped it."""

    name: str
    wall: list[float] = dataclasses.field(default_factory=list)
    cpu: list[float] = dataclasses.field(default_factory=list)
    peak: int | None = None
    memory_method: str = ""
    profile: list[dict] = dataclasses.field(default_factory=list)
    info: dict = dataclasses.field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.wall)

    @property
    def median(self) -> float:
        return statistics.median(self.wall) if self.wall else float("nan")

    @property
    def spread(self) -> tuple[float, float]:
        """(min, max) of the wall times."""
        return (min(self.wall), max(self.wall)) if self.wall else (float("nan"), float("nan"))

    @property
    def quartiles(self) -> tuple[float, float]:
        """(first, third) quartile of the wall times (the median itself with fewer than 2)."""
        if len(self.wall) < 2:
            return self.median, self.median
        q = statistics.quantiles(self.wall, n=4, method="inclusive")
        return q[0], q[2]


def worker_env(rival: Rival, base: dict | None = None) -> dict:
    """The environment a rival's worker starts with (thread variables set before any import)."""
    env = dict(os.environ if base is None else base)
    for key in DROP_ENV:
        env.pop(key, None)
    t = str(rival.threads)
    for key in THREAD_ENV:
        env[key] = t
    if rival.kind == "npgnn":  # npgnn's own policy: BLAS at 1 thread, the cores for its kernels
        for key in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env[key] = "1"
    if rival.kind == "jax":
        env["JAX_PLATFORMS"] = "cpu"
        env["XLA_FLAGS"] = (f"--xla_cpu_multi_thread_eigen={'true' if rival.threads > 1 else 'false'} "
                            f"intra_op_parallelism_threads={rival.threads}")
    extra = {k: str(v) for k, v in rival.env.items()}
    paths = [*extra.pop("PYTHONPATH", "").split(os.pathsep), str(ROOT / "src"), str(ROOT),
             *env.get("PYTHONPATH", "").split(os.pathsep)]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(p for p in paths if p))
    env.update(extra)
    return env


def spawn(rival: Rival, *, repeats: int, warmup: int = 1, pause: float = 0.2,
          memory: bool = True, profile: bool = False, timeout: float | None = None,
          memory_limit: int | None = None) -> Result:
    """Run one rival in a fresh process and return its ``Result`` (``error`` set on failure).

    ``memory_limit``: bytes of address space the worker may map (``RLIMIT_AS``, set before any
    import), so that a rival that would exhaust a shared machine fails alone with "out of
    memory" instead of waking the kernel's OOM killer.
    """
    spec = {"factory": rival.factory, "kwargs": rival.kwargs, "kind": rival.kind,
            "threads": rival.threads, "repeats": repeats, "warmup": warmup, "pause": pause,
            "memory": memory, "profile": profile, "memory_limit": memory_limit}
    cmd = [sys.executable, "-m", "benchmarks._harness", "--worker", json.dumps(spec)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=worker_env(rival),
                              cwd=ROOT, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return Result(rival.name, error=f"timeout (> {timeout:.0f} s)")
    payload = [line for line in proc.stdout.splitlines() if line.startswith(MARKER)]
    if proc.returncode != 0 or not payload:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        oom = proc.returncode == -9 or any(sign in proc.stderr for sign in OOM_SIGNS)
        what = "out of memory" if oom else f"exit {proc.returncode}"
        return Result(rival.name, error=f"{what}: {tail[-300:]}" if tail else what)
    data = json.loads(payload[-1][len(MARKER):])
    return Result(rival.name, **data)


def run(rivals: Iterable[Rival], *, repeats: int = 5, rounds: int = 1, warmup: int = 1,
        pause: float = 0.2, memory: bool = True, profile: Iterable[str] = (),
        timeout: float | None = None, memory_limit: int | None = None,
        verbose: bool = True) -> dict[str, Result]:
    """Every rival in its own process, interleaved over ``rounds``; samples pooled per rival.

    ``profile``: names of torch rivals to profile once (first round). A rival that failed in a
    round is not run again in later rounds. Returns ``{rival.name: Result}`` in input order.
    """
    rivals = list(rivals)
    names = [r.name for r in rivals]
    if len(set(names)) != len(names):
        raise ValueError(f"rivals: names must be unique, got {names}")
    profile = set(profile)
    out: dict[str, Result] = {r.name: Result(r.name) for r in rivals}
    for k in range(rounds):
        for rival in rivals:
            acc = out[rival.name]
            if acc.error:
                continue
            res = spawn(rival, repeats=repeats, warmup=warmup, pause=pause, memory=memory and k == 0,
                        profile=k == 0 and rival.name in profile, timeout=timeout,
                        memory_limit=memory_limit)
            if res.error:
                acc.error = res.error
            else:
                acc.wall += res.wall
                acc.cpu += res.cpu
                if k == 0:
                    acc.peak, acc.memory_method = res.peak, res.memory_method
                    acc.profile, acc.info = res.profile, res.info
            if verbose:
                print(f"  {rival.name}: {res.error or fmt_ms(res)} ms", file=sys.stderr, flush=True)
    return out


def best(results: dict[str, Result], names: Iterable[str]) -> str | None:
    """The name with the lowest median among ``names`` that ran (None if none did)."""
    ok = [n for n in names if n in results and results[n].ok]
    return min(ok, key=lambda n: results[n].median) if ok else None


def short_error(error: str) -> str:
    """A table cell for a failed rival: "out of memory", "timeout (> N s)", or the error's start."""
    if error.startswith("timeout"):
        return error
    if error.startswith("out of memory") or any(sign in error for sign in OOM_SIGNS):
        return "out of memory"
    return error[:80]


def fmt_ms(res: Result) -> str:
    """``median (min-max)`` in milliseconds, or the (shortened) error."""
    if not res.ok:
        return short_error(res.error) if res.error else "not run"
    lo, hi = res.spread
    return f"{1e3 * res.median:,.1f} ({1e3 * lo:,.1f}-{1e3 * hi:,.1f})"


def fmt_profile(res: Result, top: int = 3) -> str:
    """``"aten::bernoulli_ 70%, aten::mm 12%"``: the profiled call's top operators (or "-")."""
    return ", ".join(f"`{p['op']}` {100 * p['share']:.0f}%" for p in res.profile[:top]) or "-"


def fmt_mb(res: Result) -> str:
    return "-" if res.peak is None else f"{res.peak / 2**20:,.0f}"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def versions(packages: Sequence[str] = ("numpy", "scipy", "numba", "npgnn", "torch",
                                         "torch_geometric", "jax", "jaxlib")) -> dict[str, str]:
    """Installed versions from package metadata (nothing imported); missing ones left out."""
    out = {}
    for p in packages:
        try:
            out[p] = importlib.metadata.version(p)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_lines(load_before: str, results: dict[str, Result] | None = None,
                  torch_groups: Iterable[Sequence[str]] = (),
                  load_text: str | None = None) -> list[str]:
    """Markdown lines: CPU, cores, load average before/now (or ``load_text`` instead, for a
    page written after the measurements), versions, best torch thread count."""
    ver = ", ".join(f"{k} {v}" for k, v in versions().items())
    load = load_text or (f"load average (1, 5, 15 min) before: {load_before}, after: "
                         f"{load_average()}")
    lines = [(f"Machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"{load} -- the machine is shared with other jobs, read ratios as +-30% or worse."),
             f"Versions: {ver}.",
             ("Each rival ran in a fresh process with its thread settings applied before imports "
             "(benchmarks/_harness.py); times are medians (min-max) of the timed calls after a "
             "warm-up; peak memory is the resident-set high-water mark of one call above the "
             "resident set before it.")]
    if results:
        for group in torch_groups:
            b = best(results, group)
            if b is not None:
                lines.append(f"Best torch thread count among {', '.join(group)}: **{b}**.")
    return lines


def table_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A markdown table as lines."""
    return (["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def write_markdown(path: str | Path, title: str, header: Sequence[str], rows: Iterable[Sequence[str]],
                   *, notes: Sequence[str] = (), load_before: str | None = None,
                   results: dict[str, Result] | None = None,
                   torch_groups: Iterable[Sequence[str]] = (), reproduce: str | None = None,
                   sections: Iterable[tuple[str, Sequence[str], Sequence[str],
                                            Iterable[Sequence[object]]]] = (),
                   load_text: str | None = None) -> str:
    """Write (and return) a markdown page: title, machine lines, notes, one table, then further
    ``sections`` (each ``(heading, notes, header, rows)``), then the reproduce line."""
    lines = [f"# {title}", ""]
    lines += machine_lines(load_before or load_average(), results, torch_groups, load_text)
    lines += [""] + [n for note in notes for n in (note, "")]
    lines += table_lines(header, rows)
    for heading, sec_notes, sec_header, sec_rows in sections:
        lines += ["", f"## {heading}", ""] + [n for note in sec_notes for n in (note, "")]
        lines += table_lines(sec_header, sec_rows)
    if reproduce:
        lines += ["", f"Reproduce: `{reproduce}`"]
    text = "\n".join(lines) + "\n"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


# ============================================================================ worker side
def _status_kb(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def _reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_memory(fn: Callable[[], object]) -> tuple[int, str]:
    """(bytes, method): rise of the resident set's high-water mark during ``fn()``."""
    import gc

    gc.collect()
    _fix_mmap_threshold()
    _trim_heap()
    base = _status_kb("VmRSS")
    if _reset_hwm():
        fn()
        return max(0, _status_kb("VmHWM") - base), "VmHWM reset via /proc/self/clear_refs"
    peak, done = base, threading.Event()

    def poll() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _status_kb("VmRSS"))
            time.sleep(0.0005)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        fn()
    finally:
        done.set()
        watcher.join()
    return max(0, max(peak, _status_kb("VmRSS")) - base), "VmRSS polled every 0.5 ms (lower bound)"


def _fix_mmap_threshold(nbytes: int = 1 << 16) -> None:
    try:
        ctypes.CDLL("libc.so.6").mallopt(-3, nbytes)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


def _trim_heap() -> None:
    """Return glibc's free heap memory to the system (no-op elsewhere)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _torch_profile(fn: Callable[[], object], top: int = 5) -> list[dict]:
    """Top operators of one call by self CPU time, with their share of the total."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fn()
    events = [e for e in prof.key_averages()]
    total = sum(e.self_cpu_time_total for e in events) or 1.0
    events.sort(key=lambda e: e.self_cpu_time_total, reverse=True)
    return [{"op": e.key, "ms": e.self_cpu_time_total / 1e3, "share": e.self_cpu_time_total / total}
            for e in events[:top]]


def process_age() -> float:
    """Seconds since this process started (from /proc; 10 ms resolution), NaN if unknown."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def work(spec: dict) -> dict:
    """Build the rival's workload and time it (runs inside the worker process).

    A call may return a dict: its ``"seconds"`` (if any) replaces the measured wall time of that
    call (for calls that must include untimed bookkeeping), and its other entries of the last
    call are merged into ``info``. ``cold_seconds``: from the process's start (interpreter
    launch) to the end of its first call, imports and setup included.
    """
    if spec["kind"] == "torch":
        import torch

        torch.set_num_threads(spec["threads"])
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # already set
            pass
    module, _, func = spec["factory"].partition(":")
    made = getattr(importlib.import_module(module), func)(**spec["kwargs"])
    info = {}
    if isinstance(made, tuple):  # (callable, info dict): the factory reports extra facts
        made, info = made
    cold = None
    for _ in range(spec["warmup"]):
        made()
        cold = process_age() if cold is None else cold
    wall, cpu = [], []
    for _ in range(spec["repeats"]):
        time.sleep(spec["pause"])
        t0, c0 = time.perf_counter(), time.process_time()
        got = made()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        cold = process_age() - spec["pause"] if cold is None else cold
        if isinstance(got, dict):
            got = dict(got)
            if "seconds" in got:
                wall[-1] = float(got.pop("seconds"))
            info.update(got)
    out = {"wall": wall, "cpu": cpu, "info": {**info, "cold_seconds": cold}}
    if spec["memory"]:
        time.sleep(spec["pause"])
        out["peak"], out["memory_method"] = peak_memory(made)
    if spec.get("profile") and spec["kind"] == "torch":
        out["profile"] = _torch_profile(made)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="benchmark worker (spawned by benchmarks._harness.spawn)")
    p.add_argument("--worker", required=True, help="JSON spec")
    args = p.parse_args(argv)
    spec = json.loads(args.worker)
    if spec.get("memory_limit"):
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (spec["memory_limit"], spec["memory_limit"]))
    out = work(spec)
    sys.stdout.write(MARKER + json.dumps(out) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
