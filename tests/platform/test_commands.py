"""The credstack console command and the settings it runs with."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from credstack.accounts.models import User
from credstack.catalog.demo.loader import DEMO_LOGINS, load_demo
from credstack.catalog.models import MicroCredential, MicroCredentialVersion


def run_cli(*args: str, env: dict[str, str] | None = None, home: Path) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "CREDSTACK_HOME": str(home), **(env or {})}
    full_env.pop("DJANGO_SETTINGS_MODULE", None)
    full_env.pop("DATABASE_URL", None)
    full_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "-m", "credstack.cli", *args], env=full_env, capture_output=True, text=True, timeout=120
    )


def test_demo_program(db: Any) -> None:
    load_demo()
    load_demo()  # idempotent
    published = MicroCredentialVersion.objects.published()
    assert published.count() >= 12
    subjects = {s for v in published for s in v.subject_areas}
    assert {"science", "mathematics", "literacy", "classroom-practice", "digital-learning"} <= subjects
    for v in published:
        assert v.rubric["criteria"] and all(c["passing_level"] for c in v.rubric["criteria"])
        assert v.submission["artifacts"]
    assert set(User.objects.values_list("email", flat=True)) >= {login.email for login in DEMO_LOGINS}
    assert MicroCredential.objects.filter(versions__status="superseded").exists()  # the life cycle is shown
    assert MicroCredentialVersion.objects.filter(status="draft").exists()


def test_catalog_command(db: Any, capsys: Any) -> None:
    load_demo()
    call_command("catalog", "--json")
    data = json.loads(capsys.readouterr().out)
    assert {o["slug"] for o in data} == {"northfield-usd", "lakeside-teacher-institute"}
    with pytest.raises(CommandError) as info:
        call_command("catalog", "--org", "nope")
    assert info.value.returncode == 2


def test_cli_end_to_end(tmp_path: Path) -> None:
    assert run_cli("migrate", "-v", "0", home=tmp_path).returncode == 0
    demo = run_cli("demo", "--if-empty", home=tmp_path)
    assert demo.returncode == 0 and "learner@example.org" in demo.stdout
    listing = run_cli("catalog", "--org", "northfield-usd", home=tmp_path)
    assert "claim-evidence-reasoning-lab-reports" in listing.stdout and "v2 published" in listing.stdout
    bad = run_cli("catalog", "--org", "nope", home=tmp_path)
    assert bad.returncode == 2 and "No organization" in bad.stderr and "Traceback" not in bad.stderr
    admin = run_cli(
        "createadmin",
        "--email",
        "ops@example.org",
        "--no-input",
        env={"CREDSTACK_ADMIN_PASSWORD": "a-long-enough-password"},
        home=tmp_path,
    )
    assert admin.returncode == 0, admin.stderr
    weak = run_cli(
        "createadmin",
        "--email",
        "ops2@example.org",
        "--no-input",
        env={"CREDSTACK_ADMIN_PASSWORD": "123"},
        home=tmp_path,
    )
    assert weak.returncode == 2 and "too short" in weak.stderr
    secret = tmp_path / "secret_key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


def test_production_requires_secret_key(tmp_path: Path) -> None:
    result = run_cli(
        "check", home=tmp_path, env={"CREDSTACK_ENV": "production", "CREDSTACK_BASE_URL": "https://badges.example.org"}
    )
    assert result.returncode == 2 and "SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_production_passes_deploy_checks(tmp_path: Path) -> None:
    result = run_cli(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        home=tmp_path,
        env={
            "CREDSTACK_ENV": "production",
            "CREDSTACK_BASE_URL": "https://badges.example.org",
            "SECRET_KEY": "k" * 20 + "Zx9!q" * 10,
            "CREDSTACK_KEK": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_argon2_is_the_password_hasher() -> None:
    import credstack.settings as real

    assert real.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_credential_commands_do_not_load_django(tmp_path: Path) -> None:
    code = (
        "import sys; from credstack.cli import main; rc = main(['keygen', '-o', sys.argv[1]]); "
        "assert 'django' not in sys.modules, 'django was imported'; sys.exit(rc)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "k.json")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
