"""credstack.vc — the framework-free credential core.

Builds Open Badges 3.0 / CLR 2.0 credentials (:mod:`.builders`), canonicalizes JSON-LD offline
against bundled contexts (:mod:`.jsonld`, and quickly :mod:`.fastld`), signs and verifies Data Integrity proofs
(:mod:`.proofs`, :mod:`.suites`) and VC-JWTs (:mod:`.jwt`), encodes Bitstring Status Lists
(:mod:`.statuslist`), bakes images (:mod:`.baking`), reads Open Badges 2.0 (:mod:`.ob2`) and
verifies anything of these into a report that says why (:mod:`.verify`).

Rules of this package: it never imports Django (a test enforces it), it never touches the network
unless the caller hands it a fetcher (:mod:`.fetch`), and every side effect — signer, resolver,
status fetcher, clock — is injected. Submodules are imported on demand so that the command line
(:mod:`.cli`) starts fast.
"""
