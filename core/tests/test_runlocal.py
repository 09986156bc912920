import socket

import pytest
from django.core.management import CommandError, call_command

from core.management.commands.runlocal import port_is_free


def test_port_is_free_sees_a_listening_socket():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        assert not port_is_free(port)


def test_runlocal_refuses_a_busy_port_with_a_clear_message_before_starting_anything():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        with pytest.raises(CommandError) as excinfo:
            call_command("runlocal", port=port, no_seed=True)

    message = str(excinfo.value)
    assert f"Port {port} (server)" in message
    assert "already in use" in message
    assert "RUN_PORT=" in message
