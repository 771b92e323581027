"""What the benchmarks measure besides time."""

import tracemalloc


def peak_mib(work, *args):
    """The peak of Python's own allocations while `work(*args)` runs, in MiB."""
    tracemalloc.start()
    try:
        work(*args)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
