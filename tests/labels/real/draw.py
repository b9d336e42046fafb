#!/usr/bin/env python3
"""Draws the hand-labelled sample of real documents, independent of the extractor.

Lists every cti-blogs post (cti-blogs/*/data/*.txt) and every CISA CSAF advisory
(cisa-csaf/**/*.json) under ../shared/data, sorts each list, and draws from each with
random.Random(42).sample, so the same data always gives the same sample. Prints one
path per line, relative to ../shared/data, in the order drawn: blog posts first, then
advisories. Labelling follows that order, so any prefix of each list is itself a
random sample.

    python3 tests/labels/real/draw.py > tests/labels/real/sample.txt
"""

import pathlib
import random
import sys

SEED = 42
BLOGS = 110
ADVISORIES = 50


def main() -> int:
    repo = pathlib.Path(__file__).resolve().parents[3]
    data = repo / ".." / "shared" / "data"
    if not data.is_dir():
        print(f"{data} is absent; run this inside the team workspace.", file=sys.stderr)
        return 1
    blogs = sorted(p.relative_to(data).as_posix() for p in data.glob("cti-blogs/*/data/*.txt"))
    advisories = sorted(p.relative_to(data).as_posix() for p in data.glob("cisa-csaf/**/*.json"))
    rng = random.Random(SEED)
    for path in rng.sample(blogs, BLOGS) + rng.sample(advisories, ADVISORIES):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
