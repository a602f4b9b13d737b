"""docker-compose.yml and .env.example: the web port only on the loopback address, behind the proxy that
TRUSTED_PROXIES names."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_every_published_port_is_on_the_loopback_address():
    published = [port for service in compose()["services"].values() for port in service.get("ports", [])]

    assert published
    assert all(port.startswith("127.0.0.1:") for port in published), published


def test_the_example_trusts_the_gateway_of_the_compose_network_and_nothing_wider():
    subnet = re.fullmatch(r"\$\{MONITR_SUBNET:-(.+)\}", compose()["networks"]["default"]["ipam"]["config"][0]["subnet"])
    assert subnet, "the compose network's subnet must have a default"
    gateway = next(ipaddress.ip_network(subnet.group(1)).hosts())  # docker gives the network's first address to it
    env = env_example()

    assert env["BEHIND_TLS_PROXY"] == "true"
    assert env["TRUSTED_PROXIES"] == str(gateway)


def test_the_image_holds_every_package_monitr_installs():
    """``pip install .`` in the Dockerfile installs what was copied before it: a package left out is missing in the
    image, and the app that is one of INSTALLED_APPS does not start."""
    import tomllib

    includes = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.rstrip("*") for pattern in includes}
    dockerfile = (ROOT / "Dockerfile").read_text()
    install = dockerfile.index("RUN pip install .")
    copied = set(re.findall(r"^COPY (\w+) \1$", dockerfile[:install], re.M))

    assert packages <= copied, packages - copied


def test_gunicorn_gives_an_upload_time_and_both_commands_read_its_settings():
    import runpy

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    web = compose()["services"]["web"]["command"][-1]
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert settings["timeout"] >= 120 and settings["bind"] == "0.0.0.0:8000"
    assert "gunicorn.conf.py" in re.search(r"^COPY .*$", dockerfile[dockerfile.index("RUN pip") :], re.M).group(0)
    assert re.search(r"^WORKDIR /app$", dockerfile, re.M)  # where gunicorn looks for gunicorn.conf.py
    for command in (web, dockerfile.splitlines()[-1]):
        assert "gunicorn monitr.wsgi:application" in command.replace('", "', " ")
        assert "--timeout" not in command and "--bind" not in command and " -c " not in command
