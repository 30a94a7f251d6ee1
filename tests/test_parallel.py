"""Work spread over forked processes comes back whole, and a failure stops it, never hangs it."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading
import time

import pytest

from sitegen.parallel import AHEAD, WorkerFailed, _widen, fork_map


def test_every_task_runs_once_in_a_worker_that_inherited_what_the_caller_had():
    """The function and what it reads cross by the fork: a lock cannot be pickled, yet each worker uses it."""
    lock = threading.Lock()
    count = 2 * AHEAD * 3 + 1  # more tasks than are sent ahead, so most are handed out as results come

    def square(task: int) -> tuple[int, int]:
        with lock:
            return task * task, os.getpid()

    results = dict(fork_map(square, count, jobs=2))
    assert {task: value for task, (value, _) in results.items()} == {task: task * task for task in range(count)}
    workers = {pid for _, pid in results.values()}
    assert len(workers) == 2 and os.getpid() not in workers
    assert not multiprocessing.active_children()


def test_results_bigger_than_a_pipe_holds_all_come_back():
    """Each worker sends while the caller reads: none waits for the other."""
    results = dict(fork_map(lambda task: bytes([task]) * 1_000_000, 12, jobs=2))
    assert sorted(results) == list(range(12))
    assert all(value == bytes([task]) * 1_000_000 for task, value in results.items())


def test_a_task_that_raises_is_raised_in_the_caller_with_its_traceback():
    def fail_at_five(task: int) -> int:
        if task == 5:
            raise ValueError("no page five")
        return task

    with pytest.raises(ValueError, match="no page five") as failure:  # the caller handles it as its own
        list(fork_map(fail_at_five, 20, jobs=2))
    cause = failure.value.__cause__
    assert isinstance(cause, WorkerFailed) and "task 5" in str(cause) and "fail_at_five" in str(cause)
    assert not multiprocessing.active_children()


def test_an_exception_that_cannot_be_pickled_comes_back_as_its_traceback():
    class Local(Exception):  # defined in a function: pickle cannot find it again
        pass

    def fail(task: int) -> int:
        raise Local("not picklable")

    with pytest.raises(WorkerFailed, match="not picklable"):
        list(fork_map(fail, 3, jobs=2))
    assert not multiprocessing.active_children()


def test_a_worker_that_dies_is_reported_not_waited_for():
    def die_at_three(task: int) -> int:
        if task == 3:
            os._exit(7)
        return task

    with pytest.raises(WorkerFailed, match="exit code 7"):
        list(fork_map(die_at_three, 20, jobs=2))
    assert not multiprocessing.active_children()


def test_the_workers_stop_when_the_caller_stops_reading():
    results = fork_map(lambda task: task, 50, jobs=2)
    next(results)
    results.close()
    assert not multiprocessing.active_children()


def test_no_more_workers_start_than_there_are_tasks():
    results = dict(fork_map(lambda task: os.getpid(), 1, jobs=4))
    assert list(results) == [0]


def test_a_worker_sends_a_large_result_without_waiting_for_the_main_process_to_read(tmp_path):
    """A result of a few hundred kilobytes fits in the results pipe whole: the worker goes on to its
    next task at once, whether or not the main process has been scheduled to read what it sent."""

    def large(task: int) -> bytes:
        (tmp_path / str(task)).touch()
        return bytes(400_000)

    _, writer = multiprocessing.get_context("fork").Pipe(duplex=False)
    _widen(writer)
    if fcntl.fcntl(writer.fileno(), fcntl.F_GETPIPE_SZ) < 800_000:
        pytest.skip("no pipe may hold a megabyte here (/proc/sys/fs/pipe-max-size)")
    results = fork_map(large, 3, jobs=1)
    next(results)  # then nobody reads: the worker must send result 1 whole to start on task 2
    deadline = time.monotonic() + 10
    while not (tmp_path / "2").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    started = (tmp_path / "2").exists()
    assert [task for task, _ in results] == [1, 2]
    assert started, "the worker waited, mid-send, for the main process to read"
