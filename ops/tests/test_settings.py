"""Production settings: `check --deploy` is silent, a missing setting stops start-up with
one line, the local trial over plain HTTP cannot weaken a real deployment, Argon2."""

from __future__ import annotations

import sys

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import override_settings

from ops.tests.helpers import SCP, clean_env, prod_env, run


def test_check_deploy_with_production_settings_prints_no_warning(tmp_path):
    result = run([SCP, "check", "--deploy", "--settings=config.settings.prod"],
                 prod_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize("missing", ["SCP_SECRET_KEY", "SCP_ALLOWED_HOSTS"])
@pytest.mark.parametrize("entry", ["console", "wsgi"])
def test_a_missing_setting_stops_start_up_with_one_clear_line(tmp_path, missing, entry):
    env = prod_env(tmp_path)
    del env[missing]
    argv = ([SCP, "check"] if entry == "console"
            else [sys.executable, "-c", "import config.wsgi"])
    result = run(argv, env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert missing in lines[0] and "Traceback" not in result.stderr


def test_the_local_http_trial_is_refused_for_a_real_host_name(tmp_path):
    result = run([SCP, "check"], prod_env(tmp_path, SCP_LOCAL_HTTP="1"))
    assert result.returncode == 2
    assert "SCP_LOCAL_HTTP" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_local_http_trial_drops_https_only_on_the_loopback(tmp_path):
    show = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.DEBUG)")
    trial = run([SCP, "shell", "--no-imports", "-c", show],
                prod_env(tmp_path, SCP_LOCAL_HTTP="1", SCP_ALLOWED_HOSTS="127.0.0.1,localhost"))
    assert trial.stdout.split() == ["False", "False", "False", "0", "False"], trial.stderr
    real = run([SCP, "shell", "--no-imports", "-c", show], prod_env(tmp_path))
    assert real.stdout.split() == ["True", "True", "True", "31536000", "False"], real.stderr


def test_the_console_script_without_settings_uses_development(tmp_path):
    show = "from django.conf import settings; print(settings.DEBUG)"
    result = run([SCP, "shell", "--no-imports", "-c", show],
                 clean_env(tmp_path))
    assert result.stdout.strip() == "True", result.stderr


def test_passwords_are_hashed_with_argon2_and_older_hashes_still_verify():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        encoded = make_password("mật khẩu dài 123")
        assert encoded.startswith("argon2$") and identify_hasher(encoded).algorithm == "argon2"
        old = make_password("x", hasher="pbkdf2_sha256")
        assert identify_hasher(old).algorithm == "pbkdf2_sha256"
    # The tests themselves use a fast hasher: nothing else may be left in the way.
    assert settings.PASSWORD_HASHERS != base.PASSWORD_HASHERS
