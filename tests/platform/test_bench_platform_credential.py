"""The benchmark's platform credential (benchmarks/data/platform-credential.json) is what the platform issues.

``make bench`` signs and verifies that file without Django; here the platform builds the same award again
(the demo program loaded, :func:`credstack.awards.documents.build`) and it must come out equal. When the
platform changes what it issues, this fails: regenerate the file with ``python -m
benchmarks.platform_credential``.
"""

from __future__ import annotations

from typing import Any

import pytest
from benchmarks import platform_credential

from credstack.catalog.demo.loader import load_demo
from credstack.vc import fastld

pytestmark = pytest.mark.django_db


def test_the_benchmark_credential_is_what_the_platform_issues(settings: Any) -> None:
    settings.CREDSTACK_BASE_URL = "http://127.0.0.1:8000"  # the origin the file was written with
    load_demo()
    built = platform_credential.build_with_platform(platform_credential.demo_version())
    assert built == platform_credential.load(), "regenerate it: python -m benchmarks.platform_credential"


def test_the_benchmark_credential_has_what_makes_it_hard() -> None:
    doc = platform_credential.load()
    descriptions = doc["credentialSubject"]["achievement"]["resultDescription"]
    assert len(descriptions) == 4
    assert len({tuple(d["allowedValue"]) for d in descriptions}) == 1  # the same list under every criterion
    assert len(doc["credentialSubject"]["result"]) == 4
    # strict Open Badges 3.0, the default: one revocation status object
    assert len(doc["evidence"]) == 3 and doc["credentialStatus"]["statusPurpose"] == "revocation"
    before = fastld.stats()
    variant = platform_credential.variant(doc, 7)
    assert fastld.try_to_nquads(variant) is not None
    after = fastld.stats()
    assert after["n_degree"] == before["n_degree"] + 1  # first-degree hashes collide: the N-degree step ran
