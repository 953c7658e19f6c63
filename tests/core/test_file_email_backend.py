"""The development file e-mail backend writes each process's messages to files of its own."""
import os
from email import message_from_bytes
from unittest import mock

from django.core.mail import EmailMessage

from core.emails import FileEmailBackend


def _send(tmp_path, subject: str) -> None:
    backend = FileEmailBackend(file_path=str(tmp_path))
    backend.send_messages([EmailMessage(subject, "Body", "from@example.com", ["to@example.com"])])


def test_two_processes_sending_in_the_same_second_write_two_files(tmp_path):
    with mock.patch("core.emails.os.getpid", return_value=101):
        _send(tmp_path, "First")
    with mock.patch("core.emails.os.getpid", return_value=202):
        _send(tmp_path, "Second")

    files = sorted(tmp_path.glob("*.log"))
    assert len(files) == 2
    assert {path.name.split("-")[3] for path in files} == {"101", "202"}
    subjects = {message_from_bytes(path.read_bytes().split(b"\n" + b"-" * 79)[0])["Subject"] for path in files}
    assert subjects == {"First", "Second"}


def test_the_name_holds_the_process_id(tmp_path):
    _send(tmp_path, "Mine")
    (path,) = tmp_path.glob("*.log")
    assert f"-{os.getpid()}-" in path.name
