# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CLI: python -m zstack_simulator --host 127.0.0.1 --port 0 --seed demo [--port-file F] [--tls-cert C --tls-key K] [--request-log]"""

from __future__ import annotations

import argparse
import gc
import ipaddress
import signal
import sys
import threading

from .server import SimulatorServer


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zstack_simulator", description="ZStack REST API simulator")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port (0 = pick a free one)")
    parser.add_argument("--seed", default="demo", help="demo | seed-page | empty | /path/fleet.json")
    parser.add_argument("--port-file", help="write the base URL here (one line) once listening")
    parser.add_argument("--tls-cert", help="PEM certificate (serve HTTPS)")
    parser.add_argument("--tls-key", help="PEM private key")
    parser.add_argument("--request-log", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    if not _is_loopback(args.host):
        parser.error(f"refusing to listen on {args.host}: only loopback addresses are allowed")
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    ssl_context = (args.tls_cert, args.tls_key) if args.tls_cert else None
    try:
        server = SimulatorServer(args.host, args.port, seed=args.seed, ssl_context=ssl_context, request_log=args.request_log)
    except ValueError as exc:
        parser.error(str(exc))
    stop = threading.Event()

    def _on_signal(_signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    gc.freeze()  # the seeded fleet lives as long as the process: keep it out of every garbage collection
    server.start()
    print(f"ZStack simulator listening on {server.url}", flush=True)
    if args.port_file:
        with open(args.port_file, "w", encoding="utf-8") as fobj:
            fobj.write(server.url + "\n")
    while not stop.wait(0.5):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
