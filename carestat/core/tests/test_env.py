import pytest

from carestat.env import ConfigError, env_bool, env_choice, env_int, env_list, kept_secret


def test_yes_no_settings_refuse_anything_else(monkeypatch):
    monkeypatch.setenv("CARESTAT_DEBUG", "maybe")
    with pytest.raises(ConfigError, match="CARESTAT_DEBUG='maybe' is not a yes/no value"):
        env_bool("CARESTAT_DEBUG", False)
    monkeypatch.setenv("CARESTAT_DEBUG", "TRUE")
    assert env_bool("CARESTAT_DEBUG", False) is True


def test_whole_number_settings_refuse_words_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("N", "five")
    with pytest.raises(ConfigError, match="not a whole number"):
        env_int("N", 1)
    monkeypatch.setenv("N", "0")
    with pytest.raises(ConfigError, match="below the minimum"):
        env_int("N", 1, minimum=1)


def test_lists_and_choices(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b.example,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("ENV", "staging")
    with pytest.raises(ConfigError, match="must be one of: development, production"):
        env_choice("ENV", "development", ("development", "production"))


def test_a_secret_is_generated_once_and_kept_outside_production(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET", raising=False)
    first = kept_secret(tmp_path / "secret", "SECRET", required=False)
    assert kept_secret(tmp_path / "secret", "SECRET", required=False) == first
    assert (tmp_path / "secret").stat().st_mode & 0o777 == 0o600


def test_production_requires_the_secret_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET", raising=False)
    with pytest.raises(ConfigError, match="SECRET is required in production"):
        kept_secret(tmp_path / "secret", "SECRET", required=True)
    monkeypatch.setenv("SECRET", "short")
    with pytest.raises(ConfigError, match="at least 32 characters"):
        kept_secret(tmp_path / "secret", "SECRET", required=True)


def test_settings_refuse_debug_in_production(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "CARESTAT_ENV": "production", "CARESTAT_DEBUG": "true", "CARESTAT_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "carestat.cli", "--help"], env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert "CareStat cannot start: CARESTAT_DEBUG must be false when CARESTAT_ENV=production" in result.stderr


def test_word_settings_accept_spaces_or_commas_and_refuse_unknown_words(monkeypatch):
    from carestat.env import env_words

    allowed = ("x-forwarded-proto", "x-forwarded-for")
    monkeypatch.setenv("HEADERS", "X-Forwarded-Proto, x-forwarded-for")
    assert env_words("HEADERS", "", allowed) == ["x-forwarded-proto", "x-forwarded-for"]
    monkeypatch.setenv("HEADERS", "x-forwarded-proto x-real-ip")
    with pytest.raises(ConfigError, match="HEADERS has .x-real-ip.; use words from: x-forwarded-proto, x-forw"):
        env_words("HEADERS", "", allowed)
    monkeypatch.delenv("HEADERS")
    assert env_words("HEADERS", "x-forwarded-proto", allowed) == ["x-forwarded-proto"]


def _settings_import(env: dict, cwd):
    import os
    import subprocess
    import sys

    base = {k: v for k, v in os.environ.items() if not k.startswith("CARESTAT_") and k != "DATABASE_URL"}
    code = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'carestat.settings'); " \
           "django.setup(); from django.conf import settings; print(settings.DATA_DIR)"
    return subprocess.run([sys.executable, "-c", code], env=base | env, cwd=cwd, capture_output=True, text=True)


def test_production_refuses_to_start_without_a_named_data_directory(tmp_path):
    result = _settings_import({"CARESTAT_ENV": "production", "CARESTAT_SECRET_KEY": "s" * 50,
                               "CARESTAT_PSEUDONYMISATION_KEY": "p" * 50, "CARESTAT_ALLOWED_HOSTS": "x.example"},
                              tmp_path)
    assert result.returncode != 0
    assert "CARESTAT_DATA_DIR is required in production" in result.stderr


def test_without_a_data_directory_a_command_run_elsewhere_uses_the_checkouts_var(tmp_path):
    from django.conf import settings

    result = _settings_import({}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(settings.BASE_DIR / "var")
    assert not (tmp_path / "var").exists()


def test_stores_without_their_pseudonymisation_key_stop_start_up(tmp_path):
    (tmp_path / "analytics").mkdir()
    (tmp_path / "analytics" / "demoshire.duckdb").write_bytes(b"")
    result = _settings_import({"CARESTAT_DATA_DIR": str(tmp_path)}, tmp_path)
    assert result.returncode != 0
    assert "holds analytics stores but no pseudonymisation key" in result.stderr
    assert not (tmp_path / "pseudonymisation_key").exists()
