# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make the simulator package (tests/simulator/zstack_simulator) importable in unit tests."""

from __future__ import annotations

import os
import sys

SIMULATOR_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', 'simulator'))
if SIMULATOR_DIR not in sys.path:
    sys.path.insert(0, SIMULATOR_DIR)
