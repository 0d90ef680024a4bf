"""edit_file on Cline's, Roo Code's, Continue's and aider's own search/replace cases (tests/data/edit_peers/).

Every case ends as Flambeau intends: the peer's expected text, or — where the case notes why a careful tool
does otherwise — the safer outcome it names; every refusal leaves the file byte-identical and says what to do.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.edit_peer_suites import (
    PEERS,
    PeerCase,
    PeerClass,
    all_cases,
    intended_problems,
    load_cases,
    peer_class,
    run_case,
    run_in_fresh_workspace,
)

CASES = all_cases()


def test_every_case_names_its_source_and_every_departure_from_the_peer_says_why() -> None:
    assert {peer: len(load_cases(peer)) for peer in PEERS} == {"cline": 24, "roo_code": 38, "continue": 45, "aider": 9}
    assert len({c.case_id for c in CASES}) == len(CASES)
    for case in CASES:
        assert "/" in case.repository and len(case.commit) == 40 and case.path and case.test, case.case_id
        departs = (case.expected is not None and case.peer_after not in (None, case.expected)) or (
            case.refused is not None and case.peer_outcome == "applies"
        )
        assert not departs or len(case.note) > 40, f"{case.case_id} departs from the peer without saying why"


@pytest.mark.parametrize("case", CASES, ids=[c.case_id for c in CASES])
def test_peer_case_ends_as_intended(case: PeerCase, workspace: Path) -> None:
    outcome = run_case(case, workspace)
    assert intended_problems(case, outcome) == []
    if not outcome.applied and case.mode != "preview":
        assert outcome.message.startswith(f"no change made to {case.file} (")
    left = sorted(p.name for p in workspace.iterdir())
    assert left == ([case.file] if case.before is not None or outcome.applied else []), "no temporary file is left"


def test_nothing_is_applied_where_a_peer_refuses_and_every_difference_is_a_noted_intention() -> None:
    classes: Counter[PeerClass] = Counter()
    for case in CASES:
        found = peer_class(case, run_in_fresh_workspace(case))
        classes[found] += 1
        if found is PeerClass.DIFFERS:
            assert case.expected is not None and case.note, case.case_id
        if found is PeerClass.REFUSED:
            assert case.refused is not None and case.note, case.case_id
    assert classes[PeerClass.WRONGLY_APPLIED] == 0
    assert classes[PeerClass.SAME] >= 105, classes
