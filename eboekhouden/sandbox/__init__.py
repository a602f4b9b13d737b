"""The e-Boekhouden sandbox: a fake e-Boekhouden (REST and SOAP) on loopback, with generated books.

    from eboekhouden.sandbox import Sandbox, SandboxConfig
    sandbox = Sandbox.start(SandboxConfig(seed=7, mutations=500))
    sandbox.rest_url, sandbox.soap_url, sandbox.administrations[0].api_token
    sandbox.stop()

See docs/sandbox.md for what it serves and every assumption it makes where the contracts are silent.
"""

from __future__ import annotations

from .model import AdministrationInfo
from .server import Sandbox, SandboxConfig

__all__ = ["AdministrationInfo", "Sandbox", "SandboxConfig"]
