"""SQLite, as the embedded default or given as a sqlite:/// address, runs with WAL,
IMMEDIATE write transactions and a busy timeout (item 6 of the deadline-day issue: without
them, a rollback journal and "database is locked" under load)."""

from __future__ import annotations

from config.settings import base


def test_a_sqlite_address_gets_the_embedded_defaults_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    given = base._database()
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("SCP_SQLITE_PATH", str(tmp_path / "y.sqlite3"))
    embedded = base._database()
    for config in (given, embedded):
        assert config["ENGINE"] == "django.db.backends.sqlite3"
        assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert config["OPTIONS"]["timeout"] == 20
        assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_a_postgresql_address_is_left_as_given(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/scp")
    config = base._database()
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert "transaction_mode" not in config.get("OPTIONS", {})
