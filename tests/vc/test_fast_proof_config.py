"""The fast path's proof-configuration template gives exactly the canonical form of the real configuration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.vc import jsonld
from credstack.vc.suites import _CREATED, EddsaRdfc2022, _templated_proof_config

KEY = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
CONTEXTS: list[Any] = [
    ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    ["https://www.w3.org/ns/credentials/v2"],
    "https://w3id.org/security/data-integrity/v2",
]

created_values = st.one_of(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)).map(
        lambda d: d.isoformat().replace("+00:00", "Z")
    ),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M:%S") + "+02:00"
    ),
    st.text(max_size=30),
)


def proof_config(suite: str, created: str, context: Any, with_id: bool) -> dict[str, Any]:
    config: dict[str, Any] = {
        "@context": context,
        "type": "DataIntegrityProof",
        "cryptosuite": suite,
        "created": created,
        "verificationMethod": f"did:key:{KEY}#{KEY}",
        "proofPurpose": "assertionMethod",
    }
    if with_id:
        config["id"] = "urn:uuid:00000000-0000-4000-8000-000000000001"
    return config


@settings(max_examples=300, deadline=None)
@given(
    created=created_values,
    context=st.sampled_from(CONTEXTS),
    with_id=st.booleans(),
    with_expires=st.booleans(),
)
def test_template_equals_the_reference(created: str, context: Any, with_id: bool, with_expires: bool) -> None:
    config = proof_config("eddsa-rdfc-2022", created, context, with_id)
    if with_expires:
        config["expires"] = (datetime(2030, 1, 1, tzinfo=UTC) + timedelta(days=1)).isoformat()
    suite = EddsaRdfc2022()
    if _CREATED.fullmatch(created):  # the template is what is compared, not the ordinary way round
        assert _templated_proof_config(config) is not None
    try:
        reference = jsonld.to_nquads(config).encode()
    except Exception as exc:
        reference_error: Exception | None = exc
    else:
        reference_error = None
    try:
        fast = suite.canonize_proof_config(config)
    except Exception as exc:
        assert reference_error is not None and type(exc) is type(reference_error)
    else:
        assert reference_error is None and fast == reference


@settings(max_examples=300, deadline=None)
@given(created=created_values, context=st.sampled_from(CONTEXTS), with_id=st.booleans())
def test_jcs_proof_config_equals_rfc8785(created: str, context: Any, with_id: bool) -> None:
    import rfc8785

    from credstack.vc.suites import EddsaJcs2022

    config = proof_config("eddsa-jcs-2022", created, context, with_id)
    assert EddsaJcs2022().canonize_proof_config(config) == rfc8785.dumps(config)
