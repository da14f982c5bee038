"""Measure peak memory and read throughput of streaming a multi-GB quark/gluon HDF5 file.

Writes a chunked file in the quark/gluon schema (``X_jets (N, 125, 125, 3)`` float32, ``y``, ``pt``,
``m0``) to a temporary folder, then, for each configuration, iterates a ``DataLoader`` over the whole
file with :class:`qhep_contrast.data.QuarkGluonDataset` in a fresh subprocess and reports that process's
peak resident set size (``resource.getrusage``; workers reported separately) and images/s and MB/s.
"Cold" runs first evict the file from the page cache with ``posix_fadvise(DONTNEED)`` (this file only).
The file is deleted at the end.

Usage (from the repository root; takes a few minutes, run it niced)::

    nice -n 10 python scripts/measure_hdf5_streaming.py --n 11500 --dir /tmp
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SIDE, CHANNELS = 125, 3
CONFIGS = {
    "sequential, 0 workers, cold": dict(workers=0, order="sequential", cold=True),
    "sequential, 0 workers, warm": dict(workers=0, order="sequential", cold=False),
    "sequential, 2 workers, warm": dict(workers=2, order="sequential", cold=False),
    "block-shuffled, 0 workers, warm": dict(workers=0, order="blocks", cold=False),
}


def write_file(path: Path, n: int, chunk_rows: int, seed: int = 0) -> None:
    """Write ``n`` sparse jet-like images chunk by chunk (bounded memory)."""
    import h5py

    rng = np.random.default_rng(seed)
    template = (rng.exponential(1.0, (chunk_rows, SIDE, SIDE, CHANNELS))
                * (rng.random((chunk_rows, SIDE, SIDE, CHANNELS)) < 0.05)).astype(np.float32)
    with h5py.File(path, "w") as f:
        x = f.create_dataset("X_jets", shape=(n, SIDE, SIDE, CHANNELS), dtype="f4",
                             chunks=(chunk_rows, SIDE, SIDE, CHANNELS))
        for start in range(0, n, chunk_rows):
            stop = min(start + chunk_rows, n)
            x[start:stop] = template[: stop - start] * np.float32(1.0 + start / n)
        f["y"] = (np.arange(n) % 2).astype(np.float32)
        f["pt"] = rng.uniform(70, 200, n).astype(np.float32)
        f["m0"] = rng.uniform(0, 30, n).astype(np.float32)


def _rss_mib() -> float:
    """Current resident set size of this process in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def read_once(path: str, workers: int, order: str, cold: bool, batch_size: int, threads: int) -> dict:
    """Iterate a DataLoader over the whole file; return timings and memory (runs in a subprocess)."""
    import torch
    from torch.utils.data import DataLoader

    from qhep_contrast.data import BlockShuffleSampler, QuarkGluonDataset

    torch.set_num_threads(threads)  # on a shared, oversubscribed machine 2 threads make torch.stack ~10x slower

    if cold:
        fd = os.open(path, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
    ds = QuarkGluonDataset(path)
    sampler = BlockShuffleSampler(ds.block_ids, seed=0) if order == "blocks" else None
    loader = DataLoader(ds, batch_size=batch_size, num_workers=workers, sampler=sampler)
    rss_before = _rss_mib()
    total, seen = 0.0, 0
    start = time.perf_counter()
    for images, _labels in loader:
        total += float(images.sum(dtype=torch.float64))
        seen += images.shape[0]
    seconds = time.perf_counter() - start
    image_bytes = seen * SIDE * SIDE * CHANNELS * 4
    return dict(samples=seen, seconds=seconds, images_per_s=seen / seconds,
                mb_per_s=image_bytes / seconds / 1e6, rss_before_iteration_mib=rss_before,
                peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                peak_rss_worker_mib=(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 if workers
                                     else None),
                blocks=int(ds.block_ids.max()) + 1, checksum=total)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=11500, help="number of 125x125x3 images (11500 ~ 2.16 GB)")
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="folder for the temporary file")
    parser.add_argument("--chunk-rows", type=int, default=16, help="HDF5 chunk size along the sample axis")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads of the reading process")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--_read", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._read:
        path, workers, order, cold, batch, threads = args._read
        print(json.dumps(read_once(path, int(workers), order, cold == "1", int(batch), int(threads))))
        return 0

    path = Path(args.dir) / f"qhep_stream_{os.getpid()}.h5"
    try:
        start = time.perf_counter()
        write_file(path, args.n, args.chunk_rows)
        size = path.stat().st_size
        print(f"wrote {path} ({size / 1e9:.3f} GB, {args.n} images, chunks of {args.chunk_rows}) in "
              f"{time.perf_counter() - start:.1f} s")
        results = {"file_bytes": size, "n": args.n, "chunk_rows": args.chunk_rows, "batch_size": args.batch_size,
                   "threads": args.threads, "cpus": os.cpu_count(), "load_average": os.getloadavg(), "runs": {}}
        print(f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}, torch threads {args.threads}, "
              f"batch size {args.batch_size}")
        for name, cfg in CONFIGS.items():
            cmd = [sys.executable, __file__, "--_read", str(path), str(cfg["workers"]), cfg["order"],
                   "1" if cfg["cold"] else "0", str(args.batch_size), str(args.threads)]
            env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                                                 os.environ.get("PYTHONPATH", "")])}
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
            r = json.loads(out.strip().splitlines()[-1])
            results["runs"][name] = r
            print(f"{name:34s} {r['seconds']:7.1f} s  {r['images_per_s']:8.0f} img/s  {r['mb_per_s']:7.0f} MB/s  "
                  f"RSS before {r['rss_before_iteration_mib']:6.0f} MiB, peak {r['peak_rss_mib']:6.0f} MiB"
                  + (f" (largest worker {r['peak_rss_worker_mib']:.0f} MiB)" if r["peak_rss_worker_mib"] else "")
                  + f", {r['blocks']} cache blocks")
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))
    finally:
        path.unlink(missing_ok=True)
        print(f"deleted {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
