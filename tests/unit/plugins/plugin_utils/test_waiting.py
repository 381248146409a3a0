# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The waiting action's choices: the poll interval (task, controller environment, default) and the async limit."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.zstack.cloud.plugins.plugin_utils._waiting import ASYNC_MARGIN, async_limit, poll_interval


def test_poll_interval_from_the_task_then_the_environment_then_the_default():
    assert poll_interval({'poll_interval': 0.5}, {'ZSTACK_POLL_INTERVAL': '3'}) == 0.5
    assert poll_interval({}, {'ZSTACK_POLL_INTERVAL': '3'}) == 3.0
    assert poll_interval({}, {}) == 5.0


@pytest.mark.parametrize('args, environ', [({'poll_interval': 60}, {}), ({}, {'ZSTACK_POLL_INTERVAL': 'often'})])
def test_bad_poll_interval_fails_the_task_naming_option_and_variable(args, environ):
    with pytest.raises(AnsibleActionFail) as err:
        poll_interval(args, environ)
    assert 'poll_interval' in str(err.value) and 'ZSTACK_POLL_INTERVAL' in str(err.value)


def test_async_limit_outlasts_every_wait_of_the_module():
    assert async_limit({'wait_timeout': 100}, 2, 3600) == 200 + ASYNC_MARGIN
    assert async_limit({}, 1, 7200) == 7200 + ASYNC_MARGIN
    assert async_limit({'wait_timeout': '300'}, 1, 3600) == 300 + ASYNC_MARGIN  # a templated value on older cores


@pytest.mark.parametrize('timeout', [0, -5, True, 'soon', None])
def test_async_limit_of_a_bad_wait_timeout_is_none_the_module_reports_it(timeout):
    assert async_limit({'wait_timeout': timeout}, 1, 3600) is None
