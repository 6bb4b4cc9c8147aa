"""The unit layer's own promise: nothing under tests/unit can open a socket."""

import socket

import pytest
from pytest_socket import SocketBlockedError

# pytest-socket warns as it refuses; here the refusal is the point.
pytestmark = pytest.mark.filterwarnings("ignore:A test tried to use socket")


def test_a_unit_test_cannot_open_a_socket():
    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)


def test_a_unit_test_cannot_resolve_a_host():
    with pytest.raises(SocketBlockedError):
        socket.getaddrinfo("localhost", 5432)
