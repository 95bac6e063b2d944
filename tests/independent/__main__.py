"""`python -m tests.independent --out DIR --reports N --seed S`: write an independent corpus."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from tests.independent.corpus import write_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--reports", type=int, default=60, help="how many reports")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    args = parser.parse_args()
    manifest = write_corpus(args.out, args.reports, args.seed)
    layouts = Counter(m["layout"] for m in manifest.values())
    print(f"wrote {len(manifest)} reports to {args.out}: {dict(sorted(layouts.items()))}")


if __name__ == "__main__":
    main()
