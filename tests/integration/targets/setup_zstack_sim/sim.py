"""Call the simulator's control plane: sim.py URL METHOD PATH [JSON]; prints the answer's text (JSON)."""
import sys
from urllib.request import Request, urlopen

url, method, path = sys.argv[1:4]
body = sys.argv[4].encode('utf-8') if len(sys.argv) > 4 else None
request = Request(url.rstrip('/') + path, data=body, method=method, headers={'Content-Type': 'application/json'})
with urlopen(request, timeout=30) as answer:  # nosec - a local test simulator
    print(answer.read().decode('utf-8'))
