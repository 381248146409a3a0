# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rulebook zstack.cloud.continuous_compliance under the real ansible-rulebook, against the simulator.

A host is upgraded behind the collection's back (the control plane installs another qemu-kvm and the
host reconnects); the source's event reaches the rulebook, and the playbook acts on that host only.
"""

from __future__ import annotations

import json
import time

import requests

from zstack_simulator.fleet import V627, V632

BASELINE = r"'type': 'baseline'"


def _drift_event(uuid, before="Matched", after="Unmatched") -> str:
    """The pretty-printed event of ansible-rulebook --print-events (keys sorted)."""
    return r"'after': '%s'.*?'before': '%s'.*?'type': 'drift',\s*'uuid': '%s'" % (after, before, uuid)


def _drift(sim, uuid) -> None:
    rsp = requests.post(f"{sim.url}/_sim/hosts/{uuid}/qemu", json={"qemuVersion": V627}, timeout=10)
    assert rsp.status_code == 200, rsp.text


def _report(path, timeout: float, book) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            book.wait_for(r"PLAY RECAP", 60, "the end of the playbook run")
            return json.loads(path.read_text(encoding="utf-8"))
        time.sleep(1)
    raise AssertionError(f"no report {path} within {timeout}s; ansible-rulebook's output:\n{book.text()[-6000:]}")


def _record(sim, uuid):
    with sim.backend.lock:
        return sim.backend.records.get(uuid), sim.backend.host_sw[uuid]["qemuVersion"]


def test_drift_runs_the_check_playbook_for_that_host_only(rulebook, drift_sim, drift_host, tmp_path):
    reports = tmp_path / "reports"
    book = rulebook(zstack_drift_interval=1, zstack_drift_report_dir=str(reports))
    book.wait_for(BASELINE, 120, "the baseline event")
    assert not reports.exists()  # the fleet already has non-compliant resources: the baseline starts no run
    mutating = drift_sim.backend.counters_snapshot()["mutating_requests"]
    _drift(drift_sim, drift_host)
    book.wait_for(_drift_event(drift_host), 60, "the drift event of the upgraded host")
    report = _report(reports / "virtualizer-compliance.json", 120, book)
    # exactly the drifted host, although kvm-3, vm-4, ... of the demo fleet are not compliant either
    assert sorted(report["resources"]) == [drift_host]
    assert report["resources"][drift_host]["after"]["verdict"] == "Unmatched"
    assert report["compliant"] is False
    assert report["remediate"] is False
    assert "PLAY [Check and report the qemu-kvm compliance" in book.text()  # zstack.cloud.compliance_check
    # the check changed nothing
    assert drift_sim.backend.counters_snapshot()["mutating_requests"] == mutating
    assert _record(drift_sim, drift_host) == (V627, V627)


def test_remediation_on_brings_the_host_back_to_matched(rulebook, drift_sim, drift_host, tmp_path):
    reports = tmp_path / "reports"
    book = rulebook(zstack_drift_interval=1, zstack_drift_report_dir=str(reports), zstack_drift_remediate=True,
                    zstack_drift_max_actions=2)
    book.wait_for(BASELINE, 120, "the baseline event")
    _drift(drift_sim, drift_host)
    book.wait_for(_drift_event(drift_host), 60, "the drift event of the upgraded host")
    report = _report(reports / "virtualizer-compliance.json", 240, book)
    assert sorted(report["resources"]) == [drift_host]
    assert report["remediate"] is True
    assert "PLAY [Remediate the qemu-kvm compliance" in book.text()  # zstack.cloud.compliance_remediate
    assert report["compliant"] is True, json.dumps(report, indent=1)[:3000]
    assert _record(drift_sim, drift_host) == (V632, V632)
    actions = drift_sim.backend.counters_snapshot()["actions"]
    assert actions.get("updateClusterOS") == 1, actions  # one host, one upgrade: the one run the drift started
    # the source sees the host Matched again: a compliant drift event, which starts no other run
    book.wait_for(_drift_event(drift_host, before="Unmatched", after="Matched"), 60,
                  "the event of the host back to Matched")
    assert book.text().count("PLAY RECAP") == 1
