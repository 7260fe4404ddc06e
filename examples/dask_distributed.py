"""Rechunk a store on a Dask cluster: the plan is made once, its parts run on the workers.

    python examples/dask_distributed.py SRC DST --chunks 64,256,256 [--parts 8] [--workers 4]
        [--scheduler tcp://host:8786] [--shards ...] [--to zarr3] [--max-mem 2GiB]

The same guarantees as the Slurm recipe (examples/slurm/rechunk.sh), because the same library
does the work: ``plan.init()`` writes the plan into DST's journal; the parts are disjoint sets
of write groups, so they run anywhere at once and never write the same object; a part that
fails or whose worker dies is run again by Dask (``retries``) and skips the groups it finished;
``plan.finalize(verify=True)`` refuses while a part is unfinished, compares the output with the
source value by value, and only then writes the metadata that makes DST a readable store.

Without ``--scheduler`` it starts a ``LocalCluster`` of ``--workers`` processes (one thread
each: zlint runs its own threads inside every part). Needs ``pip install chunklint
"dask[distributed]"``.
"""

from __future__ import annotations

import argparse
import sys

import chunklint
from dask.distributed import Client, LocalCluster


def rechunk_on(client: Client, plan: chunklint.Plan, parts: int) -> dict:
    """Run ``plan`` as ``parts`` parts on ``client``'s workers, then finalize it verified."""
    plan.init()
    futures = client.map(
        plan.run_part,
        range(parts),
        count=parts,
        pure=False,
        retries=2,
        key=[f"zlint-part-{i}-of-{parts}" for i in range(parts)],
    )
    summaries = client.gather(futures)
    written = sum(s["bytes_written"] for s in summaries)
    print(f"{parts} parts wrote {written:,} bytes on {len(client.scheduler_info()['workers'])} workers")
    return plan.finalize(verify=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--chunks", action="append", default=[], help="as zlint rechunk --chunks")
    parser.add_argument("--shards", action="append", default=[], help="as zlint rechunk --shards")
    parser.add_argument("--auto", action="store_true", help="the recommended layout of every array")
    parser.add_argument("--to", choices=["zarr2", "zarr3", "n5"])
    parser.add_argument("--max-mem", help="memory for data in flight per worker, e.g. 2GiB")
    parser.add_argument("--parts", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--scheduler", help="address of a running scheduler (else a LocalCluster)")
    args = parser.parse_args(argv)

    plan = chunklint.plan(
        args.source,
        args.target,
        chunks=args.chunks or None,
        shards=args.shards or None,
        auto=args.auto,
        to=args.to,
        max_mem=args.max_mem,
    )
    print(plan)
    if args.scheduler:
        with Client(args.scheduler) as client:
            outcome = rechunk_on(client, plan, args.parts)
    else:
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True) as cluster:
            with Client(cluster) as client:
                outcome = rechunk_on(client, plan, args.parts)
    report = outcome["verification"]
    print(f"finalized {args.target}: {report['arrays']} arrays verified, {report['bytes_compared']:,} bytes identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
