"""Run one function over many tasks on forked processes: what it reads is inherited, not pickled.

Leaner than multiprocessing.Pool, whose three handler threads share the main process's core with
the workers: its worker handler waits on the results pipe too, so it wakes, and keeps waking, for
every result until the result handler has read it. Here the main process sleeps in one wait until a
result comes, reads it, and hands that worker its next task."""

from __future__ import annotations

import fcntl
import multiprocessing
import signal
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterator, TypeVar

Result = TypeVar("Result")

# Tasks sent to each worker ahead of the one it works on: it never waits for the main process.
AHEAD = 2
STOP_WAIT = 5.0  # seconds a worker has to end once its tasks are done, before it is stopped


class WorkerFailed(RuntimeError):
    """A worker ended before its tasks did, or a task raised what cannot cross to the main process;
    the cause of what a task raised, with the worker's traceback."""


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    tasks: Connection  # the main process's end: task numbers go to the worker
    results: Connection  # the main process's end: (task, True, result) or (task, False, (exception, traceback)) come back
    pending: int = 0


def fork_map(function: Callable[[int], Result], count: int, jobs: int) -> Iterator[tuple[int, Result]]:
    """(task, function(task)) for each task in range(count), computed on `jobs` forked processes and
    yielded as each finishes. What a task raises is raised here (its cause, a WorkerFailed, holds
    the worker's traceback); a worker that dies raises WorkerFailed. The workers are stopped
    whenever the caller stops iterating."""
    context = multiprocessing.get_context("fork")
    workers: list[_Worker] = []
    try:
        for _ in range(min(jobs, count)):
            task_reader, task_writer = context.Pipe(duplex=False)
            result_reader, result_writer = context.Pipe(duplex=False)
            _widen(result_writer)
            process = context.Process(target=_serve, args=(function, task_reader, result_writer), daemon=True)
            process.start()
            # The worker's ends are the worker's alone: a worker that dies then reads as the end of its pipe.
            task_reader.close()
            result_writer.close()
            workers.append(_Worker(process, task_writer, result_reader))
        sent = 0
        for _ in range(AHEAD):
            for worker in workers:
                if sent < count:
                    _give(worker, sent)
                    sent += 1
        by_results = {worker.results: worker for worker in workers}
        while any(worker.pending for worker in workers):
            for ready in wait([worker.results for worker in workers if worker.pending]):
                worker = by_results[ready]  # type: ignore[index]
                try:
                    task, ok, value = worker.results.recv()
                except EOFError:
                    worker.process.join(STOP_WAIT)
                    raise WorkerFailed(f"a worker process ended before its tasks did (exit code {worker.process.exitcode})") from None
                if not ok:
                    raised, trace = value
                    failure = WorkerFailed(f"task {task} failed in a worker process:\n{trace}")
                    if raised is None:
                        raise failure
                    raise raised from failure  # as the task raised it: the caller handles it as its own
                worker.pending -= 1
                if sent < count:
                    _give(worker, sent)
                    sent += 1
                yield task, value
        for worker in workers:
            _give(worker, None)
        for worker in workers:
            worker.process.join(STOP_WAIT)
    finally:
        for worker in workers:
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join()
            worker.tasks.close()
            worker.results.close()


# A task's result is a few hundred kilobytes (a block of pages' links, digests and Markdown): in a
# pipe of the default 64 KiB, the worker would wait, mid-send, for the main process to be scheduled
# and read it, while the other workers keep the cores busy.
PIPE_BYTES = 1 << 20  # what Linux lets any process ask for (/proc/sys/fs/pipe-max-size)


def _widen(connection: Connection) -> None:
    if not hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux's alone
        return
    try:
        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except OSError:  # over this user's share of pipe memory: the default size does
        pass


def _give(worker: _Worker, task: int | None) -> None:
    try:
        worker.tasks.send(task)
    except OSError:  # the worker has ended: what it sent before, its error or the end of its pipe, says why
        pass
    if task is not None:
        worker.pending += 1


def _serve(function: Callable[[int], object], tasks: Connection, results: Connection) -> None:
    # Ctrl-C is the main process's to handle: it stops the workers as fork_map ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while (task := tasks.recv()) is not None:
        try:
            results.send((task, True, function(task)))
        except BaseException as exc:  # raised again in the main process, with this traceback
            trace = traceback.format_exc()
            try:
                results.send((task, False, (exc, trace)))
            except Exception:  # an exception that does not pickle: its traceback alone
                results.send((task, False, (None, trace)))
            return
