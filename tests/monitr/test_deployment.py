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
