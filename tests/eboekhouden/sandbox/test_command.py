"""``manage.py eboekhouden_sandbox`` starts the sandbox and prints how to reach it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[3]


def run_command(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "eboekhouden_sandbox",
            "--port",
            "0",
            "--mutations",
            "40",
            "--seed",
            "5",
            "--end-date",
            "2025-12-31",
            *args,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_the_command_prints_one_json_object_with_urls_and_credentials() -> None:
    process = run_command("--json", "--administrations", "2")
    try:
        summary = json.loads(process.stdout.readline())
        assert [len(a["apiToken"]) for a in summary["administrations"]] == [48, 48]
        assert {"restUrl", "soapUrl", "wsdlUrl", "controlUrl"} <= set(summary)
        wsdl = requests.get(summary["wsdlUrl"], timeout=10)
        assert summary["soapUrl"] in wsdl.text
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_command_prints_a_table_for_people() -> None:
    process = run_command("--administrations", "1")
    try:
        lines = [process.stdout.readline() for _ in range(7)]
        assert lines[1].strip().startswith("REST") and "/v1/" in lines[1]
        assert lines[2].strip().startswith("SOAP") and "/soap.asmx" in lines[2]
        assert "apiToken" in lines[5] and "securityCode2" in lines[5]
    finally:
        process.terminate()
        process.wait(timeout=10)
