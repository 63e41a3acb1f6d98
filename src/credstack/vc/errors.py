"""Exceptions of the credential core.

Every error carries a message a person can read; verifiers turn them into report checks,
the CLI into exit codes (2 for unusable input), the API into problem details.
"""

from __future__ import annotations


class VCError(Exception):
    """Base class of every error raised by ``credstack.vc``."""


class InputError(VCError):
    """The input cannot be used at all: not JSON, too large, too deep, not an image we read."""


class InvalidDocument(VCError):
    """The document is well-formed but breaks a rule of the data model or a JSON schema."""


class UndefinedTermError(InvalidDocument):
    """JSON-LD safe mode: a term no context defines."""

    def __init__(self, term: str, message: str | None = None) -> None:
        self.term = term
        super().__init__(message or f"The term {term!r} is not defined by any @context of the document.")


class ContextError(InvalidDocument):
    """A @context that is not bundled (remote contexts are never fetched) or is malformed."""


class CanonicalizationBudgetExceeded(VCError):
    """RDF canonicalization would take more work than allowed (a blank-node blow-up)."""


class ProofError(VCError):
    """A proof cannot be created or does not verify."""


class ResolutionError(VCError):
    """A DID or verification method cannot be resolved."""


class FetchError(VCError):
    """A URL cannot be fetched: not allowed, unreachable, too large or a bad answer."""


class StatusListError(VCError):
    """A status list is malformed, too large (a gzip bomb) or does not cover an index."""


class BakingError(VCError):
    """An image cannot carry, or does not carry, a credential."""
