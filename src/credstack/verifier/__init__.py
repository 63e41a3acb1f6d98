"""Verification for employers: the public /verify page, the W3C VC API routes and share links.

Everything here is a face of :func:`credstack.vc.verify.verify`; this app adds what only a running
platform can: fetching through the operator's allowlist (and the platform's own documents
in-process), rate and size limits, and the presentation of the report to a person.
"""
