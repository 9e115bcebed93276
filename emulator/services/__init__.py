"""The emulated services. The router tries them in this order on a bare address (see emulator/routing.py)."""

from __future__ import annotations

from emulator.services.ci.service import CiService
from emulator.services.cos.service import CosService
from emulator.services.smh.service import SmhService
from emulator.services.smhdata.service import SmhDataService

SERVICES = (CosService, SmhService, CiService, SmhDataService)
