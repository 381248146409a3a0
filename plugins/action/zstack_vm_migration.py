# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of zstack.cloud.zstack_vm_migration: runs the module and prints its progress while it waits.

The logic is shared by every module that waits for ZStack jobs: plugins/plugin_utils/_waiting.py.
"""

from __future__ import annotations

from ansible_collections.zstack.cloud.plugins.plugin_utils._waiting import WaitingAction


class ActionModule(WaitingAction):
    """zstack.cloud.zstack_vm_migration with progress lines."""
