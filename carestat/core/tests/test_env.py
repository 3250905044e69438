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
