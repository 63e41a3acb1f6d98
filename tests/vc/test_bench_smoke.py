"""`make bench` stays runnable: its set-up builds, and it signs and verifies both of its credentials (a run takes
minutes, so the suite checks the parts that broke when what the platform issues changed)."""

from __future__ import annotations

from benchmarks import vc_proofs


def test_the_proof_benchmark_sets_up_and_signs_and_verifies_both_credentials() -> None:
    setup = vc_proofs.Setup()
    for platform in (False, True):
        for document in setup.signed(2, 0, platform=platform):
            setup.full_verify(document)
