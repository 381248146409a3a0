# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real ansible-rulebook (.venvs/eda) against an in-process simulator (stage eda of scripts/test).

scripts/test sets ZSTACK_EDA_VENV (the venv with ansible-rulebook and its own ansible-core) and
ANSIBLE_COLLECTIONS_PATH (the folder that holds the build copy's ansible_collections/).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

SIM_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "simulator"))
if SIM_DIR not in sys.path:
    sys.path.insert(0, SIM_DIR)

from zstack_simulator.fleet import V632, fixed_uuid  # noqa: E402  pylint: disable=wrong-import-position
from zstack_simulator.server import SimulatorServer  # noqa: E402  pylint: disable=wrong-import-position

#: a host with no VM on it, Matched at the start (cluster-1a of the demo fleet)
DRIFT_HOST = "7e57ab1e000000000000000000000007"
DRIFT_FLEET = {
    "fleet": "demo",
    "hosts": [{"uuid": DRIFT_HOST, "name": "kvm-7", "clusterUuid": fixed_uuid("demo", "cluster-1a"), "managementIp": "10.0.1.17",
               "architecture": "x86_64", "osDistribution": "centos", "osVersion": "7.9.2009", "qemuVersion": V632}],
}
INVENTORY = """all:
  hosts:
    localhost:
      ansible_connection: local
      ansible_python_interpreter: "{{ ansible_playbook_python }}"
"""


class Rulebook:
    """One ansible-rulebook process running zstack.cloud.continuous_compliance; its output goes to a file."""

    def __init__(self, venv: str, workdir, sim_url: str, variables: dict) -> None:
        self.log = workdir / "ansible-rulebook.log"
        (workdir / "inventory.yml").write_text(INVENTORY, encoding="utf-8")
        (workdir / "vars.yml").write_text("".join(f"{k}: {v!r}\n" for k, v in variables.items()), encoding="utf-8")
        env = dict(os.environ)
        env.update({
            "PATH": os.path.join(venv, "bin") + os.pathsep + env.get("PATH", ""),
            "VIRTUAL_ENV": venv,
            "ZSTACK_API_URL": sim_url,
            "ZSTACK_ACCOUNT_NAME": "admin",
            "ZSTACK_PASSWORD": "password",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCAL_TEMP": str(workdir / "ansible-tmp"),
        })
        env.pop("PYTHONPATH", None)
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
                [os.path.join(venv, "bin", "ansible-rulebook"), "-r", "zstack.cloud.continuous_compliance",
                 "-i", "inventory.yml", "-e", "vars.yml", "--print-events"],
                cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, pattern: str, timeout: float, what: str) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.text(), re.S)
            if found:
                return found
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        raise AssertionError(f"{what}: not seen within {timeout}s (ansible-rulebook exit {self.proc.poll()}); its output:\n"
                             + self.text()[-6000:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


@pytest.fixture
def eda_venv() -> str:
    venv = os.environ.get("ZSTACK_EDA_VENV")
    if not venv or not os.path.exists(os.path.join(venv, "bin", "ansible-rulebook")):
        pytest.fail("ZSTACK_EDA_VENV names no venv with ansible-rulebook: run these tests with scripts/test --only eda")
    if not os.environ.get("ANSIBLE_COLLECTIONS_PATH"):
        pytest.fail("ANSIBLE_COLLECTIONS_PATH must name the folder that holds ansible_collections/zstack/cloud")
    return venv


@pytest.fixture
def drift_host() -> str:
    return DRIFT_HOST


@pytest.fixture
def drift_sim():
    server = SimulatorServer(seed=DRIFT_FLEET)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def rulebook(eda_venv, drift_sim, tmp_path):
    started = []

    def start(**variables) -> Rulebook:
        book = Rulebook(eda_venv, tmp_path, drift_sim.url, variables)
        started.append(book)
        return book

    yield start
    for book in started:
        book.stop()
