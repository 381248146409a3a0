# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A faithful ZStack REST API simulator for the zstack.cloud collection's tests and demos."""

from __future__ import annotations

__all__ = ["Backend", "SimulatorServer"]

from .models import Backend
from .server import SimulatorServer
