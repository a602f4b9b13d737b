"""A fleet: many administrations on logins of their own, long-tailed sizes that add up, the same for a seed."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from eboekhouden.sandbox.fleet import FleetSpec, fleet_sizes

from .helpers import Rest, soap_login, soap_service

ROOT = Path(__file__).resolve().parents[3]


def test_the_sizes_add_up_stay_within_bounds_and_have_a_long_tail() -> None:
    sizes = fleet_sizes(FleetSpec(300, 300_000, minimum=50, maximum=20_000, seed=1))
    assert len(sizes) == 300
    assert abs(sum(sizes) - 300_000) <= 3_000  # within 1 % (the sandbox makes it exact)
    assert sum(sizes) == 300_000
    assert min(sizes) >= 50 and max(sizes) <= 20_000
    mean = statistics.mean(sizes)
    assert statistics.median(sizes) < mean / 2  # most administrations are small ...
    assert max(sizes) > 10 * mean  # ... and a few are very large
    assert sum(size >= 5 * mean for size in sizes) < 15


def test_the_sizes_are_the_same_for_a_seed_and_differ_for_another() -> None:
    spec = FleetSpec(50, 40_000, minimum=20, maximum=5_000, seed=7)
    assert fleet_sizes(spec) == fleet_sizes(spec)
    assert fleet_sizes(spec) != fleet_sizes(FleetSpec(50, 40_000, minimum=20, maximum=5_000, seed=8))


@pytest.mark.parametrize(
    ("count", "total", "minimum", "maximum"), [(10, 400, 50, 1000), (10, 20_000, 50, 1000), (0, 0, 0, 0)]
)
def test_sizes_that_cannot_add_up_are_refused(count: int, total: int, minimum: int, maximum: int) -> None:
    with pytest.raises(ValueError):
        fleet_sizes(FleetSpec(count, total, minimum, maximum))


def test_a_sandbox_with_a_fleet_has_an_own_login_and_key_per_administration(eboekhouden_sandbox_factory) -> None:
    fleet = dict(administrations=0, fleet=12, fleet_mutations=2_400, fleet_min=20, fleet_max=1_000, fleet_seed=3)
    sandbox = eboekhouden_sandbox_factory(**fleet)
    admins = sandbox.administrations
    assert len(admins) == 12
    assert sum(a.mutations for a in admins) == 2_400
    assert [a.mutations for a in admins] == fleet_sizes(FleetSpec(12, 2_400, 20, 1_000, 3))
    assert len({a.account for a in admins}) == len({a.username for a in admins}) == len({a.api_token for a in admins})
    assert len({a.account for a in admins}) == 12 and not any(a.accountant for a in admins)
    big = max(admins, key=lambda a: a.mutations)
    rest = Rest(sandbox, big)
    assert rest.json("/v1/administration/linked")["items"] == [{"guid": big.guid, "company": big.company}]
    assert rest.json("/v1/mutation", limit=1)["count"] > big.mutations
    service = soap_service(sandbox)
    result = service.GetAdministraties(SessionID=soap_login(service, big), SecurityCode2=big.security_code_2)
    assert [a.Guid for a in result.Administraties.cAdministratie] == [big.guid]

    again = eboekhouden_sandbox_factory(**fleet)
    assert again.administrations == admins
    assert again.truth(big.guid) == sandbox.truth(big.guid)


def test_the_control_api_adds_a_fleet_once_per_seed(eboekhouden_sandbox_factory) -> None:
    sandbox = eboekhouden_sandbox_factory(administrations=1, mutations=20)
    url = f"{sandbox.control_url}/fleet"
    body = {"count": 5, "totalMutations": 600, "minimum": 30, "maximum": 400, "seed": 9}
    answer = requests.post(url, json=body, timeout=60)
    assert answer.status_code == 201
    added = answer.json()
    assert len(added) == 5 and sum(a["mutations"] for a in added) == 600
    assert [a.guid for a in sandbox.administrations[1:]] == [a["guid"] for a in added]
    assert requests.post(url, json=body, timeout=60).status_code == 400  # the same GUIDs and keys again
    assert requests.post(url, json={**body, "totalMutations": 10}, timeout=60).status_code == 400
    infos = sandbox.add_fleet(count=2, total_mutations=100, minimum=10, maximum=90, seed=10)
    assert sum(info.mutations for info in infos) == 100 and len(sandbox.administrations) == 8


def test_the_command_starts_a_fleet_with_limits_and_writes_its_summary(tmp_path: Path) -> None:
    out = tmp_path / "fleet.json"
    command = [sys.executable, "-m", "eboekhouden.sandbox", "--port", "0", "--json", "--end-date", "2025-12-31"]
    command += ["--fleet", "6", "--fleet-mutations", "900", "--fleet-min", "40", "--fleet-seed", "2"]
    command += ["--fleet-out", str(out), "--max-in-flight", "64", "--soap-calls-per-month", "5000"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        summary = json.loads(process.stdout.readline())
        assert len(summary["administrations"]) == 6  # a fleet alone: no default administrations beside it
        assert sum(a["mutations"] for a in summary["administrations"]) == 900
        assert (summary["limits"]["maxInFlight"], summary["limits"]["soapCallsPerMonth"]) == (64, 5000)
        assert json.loads(out.read_text()) == summary
        assert requests.get(f"{summary['controlUrl']}/stats", timeout=10).json()["calls"] == 0
    finally:
        process.terminate()
        process.wait(timeout=10)
