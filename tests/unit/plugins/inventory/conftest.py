# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Load the zstack.cloud.zstack inventory plugin through Ansible's plugin loader.

The loader reads the plugin's documentation (with its doc fragments) to know its
options, and that needs Ansible's collection finder. ``ansible-test units``
installs it; under plain pytest (``PYTHONPATH=<dir holding ansible_collections>``)
this conftest installs it, first dropping any ``ansible_collections`` modules that
were imported as a plain namespace package.
"""

from __future__ import annotations

import os
import sys

from ansible.utils.collection_loader import AnsibleCollectionConfig
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder


def _install_collection_finder():
    if AnsibleCollectionConfig.collection_finder is not None:
        return
    paths = []
    for entry in sys.path:
        if entry and os.path.isdir(os.path.join(entry, 'ansible_collections')) and entry not in paths:
            paths.append(entry)
    for name in [m for m in sys.modules if m == 'ansible_collections' or m.startswith('ansible_collections.')]:
        del sys.modules[name]
    _AnsibleCollectionFinder(paths=paths)._install()  # pylint: disable=protected-access


_install_collection_finder()
