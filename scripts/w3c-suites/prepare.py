"""Point a W3C suite's package.json at local tarballs of its GitHub-only dependencies.

The suites name ``github:w3c/vc-test-suite-implementations`` (and the w3c-ccg one, and
``github:w3c-ccg/data-integrity-test-suite-assertion``); run.sh packs those from the fetched folders with
``npm pack`` and this rewrites every ``github:OWNER/NAME`` dependency to ``file:<tarball>`` so ``npm install``
needs only the npm registry. Any other GitHub dependency stops the run with its name (fetch it too).

Usage: python prepare.py PACKAGE_JSON TARBALL_DIR   (TARBALL_DIR/OWNER/NAME.tgz)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

GITHUB = re.compile(
    r"^(?:github:|git\+https://github\.com/|https://github\.com/)?([\w.-]+)/([\w.-]+?)(?:\.git)?(?:#.*)?$"
)


def rewrite(package_json: Path, tarballs: Path) -> list[str]:
    """Rewrite the GitHub dependencies in place; return what was rewritten (``name -> file:...``)."""
    package = json.loads(package_json.read_text())
    done = []
    for section in ("dependencies", "devDependencies", "optionalDependencies"):
        for name, spec in package.get(section, {}).items():
            if not isinstance(spec, str) or not ("github" in spec or re.match(r"^[\w.-]+/[\w.-]+$", spec)):
                continue
            match = GITHUB.match(spec)
            if match is None:
                raise SystemExit(f"{package_json}: cannot read the GitHub dependency {name} = {spec}")
            owner, repo = match.groups()
            tarball = tarballs / owner / f"{repo}.tgz"
            if not tarball.exists():
                raise SystemExit(f"{package_json}: {name} comes from GitHub ({spec}); fetch {owner}/{repo} too")
            package[section][name] = f"file:{tarball}"
            done.append(f"{name} -> file:{tarball}")
    package_json.write_text(json.dumps(package, indent=2) + "\n")
    return done


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    for line in rewrite(Path(sys.argv[1]), Path(sys.argv[2])):
        print(f"  {line}")
