"""The suite carries its own data: no test or benchmark reads outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# A path that climbs out of the repository: "../x", `.parent / "x"` on the repo root, parents[n]
# beyond the root of a file's own tree.
OUTSIDE = re.compile(r"""\.\./[A-Za-z]|REPO\.parent|parents\[\d\]\.parent""")


def test_no_test_or_benchmark_reads_outside_the_repository() -> None:
    offenders = []
    for folder in ("tests", "bench"):
        for path in sorted((REPO / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if OUTSIDE.search(line) and path != Path(__file__):
                    offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_the_asterisk_captures_are_in_the_repository() -> None:
    data = REPO / "tests" / "data" / "asterisk"
    assert (data / "expected.json").is_file()
    assert len(list(data.glob("*.ami"))) >= 9
