"""The filesystem broker of `make run` hands a worker only whole messages (core/kombu_compat.py):
a worker that took a half-written file stopped for good and the message was lost."""
from __future__ import annotations

import json
import os


def test_a_worker_of_the_filesystem_broker_never_sees_a_message_before_it_is_whole(tmp_path):
    from unittest import mock

    from kombu import Connection

    from core import kombu_compat

    kombu_compat.install()
    folder = tmp_path / "queue"
    folder.mkdir()
    real_replace = os.replace
    seen_at_rename = []

    def replace(source, destination):
        seen_at_rename.append((sorted(os.listdir(folder)), json.loads(open(source, "rb").read())["body"]))
        real_replace(source, destination)

    options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    with Connection("filesystem://", transport_options=options) as connection, \
            mock.patch("core.kombu_compat.os.replace", side_effect=replace):
        queue = connection.SimpleQueue("notifications")
        queue.put({"delivery_id": 7})
        [(names_before, _body)] = seen_at_rename
        assert [name.endswith(".notifications.msg.part") for name in names_before] == [True]  # not yet visible
        assert [name.endswith(".notifications.msg") for name in os.listdir(folder)] == [True]
        assert queue.get(timeout=1).payload == {"delivery_id": 7}
        queue.close()
