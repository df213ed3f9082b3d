"""deploy/ holds what running Spiegel needs, and each file works as its comments say: the systemd
units parse (and pass `systemd-analyze verify` where it exists), the commands they start exist,
the environment file lists every setting and starts gunicorn in production, and the reverse
proxy configurations pass their own checks and match the app's settings."""

from __future__ import annotations

import ast
import configparser
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dotenv import dotenv_values

from config import Config

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
INSTALLED_AT = "/opt/spiegel"  # where the units expect the checkout

SERVICES = ["spiegel-web.service", "spiegel-scheduler@.service", "spiegel-backup.service"]
HARDENING = {
    "NoNewPrivileges": "yes",
    "PrivateTmp": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateDevices": "yes",
    "RestrictSUIDSGID": "yes",
    "CapabilityBoundingSet": "",
    "UMask": "0077",
}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text())
    return parser


def pointed_here(text: str) -> str:
    """A unit's text pointed at this checkout (and the virtualenv running the tests) instead of
    /opt/spiegel."""
    return text.replace(f"{INSTALLED_AT}/.venv/bin", str(BIN)).replace(INSTALLED_AT, str(ROOT))


def here(command: str) -> list[str]:
    return shlex.split(pointed_here(command))


def example_settings() -> dict[str, str]:
    return {k: v or "" for k, v in dotenv_values(DEPLOY / "spiegel.env.example").items()}


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_as_the_spiegel_user_with_the_settings_and_hardened(name):
    service = unit(name)["Service"]
    assert service["User"] == service["Group"] == "spiegel"
    assert service["EnvironmentFile"] == "/etc/spiegel/spiegel.env"
    assert service["WorkingDirectory"] == INSTALLED_AT
    for key, value in HARDENING.items():
        assert service.get(key) == value, f"{name}: {key}={value} expected"
    # Only the instance folder (SQLite, export files) and the backups are writable.
    for path in service["ReadWritePaths"].split():
        assert path.lstrip("-") in (f"{INSTALLED_AT}/instance", "/var/backups/spiegel")
    program = Path(here(service["ExecStart"])[0])
    assert program.is_file() and os.access(program, os.X_OK), program


def test_the_web_app_and_the_schedulers_restart_and_stop_gracefully():
    web = unit("spiegel-web.service")["Service"]
    assert here(web["ExecStart"])[1:] == ["-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"]
    assert web["Type"] == "notify"  # gunicorn's master tells systemd when it listens
    assert web["Restart"] == "on-failure" and web["KillMode"] == "mixed"
    assert "HUP" in web["ExecReload"]
    # Stopping gives gunicorn's workers their graceful_timeout (60 s) to finish an export.
    assert int(web["TimeoutStopSec"]) > 60

    scheduler = unit("spiegel-scheduler@.service")
    assert "%i" in scheduler["Unit"]["Description"]  # several, told apart by their instance
    assert here(scheduler["Service"]["ExecStart"])[1:] == ["--app", "wsgi", "scheduler"]
    assert scheduler["Service"]["Restart"] == "always"
    for name in ("spiegel-web.service", "spiegel-scheduler@.service"):
        assert "spiegel.target" in unit(name)["Install"]["WantedBy"].split()
        assert unit(name)["Unit"]["PartOf"] == "spiegel.target"


def test_the_nightly_backup_keeps_35_days():
    service = unit("spiegel-backup.service")["Service"]
    assert service["Type"] == "oneshot"
    assert here(service["ExecStart"])[1:] == ["--app", "wsgi", "backup", "/var/backups/spiegel"]
    assert "-mtime +35 -delete" in service["ExecStartPost"]
    timer = unit("spiegel-backup.timer")
    assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verifies_every_unit(tmp_path):
    """systemd's own check (unknown keys, bad values, missing programs), on copies pointed at
    this checkout so that the programs they start exist."""
    for path in DEPLOY.glob("spiegel*"):
        if path.suffix in (".service", ".timer", ".target"):
            (tmp_path / path.name).write_text(pointed_here(path.read_text()))
    units = [
        "spiegel-web.service",
        "spiegel-scheduler@1.service",
        "spiegel-backup.service",
        "spiegel-backup.timer",
        "spiegel.target",
    ]
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    own = [line for line in done.stderr.splitlines() if "spiegel" in line]
    assert own == [], "\n".join(own)


def _environment_names(path: Path) -> set[str]:
    """The environment variables a module reads: os.environ.get("X"), and the `_bool("X")`,
    `_list("X")`-style helpers of config.py."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        function = node.func
        reads_environment = (
            isinstance(function, ast.Attribute)
            and function.attr in ("get", "getenv")
            and ast.unparse(function.value) in ("os.environ", "os")
        ) or (isinstance(function, ast.Name) and function.id.startswith("_"))
        if reads_environment and re.fullmatch(r"[A-Z][A-Z0-9_]+", first.value):
            names.add(first.value)
    return names


def test_the_environment_file_lists_every_setting():
    read = _environment_names(ROOT / "config.py") | _environment_names(ROOT / "gunicorn.conf.py")
    read.discard("TEST_DATABASE_URL")  # the test profile's, never a server's
    assert {"SECRET_KEY", "DATABASE_URL", "TRUSTED_PROXIES", "GUNICORN_BIND"} <= read
    listed = set(
        re.findall(
            r"^(?:# )?([A-Z][A-Z0-9_]+)=",
            (DEPLOY / "spiegel.env.example").read_text(),
            re.MULTILINE,
        )
    )
    assert read - listed == set(), "settings missing from deploy/spiegel.env.example"
    assert listed - read == set(), "deploy/spiegel.env.example names settings nobody reads"


def test_the_environment_file_reads_the_same_in_the_shell_and_in_a_dotenv_file(tmp_path):
    """systemd's EnvironmentFile, `set -a; . file` and .env must agree, quotes and all."""
    shell = subprocess.run(
        ["sh", "-c", 'set -a; . "$0"; env -0', str(DEPLOY / "spiegel.env.example")],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    )
    exported = dict(item.split("=", 1) for item in shell.stdout.split("\0") if "=" in item)
    settings = example_settings()
    assert {name: exported.get(name) for name in settings} == settings
    assert settings["MAIL_DEFAULT_SENDER"] == "Feedback Gemeente Voorbeeld <feedback@example.nl>"
    assert settings["SPIEGEL_ENV"] == "production" and settings["SCHEDULER_ENABLED"] == "0"


def test_gunicorn_accepts_the_units_command_with_the_environment_file(tmp_path):
    """The web unit's own command line, with the example's settings and a real key, passes
    gunicorn's configuration check in production, which loads the app."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SPIEGEL_", "FLASK_"))},
        **example_settings(),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'spiegel.db'}",
    }
    command = here(unit("spiegel-web.service")["Service"]["ExecStart"])
    done = subprocess.run(
        [*command, "--check-config"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _without_comments(text: str) -> str:
    return re.sub(r"#.*", "", text)


def _nginx_setting(text: str, name: str) -> list[str]:
    return re.findall(rf"^\s*{name}\s+([^;{{]+);", _without_comments(text), re.MULTILINE)


def _megabytes(size: str) -> int:
    number, unit_ = re.fullmatch(r"(\d+)\s*([kKmM][bB]?)", size.strip()).groups()
    return int(number) * (1024 if unit_[0] in "kK" else 1024 * 1024)


def test_nginx_passes_what_the_app_trusts_to_the_address_gunicorn_listens_on():
    text = (DEPLOY / "nginx.conf").read_text()
    settings = example_settings()
    assert _nginx_setting(text, "server") == [settings["GUNICORN_BIND"]]
    assert settings["TRUSTED_PROXIES"] == "1"  # nginx is the one proxy
    assert "127.0.0.1" in settings["FORWARDED_ALLOW_IPS"].split(",")
    headers = dict(h.split(None, 1) for h in _nginx_setting(text, "proxy_set_header"))
    # Set (not appended to), so a client cannot slip its own address or scheme in.
    assert headers["X-Forwarded-For"] == "$remote_addr"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["X-Forwarded-Host"] == headers["Host"] == "$host"
    # The app answers an upload that is too large itself, in the user's language.
    assert _megabytes(_nginx_setting(text, "client_max_body_size")[0]) > Config.MAX_CONTENT_LENGTH
    assert int(_nginx_setting(text, "proxy_read_timeout")[0].rstrip("s")) > 120
    assert _nginx_setting(text, "return") == ["301 https://$host$request_uri"]
    assert _nginx_setting(text, "ssl_protocols") == ["TLSv1.2 TLSv1.3"]
    assert _nginx_setting(text, "access_log") == ["off"]  # it would log survey tokens


def test_caddy_passes_to_the_address_gunicorn_listens_on():
    text = _without_comments((DEPLOY / "Caddyfile").read_text())
    assert (
        re.search(r"^\s*reverse_proxy (\S+)", text, re.MULTILINE)[1]
        == (example_settings()["GUNICORN_BIND"])
    )
    size = re.search(r"max_size (\d+)MB", text)[1]
    assert int(size) * 1_000_000 > Config.MAX_CONTENT_LENGTH
    assert "trusted_proxies" not in text  # Caddy then drops a client's own X-Forwarded-*
    assert not re.search(r"^\s*log\b", text, re.MULTILINE)  # it would log survey tokens


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed here")
def test_nginx_accepts_the_configuration(tmp_path):
    """`nginx -t` on the site file inside a minimal main configuration, with a certificate of
    its own in place of Let's Encrypt's."""
    done = subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=feedback.example.nl",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    live = "/etc/letsencrypt/live/feedback.example.nl"
    site = (DEPLOY / "nginx.conf").read_text()
    site = site.replace(f"{live}/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace(f"{live}/privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n  include {tmp_path}/site.conf;\n}}\n"
    )
    done = subprocess.run(
        ["nginx", "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "test is successful" in done.stderr, done.stderr
    assert "[warn]" not in done.stderr, done.stderr


@pytest.mark.skipif(shutil.which("caddy") is None, reason="Caddy is not installed here")
def test_caddy_accepts_the_configuration():
    done = subprocess.run(
        ["caddy", "adapt", "--config", str(DEPLOY / "Caddyfile"), "--validate"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert '"level":"warn"' not in done.stderr, done.stderr


@pytest.mark.parametrize("command", ["scheduler", "backup"])
def test_the_commands_the_units_start_exist(command):
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", command, "--help"],
        cwd=ROOT,
        env={**os.environ, "SPIEGEL_ENV": "test"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
