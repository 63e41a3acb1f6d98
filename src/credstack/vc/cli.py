"""The credential command line: ``keygen``, ``sign``, ``verify``, ``bake``, ``unbake``.

``main(argv)`` returns the exit code: 0 when the command succeeded (for ``verify``: the credential is
valid), 1 when ``verify`` found the credential not valid (any other verdict), 2 when the input cannot be
read or the call is wrong. Errors are one readable line on stderr, never a traceback.

Only the standard library is imported at module level so that ``credstack keygen`` starts fast and never
loads Django; each subcommand imports what it needs.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

EXIT_OK = 0
EXIT_NOT_VALID = 1
EXIT_UNUSABLE = 2
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "vc-jwt")


class UsageError(Exception):
    """A wrong call or unusable input: exit code 2 with this message."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise UsageError(message)


def _parse_time(text: str, option: str) -> datetime:
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{option}: {text!r} is not an ISO 8601 date and time (e.g. 2026-01-01T00:00:00Z).") from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: no such file.") from exc
    except IsADirectoryError as exc:
        raise UsageError(f"{path}: is a directory.") from exc
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc}).") from exc


def _write(path: str, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise UsageError(f"{path}: cannot be written ({exc.strerror or exc}).") from exc


def _load_json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise UsageError(f"{what} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise UsageError(f"{what} is not a JSON object.")
    return value


# -- keygen ---------------------------------------------------------------------------------------------------


def _keygen(args: argparse.Namespace) -> int:
    from credstack.vc import keys

    seed: bytes | None = None
    if args.seed is not None:
        try:
            seed = bytes.fromhex(args.seed)
        except ValueError as exc:
            raise UsageError("--seed must be 64 hexadecimal characters (32 bytes).") from exc
        if len(seed) != 32:
            raise UsageError(f"--seed must be 32 bytes (64 hexadecimal characters), not {len(seed)}.")
    key = keys.Ed25519Key.generate(seed=seed)
    if args.output:
        try:
            keys.save_key_file(key, args.output)
        except OSError as exc:
            raise UsageError(f"{args.output}: cannot be written ({exc.strerror or exc}).") from exc
        print(key.did_key)
    else:
        print(json.dumps(key.to_key_file_json(), indent=2))
    return EXIT_OK


# -- sign -----------------------------------------------------------------------------------------------------


def _set_issuer(credential: dict[str, Any], issuer_id: str) -> None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer["id"] = issuer_id
    else:
        credential["issuer"] = issuer_id


def _sign(args: argparse.Namespace) -> int:
    from credstack.vc import jwt as vcjwt
    from credstack.vc import keys
    from credstack.vc.errors import VCError

    credential = _load_json_object(_read(args.input), args.input)
    try:
        key = keys.load_key_file(args.key)
    except FileNotFoundError as exc:
        raise UsageError(f"{args.key}: no such key file.") from exc
    except (OSError, ValueError, VCError) as exc:
        raise UsageError(f"{args.key}: not a usable key file ({exc}).") from exc
    if not key.has_private_key:
        raise UsageError(f"{args.key} holds a public key only; signing needs the secret key.")
    if key.controller.startswith("did:key:") and not args.keep_issuer:
        _set_issuer(credential, key.controller)
    try:
        created = _parse_time(args.created, "--created") if args.created is not None else None
        if args.suite == "vc-jwt":
            print(vcjwt.sign(credential, key, issued_at=created))
        else:
            from credstack.vc import proofs

            signed = proofs.add_proof(credential, key, suite=args.suite, created=created)
            print(json.dumps(signed, indent=2, ensure_ascii=False))
    except VCError as exc:
        raise UsageError(f"The credential cannot be signed: {exc}") from exc
    return EXIT_OK


# -- verify ---------------------------------------------------------------------------------------------------


def make_allowlist_fetcher(hosts: frozenset[str]) -> Any:
    """The fetcher ``--allow-host`` uses (tests replace this to inject a transport)."""
    from credstack.vc.fetch import AllowlistFetcher

    return AllowlistFetcher(allowed_hosts=hosts)


def _fetcher(args: argparse.Namespace) -> Any:
    from credstack.vc.fetch import Fetcher, NoNetwork, StaticFetcher

    fallback: Fetcher = NoNetwork()
    if args.allow_host:
        hosts = frozenset(h.strip().lower() for h in args.allow_host if h.strip())
        fallback = make_allowlist_fetcher(hosts)
    if not args.resource:
        return fallback
    resources: dict[str, bytes] = {}
    for item in args.resource:
        url, sep, path = item.partition("=")
        if not sep or not url or not path:
            raise UsageError(f"--resource {item!r}: expected URL=FILE.")
        resources[url] = _read(path)
    return StaticFetcher(resources, fallback=fallback)


def _verify(args: argparse.Namespace) -> int:
    from credstack.vc.verify import VerifyOptions, verify

    now = _parse_time(args.at, "--at") if args.at is not None else None
    data = _read(args.path)
    options = VerifyOptions(fetcher=_fetcher(args), now=now, recipient_email=args.recipient)
    report = verify(data, options=options)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print(report.to_text())
    if report.input_error:
        if not args.json:
            print(f"error: {report.checks[0].message}", file=sys.stderr)
        return EXIT_UNUSABLE
    return EXIT_OK if report.valid else EXIT_NOT_VALID


# -- bake / unbake ----------------------------------------------------------------------------------------------


def _bake(args: argparse.Namespace) -> int:
    from credstack.vc import baking
    from credstack.vc.errors import VCError

    raw = _read(args.credential)
    try:
        text = raw.decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise UsageError(f"{args.credential} is neither JSON nor a JWT (not UTF-8 text).") from exc
    credential: dict[str, Any] | str = _load_json_object(raw, args.credential) if text.startswith("{") else text
    image = _read(args.image)
    try:
        baked = baking.bake(image, credential)
    except VCError as exc:
        raise UsageError(f"Cannot bake: {exc}") from exc
    _write(args.output, baked)
    return EXIT_OK


def _unbake(args: argparse.Namespace) -> int:
    from credstack.vc import baking
    from credstack.vc.errors import VCError

    try:
        found = baking.unbake(_read(args.image))
    except VCError as exc:
        raise UsageError(f"{args.image}: {exc}") from exc
    if found.format == "json":
        try:
            print(json.dumps(json.loads(found.text), indent=2, ensure_ascii=False))
        except ValueError:
            print(found.text)
    else:
        print(found.text)
    return EXIT_OK


# -- entry point -------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="credstack", description="Sign, verify and bake Open Badges 3.0 credentials.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    keygen = commands.add_parser("keygen", help="create an Ed25519 key (did:key)")
    keygen.add_argument("--seed", metavar="HEX32", help="32-byte seed in hex, for a deterministic key")
    keygen.add_argument("-o", "--output", metavar="KEYFILE", help="write the key file here (mode 0600)")
    keygen.set_defaults(run=_keygen)

    sign = commands.add_parser("sign", help="sign a credential; the signed credential goes to stdout")
    sign.add_argument("input", metavar="IN.json")
    sign.add_argument("--key", required=True, metavar="KEYFILE")
    sign.add_argument("--suite", choices=SUITES, default="eddsa-rdfc-2022")
    sign.add_argument("--created", metavar="ISO8601", help="the proof's creation time (for vc-jwt: the iat claim)")
    sign.add_argument("--keep-issuer", action="store_true", help="do not set the issuer to the key's did:key")
    sign.set_defaults(run=_sign)

    verify = commands.add_parser("verify", help="verify a credential (.json, .jwt, .png, .svg, or - for stdin)")
    verify.add_argument("path", metavar="PATH|-")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.add_argument("--recipient", metavar="EMAIL", help="check that the credential was awarded to EMAIL")
    verify.add_argument("--at", metavar="ISO8601", help="verify as of this time instead of now")
    verify.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="allow fetching from this host (repeatable)",
    )
    verify.add_argument(
        "--resource", action="append", default=[], metavar="URL=FILE", help="answer URL from a local FILE (repeatable)"
    )
    verify.set_defaults(run=_verify)

    bake = commands.add_parser("bake", help="bake a credential into a PNG or SVG image")
    bake.add_argument("credential", metavar="CREDENTIAL")
    bake.add_argument("image", metavar="IMAGE.png|svg")
    bake.add_argument("-o", "--output", required=True, metavar="OUT")
    bake.set_defaults(run=_bake)

    unbake = commands.add_parser("unbake", help="print the credential baked into an image")
    unbake.add_argument("image", metavar="IMAGE")
    unbake.set_defaults(run=_unbake)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; returns the exit code (see the module docstring)."""
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
        code: int = args.run(args)
        return code
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except SystemExit as exc:  # --help and --version exit through argparse
        return exc.code if isinstance(exc.code, int) else EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("error: interrupted.", file=sys.stderr)
        return EXIT_UNUSABLE
    except BrokenPipeError:
        return EXIT_UNUSABLE
    except Exception as exc:  # the contract: a readable line, never a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
