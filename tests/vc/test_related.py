"""Integrity of related resources (VC Data Model 2.0 §5.3): a digest that does not match MUST be an error.

The right digests of the VC 2.0 context are the ones of the VCDM 2.0 Recommendation's relatedResource example
(§5.3); the malformed and wrong ones are those of the W3C vc-data-model-2.0-test-suite (tests/5-advanced-concepts.js
and tests/fixtures.js, commit 6e07524), whose own "valid" digests are not those of the context as published."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from tests.vc.test_verify import KEY, check_of, options, signed, unsigned

from credstack.vc import related
from credstack.vc.builders import digest_multibase
from credstack.vc.fetch import StaticFetcher
from credstack.vc.verify import verify

V2 = "https://www.w3.org/ns/credentials/v2"
SPEC_SRI = "sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU"
SPEC_MULTIBASE = "uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA"
SUITE_WRONG_MULTIBASE = "uM4RgWQc3RUDtjJCSgTJtTfvpZ7SPEg_LNO0ESlovQC0"  # 32 bytes, no multihash header
SUITE_WRONG_SRI = "sha384-_rCVIV7fSXXTNIvpiq26jRDyj8JG8TDjij-tD0ewLk4JpnXEz6a5AeeY_1qQ0d0P"  # base64url: not SRI
SUITE_STALE_SRI = "sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg"
IMAGE_URL = "https://academy.example/badges/1.png"
IMAGE = b"\x89PNG\r\n\x1a\nnot really an image, but bytes with a digest"


def with_related(*entries: dict[str, Any]) -> dict[str, Any]:
    credential = unsigned(KEY.did_key)
    credential["relatedResource"] = list(entries)
    return signed(credential)


def test_the_spec_digests_of_the_bundled_v2_context_match() -> None:
    report = verify(
        with_related({"id": V2, "digestSRI": SPEC_SRI, "digestMultibase": SPEC_MULTIBASE}), options=options()
    )
    assert check_of(report, "related_resources").status == "passed"
    assert report.verdict == "valid", report.to_text()


@pytest.mark.parametrize(
    "entry",
    [
        {"id": V2, "digestSRI": SUITE_STALE_SRI},
        {"id": V2, "digestMultibase": digest_multibase(b"another context")},
        {"id": V2, "digestSRI": SPEC_SRI, "digestMultibase": digest_multibase(b"another context")},
    ],
)
def test_a_digest_that_does_not_match_is_an_error(entry: dict[str, Any]) -> None:
    report = verify(with_related(entry), options=options())
    found = check_of(report, "related_resources")
    assert found.status == "failed" and V2 in found.message
    assert report.verdict == "invalid"


@pytest.mark.parametrize(
    "entries",
    [
        [{"id": V2, "digestMultibase": SUITE_WRONG_MULTIBASE}],
        [{"id": V2, "digestSRI": SUITE_WRONG_SRI}],
        [{"id": V2}],
        [{"digestSRI": SPEC_SRI}],
        [{"id": V2, "digestSRI": SPEC_SRI}, {"id": V2, "digestMultibase": SPEC_MULTIBASE}],
        [V2],
    ],
)
def test_malformed_related_resources_are_refused(entries: list[Any]) -> None:
    credential = unsigned(KEY.did_key)
    credential["relatedResource"] = entries
    assert related.problems(credential)
    report = verify(signed(credential), options=options())
    assert check_of(report, "related_resources").status == "failed" and report.verdict == "invalid"


def test_other_resources_go_through_the_fetcher_and_unread_ones_leave_the_verdict() -> None:
    entry = {"id": IMAGE_URL, "digestMultibase": digest_multibase(IMAGE), "mediaType": "image/png"}
    credential = with_related(entry)
    nothing = verify(credential, options=options())  # the default fetcher fetches nothing
    assert check_of(nothing, "related_resources").status == "warning"
    assert "could not be read" in check_of(nothing, "related_resources").message
    assert nothing.verdict == "valid"
    hosted = verify(credential, options=options(fetcher=StaticFetcher({IMAGE_URL: IMAGE})))
    assert check_of(hosted, "related_resources").status == "passed"
    changed = verify(credential, options=options(fetcher=StaticFetcher({IMAGE_URL: IMAGE + b"!"})))
    assert check_of(changed, "related_resources").status == "failed" and changed.verdict == "invalid"


def test_no_related_resource_adds_no_check() -> None:
    assert verify(signed(), options=options()).check("related_resources") is None
    assert related.check({}, StaticFetcher({})).status == "skipped"


def test_sri_compares_the_strongest_algorithm_and_ignores_unknown_ones() -> None:
    data = b"hello"
    import base64
    import hashlib

    def sri(algorithm: str, content: bytes) -> str:
        return f"{algorithm}-{base64.b64encode(hashlib.new(algorithm, content).digest()).decode()}"

    assert related.sri_matches(f"{sri('sha256', b'other')} {sri('sha512', data)}", data)
    assert not related.sri_matches(f"{sri('sha256', data)} {sri('sha512', b'other')}", data)
    assert related.sri_matches(f"md5-AAAA {sri('sha384', data)}?ct=application/json", data)
    with pytest.raises(ValueError):
        related.parse_sri("md5-AAAA")


def test_offline_mismatches_name_the_member() -> None:
    credential = copy.deepcopy(unsigned(KEY.did_key))
    credential["relatedResource"] = [{"id": V2, "digestSRI": SUITE_STALE_SRI}, {"id": IMAGE_URL, "digestSRI": SPEC_SRI}]
    assert list(related.offline_mismatches(credential)) == ["relatedResource[0].digestSRI"]
