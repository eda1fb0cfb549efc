from pathlib import Path

import pytest

from callcenter.cli import main
from callcenter.errors import SettingsError
from callcenter.settings import load_settings


def test_defaults_are_loopback_and_embedded_postgres() -> None:
    s = load_settings({})
    assert s.database_url == "" and s.http_host == "127.0.0.1" and s.ami_port == 15038


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "cc.toml"
    cfg.write_text('http_port = 9000\nami_host = "pbx"\n')
    s = load_settings({"CALLCENTER_HTTP_PORT": "9100"}, cfg)
    assert (s.http_port, s.ami_host) == (9100, "pbx")


@pytest.mark.parametrize(("env", "named"), [
    ({"CALLCENTER_HTTP_PORT": "eighty"}, "CALLCENTER_HTTP_PORT"),
    ({"CALLCENTER_AMI_PORT": "70000"}, "CALLCENTER_AMI_PORT"),
    ({"CALLCENTER_AMI_PING_TIMEOUT": "-1"}, "CALLCENTER_AMI_PING_TIMEOUT"),
    ({"CALLCENTER_TIMEZONE": "Mars/Olympus"}, "CALLCENTER_TIMEZONE"),
    ({"CALLCENTER_PHONE_REGION": "XX"}, "CALLCENTER_PHONE_REGION"),
    ({"CALLCENTER_DATABASE_URL": "mysql://x"}, "CALLCENTER_DATABASE_URL"),
])
def test_a_bad_value_names_the_setting(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    assert named in caught.value.message


def test_unknown_key_in_file_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "cc.toml"
    cfg.write_text('htp_port = 1\n')
    with pytest.raises(SettingsError, match="htp_port"):
        load_settings({}, cfg)


def test_cli_exits_2_with_one_line(monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CALLCENTER_HTTP_PORT", "abc")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "CALLCENTER_HTTP_PORT" in err


def test_secrets_are_masked_for_logging() -> None:
    s = load_settings({"CALLCENTER_AMI_SECRET": "hunter2",
                       "CALLCENTER_DATABASE_URL": "postgresql://cc:pw@db/cc"})
    shown = str(s.redacted())
    assert "hunter2" not in shown and ":pw@" not in shown


def test_amis_protocol_log_never_shows_the_secret(caplog) -> None:
    from callcenter.telephony.ami import protocol_log

    with caplog.at_level("ERROR"):
        protocol_log.error("Fail to send %r", "Action: Login\r\nSecret: hunter2\r\n")
    assert "hunter2" not in caplog.text and "Secret: ***" in caplog.text
