"""edit_file on Cline's, Roo Code's, Continue's and aider's own search/replace test cases: counts per class.

One command (from the repository root):

    .venv/bin/python benchmarks/edit_peer_suites.py            # the table
    .venv/bin/python benchmarks/edit_peer_suites.py --details  # and every case that is not "same"

The cases are data in tests/data/edit_peers/ (each names its repository, file, test and commit). A case is
"same" when edit_file does what the peer's test expects (the same text, or a refusal where the peer refuses),
"refused" when it refuses where the peer succeeds, "differs" when it writes other text, "wrongly applied" when
it changes the file where the peer refuses. "off intention" counts outcomes that differ from what the case
says Flambeau intends (the peer's expectation unless the case notes why a careful tool does otherwise).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.edit_peer_suites import PEERS, PeerClass, intended_problems, load_cases, peer_class, run_in_fresh_workspace


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list every case that is not 'same'")
    args = parser.parse_args()
    totals: Counter[PeerClass] = Counter()
    off_total = 0
    details: list[str] = []
    print("| peer | cases | same | refused where the peer succeeds | differs | wrongly applied | off intention |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for peer in PEERS:
        counts: Counter[PeerClass] = Counter()
        off = 0
        cases = load_cases(peer)
        for case in cases:
            outcome = run_in_fresh_workspace(case)
            found = peer_class(case, outcome)
            counts[found] += 1
            problems = intended_problems(case, outcome)
            off += bool(problems)
            if found is not PeerClass.SAME or problems:
                first_line = outcome.message.splitlines()[0] if outcome.message else ""
                off_note = f" — {problems[0]}" if problems else ""
                details.append(f"- [{found.value}] {case.case_id}: {first_line}{off_note}")
        totals.update(counts)
        off_total += off
        print(f"| {peer} | {len(cases)} | " + " | ".join(str(counts[c]) for c in PeerClass) + f" | {off} |")
    print(f"| all | {sum(totals.values())} | " + " | ".join(str(totals[c]) for c in PeerClass) + f" | {off_total} |")
    if args.details:
        print()
        print("\n".join(details))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
