"""The ``credstack`` console command.

Credential subcommands (keygen, sign, verify, bake, unbake) go to :mod:`credstack.vc.cli` and never
load Django, so that they start fast and work anywhere. Everything else is a Django management
command (serve, migrate, demo, worker, createadmin, catalog, and Django's own).
"""

from __future__ import annotations

import os
import sys

VC_COMMANDS = frozenset({"keygen", "sign", "verify", "bake", "unbake"})


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in VC_COMMANDS:
        from credstack.vc.cli import main as vc_main

        return vc_main(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credstack.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["credstack", *args])
    except ImproperlyConfigured as exc:
        print(f"credstack: configuration error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
