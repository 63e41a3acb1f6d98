"""The ``credstack`` console command.

Credential subcommands (keygen, sign, verify, bake, unbake) go to :mod:`credstack.vc.cli` and never
load Django, so that they start fast and work anywhere. Everything else is a Django management
command (serve, migrate, demo, worker, createadmin, catalog, and Django's own).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from credstack.vc.iri import is_text

VC_COMMANDS = frozenset({"keygen", "sign", "verify", "bake", "unbake"})


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in VC_COMMANDS:
        from credstack.vc.cli import main as vc_main

        return vc_main(args)
    unusable = next((i for i, arg in enumerate(args) if not is_text(arg)), None)
    if unusable is not None:
        # A lone surrogate is how Python hands over bytes that are not UTF-8; nothing can store or show it.
        print(f"credstack: argument {unusable + 1} is not valid UTF-8 text; give it as UTF-8.", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credstack.settings")
    from django.core.exceptions import ImproperlyConfigured, ValidationError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["credstack", *args])
    except ImproperlyConfigured as exc:
        print(f"credstack: configuration error: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        print(f"credstack: {_readable(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # Every command reports bad input itself; this is the net under the ones that do not, so that the
        # command line never ends in a traceback (``--traceback`` shows it).
        if "--traceback" in args:
            raise
        verb = args[0] if args else "credstack"
        print(
            f"credstack: {verb} failed: {exc.__class__.__name__}: {exc}. Nothing more was done; run it again with "
            "--traceback for the details.",
            file=sys.stderr,
        )
        return 2
    return 0


def _readable(exc: Any) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    return " ".join(exc.messages)


if __name__ == "__main__":
    raise SystemExit(main())
