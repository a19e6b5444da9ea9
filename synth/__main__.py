"""``python -m synth OUT_DIR --n 240 --seed 1 [--photo-ratio 0.5]``"""

from __future__ import annotations

import argparse
import sys
import time

from .dataset import generate_dataset


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m synth", description=__doc__)
    parser.add_argument("out_dir")
    parser.add_argument("--n", type=int, default=240)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--photo-ratio", type=float, default=0.5)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = generate_dataset(args.out_dir, args.n, args.seed, args.photo_ratio)
    elapsed = time.perf_counter() - started
    print(f"wrote {len(paths)} documents and labels.jsonl to {args.out_dir} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
