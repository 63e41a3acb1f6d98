"""``Ed25519Signature2020``: the Linked Data Signature suite before Data Integrity (W3C CCG, 2020).

Still what the DCC Learner Credential Wallet signs presentations with, and what DCC and Open edX issuers have
signed credentials with. The proof is its own type (no ``cryptosuite``) and its transformation is that of
``eddsa-rdfc-2022``: RDFC-1.0 canonical N-Quads of the document without its proof and of the proof options with
the document's ``@context``, ``sha256(proof options) || sha256(document)`` signed with Ed25519, the signature
written base58btc (``z``). Keys are ``Ed25519VerificationKey2020`` or Multikey (``z6Mk…``); the suite's terms
come from the bundled ``https://w3id.org/security/suites/ed25519-2020/v1`` context.

Verification only, on the reference canonicalization path (the fast path stays eddsa-rdfc-2022's).
"""

from __future__ import annotations

from credstack.vc.suites import EddsaRdfc2022

PROOF_TYPE = "Ed25519Signature2020"
CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"


class Ed25519Signature2020(EddsaRdfc2022):
    name = PROOF_TYPE
    proof_type = PROOF_TYPE

    def __init__(self) -> None:
        super().__init__(fast=False)
