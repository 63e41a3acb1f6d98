"""VC-JWT / VC-JOSE: decoding, claim mapping, EdDSA and RS256 verification, key sources, issuing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA256

from credstack.vc import jwt as vcjwt
from credstack.vc.did import DefaultResolver
from credstack.vc.errors import InputError
from credstack.vc.fetch import StaticFetcher
from credstack.vc.keys import Ed25519Key

DATA = Path(__file__).parent / "data"
FOREIGN = DATA / "foreign" / "1edtech-validator"
SEED = bytes(range(32))


def unsigned() -> dict[str, Any]:
    credential: dict[str, Any] = json.loads((DATA / "credstack" / "ob3-unsigned.json").read_text())
    return credential


def did_key_credential(key: Ed25519Key) -> dict[str, Any]:
    credential = unsigned()
    credential["issuer"]["id"] = key.did_key
    return credential


def token_in(path: Path) -> str:
    match = re.search(rb"eyJ[\w-]+\.[\w-]+\.[\w-]+", path.read_bytes())
    assert match is not None
    return match.group(0).decode()


def compact(header: dict[str, Any], payload: dict[str, Any], sign: Any) -> str:
    signing_input = (
        vcjwt.b64url_encode(json.dumps(header).encode()) + "." + vcjwt.b64url_encode(json.dumps(payload).encode())
    )
    return signing_input + "." + vcjwt.b64url_encode(sign(signing_input.encode()))


def rsa_jwk(key: rsa.RSAPrivateKey) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    return {
        "kty": "RSA",
        "n": vcjwt.b64url_encode(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
        "e": vcjwt.b64url_encode(numbers.e.to_bytes(3, "big")),
    }


# -- issuing and verifying EdDSA ------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["vc-jose", "vc-jwt-1.1"])
def test_eddsa_round_trip_with_did_key(style: str) -> None:
    key = Ed25519Key.generate(seed=SEED)
    token = vcjwt.sign(did_key_credential(key), key, style=style)  # type: ignore[arg-type]
    decoded = vcjwt.decode(token)
    assert decoded.header["alg"] == "EdDSA"
    assert decoded.header["kid"] == key.verification_method
    result = vcjwt.verify_signature(decoded, resolver=DefaultResolver())
    assert result.status == "valid", result.message
    assert result.key_controller == key.did_key
    carried = vcjwt.credential_from_payload(decoded.payload)
    assert carried.style == style
    assert carried.problems == ()
    assert carried.credential["issuer"]["id"] == key.did_key
    assert decoded.payload["iss"] == key.did_key
    assert decoded.payload["jti"] == unsigned()["id"]
    assert decoded.payload["nbf"] == 1767225600  # 2026-01-01T00:00:00Z
    assert decoded.payload["exp"] == 1893456000  # 2030-01-01T00:00:00Z


def test_vc_jose_payload_is_the_credential() -> None:
    key = Ed25519Key.generate(seed=SEED)
    decoded = vcjwt.decode(vcjwt.sign(did_key_credential(key), key))
    assert decoded.header["typ"] == "vc+jwt"
    assert decoded.payload["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "vc" not in decoded.payload


def test_tampered_payload_fails() -> None:
    key = Ed25519Key.generate(seed=SEED)
    header, payload, signature = vcjwt.sign(did_key_credential(key), key).split(".")
    claims = json.loads(vcjwt.b64url_decode(payload))
    claims["name"] = "Something else"
    forged = f"{header}.{vcjwt.b64url_encode(json.dumps(claims).encode())}.{signature}"
    result = vcjwt.verify_signature(vcjwt.decode(forged), resolver=DefaultResolver())
    assert result.status == "invalid"
    assert "does not match" in result.message


def test_signature_by_another_key_fails() -> None:
    key = Ed25519Key.generate(seed=SEED)
    other = Ed25519Key.generate(seed=bytes(32))
    header = {"alg": "EdDSA", "kid": key.verification_method}
    token = compact(header, did_key_credential(key), other.sign)
    assert vcjwt.verify_signature(vcjwt.decode(token), resolver=DefaultResolver()).status == "invalid"


@pytest.mark.parametrize("alg", ["none", "HS256", "ES256", ""])
def test_algorithms_other_than_eddsa_and_rs256_are_refused(alg: str) -> None:
    key = Ed25519Key.generate(seed=SEED)
    token = compact({"alg": alg, "kid": key.verification_method}, did_key_credential(key), key.sign)
    result = vcjwt.verify_signature(vcjwt.decode(token), resolver=DefaultResolver())
    assert result.status == "invalid"
    assert "not accepted" in result.message


def test_algorithm_must_fit_the_key() -> None:
    key = Ed25519Key.generate(seed=SEED)
    token = compact({"alg": "RS256", "kid": key.verification_method}, did_key_credential(key), key.sign)
    result = vcjwt.verify_signature(vcjwt.decode(token), resolver=DefaultResolver())
    assert result.status == "invalid"
    assert "not an RSA key" in result.message


def test_critical_header_is_refused() -> None:
    key = Ed25519Key.generate(seed=SEED)
    token = compact({"alg": "EdDSA", "kid": key.verification_method, "crit": ["b64"]}, {"vc": {}}, key.sign)
    assert vcjwt.verify_signature(vcjwt.decode(token), resolver=DefaultResolver()).status == "invalid"


# -- key sources ---------------------------------------------------------------------------------------------


def test_okp_jwk_in_header() -> None:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(SEED)
    raw = private.public_key().public_bytes_raw()
    header = {"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519", "x": vcjwt.b64url_encode(raw)}}
    token = compact(header, {"vc": unsigned()}, private.sign)
    result = vcjwt.verify_signature(vcjwt.decode(token))
    assert result.status == "valid"
    assert "jwk" in result.key_source


def test_rs256_with_jwk_in_header() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = compact(
        {"alg": "RS256", "jwk": rsa_jwk(private)},
        {"vc": unsigned()},
        lambda data: private.sign(data, PKCS1v15(), SHA256()),
    )
    assert vcjwt.verify_signature(vcjwt.decode(token)).status == "valid"


def test_weak_rsa_key_is_refused() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    token = compact(
        {"alg": "RS256", "jwk": rsa_jwk(private)},
        {"vc": unsigned()},
        lambda data: private.sign(data, PKCS1v15(), SHA256()),
    )
    result = vcjwt.verify_signature(vcjwt.decode(token))
    assert result.status == "invalid"
    assert "1024 bits" in result.message


def test_private_jwk_in_header_is_refused() -> None:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(SEED)
    jwk = {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": vcjwt.b64url_encode(private.public_key().public_bytes_raw()),
        "d": vcjwt.b64url_encode(SEED),
    }
    token = compact({"alg": "EdDSA", "jwk": jwk}, {"vc": unsigned()}, private.sign)
    assert vcjwt.verify_signature(vcjwt.decode(token)).status == "invalid"


def test_kid_url_is_fetched_only_through_the_fetcher() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = "https://issuer.example/keys/1.json"
    token = compact(
        {"alg": "RS256", "kid": kid}, {"vc": unsigned()}, lambda data: private.sign(data, PKCS1v15(), SHA256())
    )
    decoded = vcjwt.decode(token)

    offline = vcjwt.verify_signature(decoded)
    assert offline.status == "unchecked"
    assert "not allowed" in offline.message

    fetcher = StaticFetcher({kid: json.dumps(rsa_jwk(private)).encode()})
    assert vcjwt.verify_signature(decoded, fetcher=fetcher).status == "valid"


def test_kid_in_a_did_document_with_public_key_jwk() -> None:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(SEED)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": vcjwt.b64url_encode(private.public_key().public_bytes_raw())}
    kid = "https://issuer.example/profile#key-1"
    document = {
        "id": "https://issuer.example/profile",
        "verificationMethod": [
            {"id": kid, "type": "JsonWebKey", "controller": "https://issuer.example/profile", "publicKeyJwk": jwk}
        ],
    }
    token = compact({"alg": "EdDSA", "kid": kid}, {"vc": unsigned()}, private.sign)
    fetcher = StaticFetcher({"https://issuer.example/profile": json.dumps(document).encode()})
    result = vcjwt.verify_signature(vcjwt.decode(token), fetcher=fetcher)
    assert result.status == "valid"
    assert result.key_controller == "https://issuer.example/profile"


def test_did_jwk_kid_offline() -> None:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(SEED)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": vcjwt.b64url_encode(private.public_key().public_bytes_raw())}
    did = "did:jwk:" + vcjwt.b64url_encode(json.dumps(jwk).encode())
    token = compact({"alg": "EdDSA", "kid": did + "#0"}, {"vc": unsigned()}, private.sign)
    result = vcjwt.verify_signature(vcjwt.decode(token))
    assert result.status == "valid"
    assert result.key_controller == did


def test_unknown_did_method_cannot_be_checked() -> None:
    token = compact({"alg": "EdDSA", "kid": "did:example:123#key-1"}, {"vc": unsigned()}, lambda d: b"\0" * 64)
    result = vcjwt.verify_signature(vcjwt.decode(token), resolver=DefaultResolver())
    assert result.status == "unchecked"
    assert "did:example:123" in result.message


# -- claims --------------------------------------------------------------------------------------------------


def test_vc_jwt_1_1_claims_fill_in_the_credential() -> None:
    vc = unsigned()
    for member in ("id", "validFrom", "validUntil"):
        vc.pop(member)
    vc["issuer"] = {"type": ["Profile"], "name": "Example Academy"}
    payload = {
        "vc": vc,
        "iss": "https://academy.example/issuers/1",
        "jti": "urn:uuid:1",
        "nbf": 1767225600,
        "exp": 1893456000,
        "sub": "did:example:learner",
    }
    carried = vcjwt.credential_from_payload(payload)
    assert carried.problems == ()
    assert carried.credential["issuer"]["id"] == "https://academy.example/issuers/1"
    assert carried.credential["id"] == "urn:uuid:1"
    assert carried.credential["validFrom"] == "2026-01-01T00:00:00Z"
    assert carried.credential["validUntil"] == "2030-01-01T00:00:00Z"
    assert carried.credential["credentialSubject"]["id"] == "did:example:learner"


def test_contradicting_claims_are_problems() -> None:
    payload = {"vc": unsigned(), "iss": "https://elsewhere.example/", "jti": "urn:uuid:other"}
    problems = vcjwt.credential_from_payload(payload).problems
    assert any("'iss'" in p for p in problems)
    assert any("'jti'" in p for p in problems)


def test_payload_without_credential_is_refused() -> None:
    with pytest.raises(InputError):
        vcjwt.credential_from_payload({"iss": "x", "sub": "y"})


@pytest.mark.parametrize(
    "token",
    ["abc", "a.b", "eyJ9.eyJ9.x.y.z", "eyJhbGciOiJFZERTQSJ9.!!!.sig", "bm90IGpzb24.eyJ9.c2ln", "W10.e30.c2ln"],
)
def test_malformed_tokens(token: str) -> None:
    with pytest.raises(InputError):
        vcjwt.decode(token)


def test_looks_like_compact_jws() -> None:
    key = Ed25519Key.generate(seed=SEED)
    assert vcjwt.looks_like_compact_jws(vcjwt.sign(did_key_credential(key), key))
    assert not vcjwt.looks_like_compact_jws('{"a": 1}')
    assert not vcjwt.looks_like_compact_jws("hello.world.again")


# -- foreign JWTs (1EdTech validator test resources) ---------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "ob30/simple-jwt.png",
        "ob30/simple-jwt.svg",
        "ob30/simple-jwt_v1.png",
        "ob30/simple-jwt_v1.svg",
        "clr20/simple.jwt",
    ],
)
def test_foreign_rs256_jwk_signatures_verify(path: str) -> None:
    decoded = vcjwt.decode(token_in(FOREIGN / path))
    result = vcjwt.verify_signature(decoded)
    assert result.status == "valid", result.message
    assert result.algorithm == "RS256"


def test_foreign_ob30_simple_jwt_names_no_key() -> None:
    # 1EdTech's ExternalProofProbe: "Key must present in either jwk or kid value." -> fatal
    result = vcjwt.verify_signature(vcjwt.decode((FOREIGN / "ob30/simple.jwt").read_text()))
    assert result.status == "invalid"
    assert "neither 'jwk' nor 'kid'" in result.message


def test_foreign_velocity_key_is_not_resolvable_offline() -> None:
    decoded = vcjwt.decode((FOREIGN / "ob30/velocity.jwt").read_text())
    result = vcjwt.verify_signature(decoded, resolver=DefaultResolver())
    assert result.status == "unchecked"
    assert "did:velocity" in result.message


def test_foreign_clr_nested_credentials_verify() -> None:
    decoded = vcjwt.decode((FOREIGN / "clr20/simple.jwt").read_text())
    carried = vcjwt.credential_from_payload(decoded.payload)
    assert carried.style == "vc-jwt-1.1"
    inner = carried.credential["credentialSubject"]["verifiableCredential"]
    assert inner and all(vcjwt.verify_signature(vcjwt.decode(t)).status == "valid" for t in inner)
