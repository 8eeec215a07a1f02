"""Cutting off tokens and accounts from the command line (embedded SQLite default)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.config import Settings
from web.bootstrap import open_archive
from web.cli import cli

PASSWORD = "a long enough passphrase"


@pytest.fixture
def run(tmp_path: Path):
    environ = {"ARCHIVE_DATA_DIR": str(tmp_path / "var"), "ARCHIVE_TIMEZONE": "Asia/Almaty"}

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), obj={"environ": environ})

    assert invoke("init").exit_code == 0  # other commands do not make a new data folder
    assert invoke("create-curator", "dana", "--password", PASSWORD).exit_code == 0
    return invoke


def token_of(run, *args: str) -> tuple[str, str]:
    result = run("create-token", "dana", *args)
    assert result.exit_code == 0, result.output
    token = re.search(r"arch_\S+", result.output).group(0)
    short_id = re.search(r"Token id ([0-9a-f]{8})", result.output).group(1)
    return token, short_id


def curator_for(tmp_path: Path, token: str):
    archive = open_archive(Settings(data_dir=tmp_path / "var"))
    try:
        return archive.access.curator_for_token(token)
    finally:
        archive.close()


def test_list_tokens_shows_ids_labels_and_expiry_but_never_a_token(run, tmp_path):
    token, short_id = token_of(run, "--label", "import script", "--expires", "2999-12-31")
    listing = run("list-tokens")
    assert listing.exit_code == 0, listing.output
    (row,) = [line for line in listing.output.splitlines() if line.startswith(short_id)]
    assert "dana" in row and "live" in row and "2999-12-31" in row and "never" in row and "import script" in row
    assert token not in listing.output and token[5:15] not in listing.output
    assert run("list-tokens", "dana").output == listing.output
    assert run("list-tokens", "nobody").exit_code == 1


def test_revoke_token_by_the_listed_id_cuts_it_off(run, tmp_path):
    token, short_id = token_of(run)
    assert curator_for(tmp_path, token) is not None
    result = run("revoke-token", short_id)
    assert result.exit_code == 0 and f"Token {short_id} revoked" in result.output
    assert curator_for(tmp_path, token) is None
    assert "revoked" in run("list-tokens").output


@pytest.mark.parametrize("name", ["deadbeef", "zz", "arch_forged"])
def test_revoking_an_unknown_token_is_one_clear_line(run, name):
    token_of(run)
    result = run("revoke-token", name)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "No token with the id" in result.output


def test_deactivate_curator_stops_login_and_tokens(run, tmp_path):
    token, _ = token_of(run)
    result = run("deactivate-curator", "dana")
    assert result.exit_code == 0 and "deactivated" in result.output
    assert curator_for(tmp_path, token) is None
    archive = open_archive(Settings(data_dir=tmp_path / "var"))
    try:
        assert archive.access.authenticate("dana", PASSWORD) is None
    finally:
        archive.close()
    assert "curator deactivated" in run("list-tokens").output
    assert run("deactivate-curator", "nobody").exit_code == 1


def test_change_password_replaces_the_old_one(run, tmp_path):
    result = run("change-password", "dana", "--password", "a brand new passphrase")
    assert result.exit_code == 0, result.output
    archive = open_archive(Settings(data_dir=tmp_path / "var"))
    try:
        assert archive.access.authenticate("dana", PASSWORD) is None
        assert archive.access.authenticate("dana", "a brand new passphrase") is not None
    finally:
        archive.close()
    short = run("change-password", "dana", "--password", "short")
    assert short.exit_code == 1 and "at least 12 characters" in short.output


def test_a_token_cannot_expire_before_today(run):
    result = run("create-token", "dana", "--expires", "2000-01-01")
    assert result.exit_code == 1 and "cannot expire before today" in result.output
    assert "No API tokens." in run("list-tokens").output
