"""Delivering webhooks (``imagify.webhooks.transport``): what a user's URL may not reach, and one POST to it.

Names are answered by a fake resolver (``socket.getaddrinfo`` patched; a name it does not know does not resolve).
The unit layer's sockets are let through here for loopback only: the receivers are real servers on 127.0.0.1.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import pytest_socket
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from standardwebhooks.webhooks import Webhook

from imagify.webhooks import signing, transport

pytestmark = pytest.mark.enable_socket  # (and restricted to loopback by `loopback_only`)

PUBLIC = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"
BODY = b'{"type":"generation.completed","data":{"id":"9f1c"}}'


# -- a fake resolver and real receivers -----------------------------------------------------------------


class FakeDns:
    """Names and their addresses; ``then`` answers every lookup after the first (a rebinding name)."""

    def __init__(self) -> None:
        self.answers: dict[str, list[str]] = {}
        self.later: dict[str, list[str]] = {}
        self.lookups: list[str] = []

    def add(self, name: str, *addresses: str, then: list[str] | None = None) -> None:
        self.answers[name] = list(addresses)
        if then is not None:
            self.later[name] = then

    def getaddrinfo(self, host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0):
        name = host.decode() if isinstance(host, bytes) else str(host)
        found = self.later.get(name, self.answers.get(name)) if name in self.lookups else self.answers.get(name)
        self.lookups.append(name)
        if not found:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))
            for address in found
        ]


@pytest.fixture(autouse=True)
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    fake = FakeDns()
    fake.add("example.com", PUBLIC)
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    return fake


@pytest.fixture(autouse=True)
def loopback_only() -> None:
    # pytest-socket undoes it after each test.
    pytest_socket.socket_allow_hosts(["127.0.0.1", "::1"])


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        self.server.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        self.server.respond(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, respond: Callable[[Handler], None], context: ssl.SSLContext | None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.respond = respond
        self.received: list[Received] = []
        self.release = threading.Event()  # set when the test ends: a handler that waits stops waiting
        if context is not None:
            self.socket = context.wrap_socket(self.socket, server_side=True)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # (not HTTPServer's: it looks up the host's name)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up, by design here

    @property
    def port(self) -> int:
        return self.server_port


@pytest.fixture
def serve() -> Iterator[Callable[..., Receiver]]:
    running: list[tuple[Receiver, threading.Thread]] = []

    def start(respond: Callable[[Handler], None], context: ssl.SSLContext | None = None) -> Receiver:
        server = Receiver(respond, context)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        running.append((server, thread))
        return server

    yield start
    for server, thread in running:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)


def answer(status: int, body: bytes = b"", **headers: str) -> Callable[[Handler], None]:
    def respond(handler: Handler) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return respond


def sign(secret: str) -> dict[str, str]:
    return signing.headers([secret], "msg_1", int(time.time()), BODY)


# -- what a URL may not reach ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://example.com/hook", "webhook URLs must use https"),
        ("ftp://example.com/hook", "webhook URLs must use https"),
        ("https://user:pass@example.com/hook", "may not carry a user name or password"),
        ("https://example.com:0/", "port must be a number from 1 to 65535"),
        ("https://example.com:70000/", "port must be a number from 1 to 65535"),
        ("https:///hook", "webhook URLs need a host"),
        ("https://example.com/a b", "may not contain spaces or control characters"),
        ("https://example.com/" + "a" * 2048, "at most 2048 characters"),
        ("https://10.0.0.5/", "the host is a private address (10.0.0.5), which webhooks may not reach"),
        ("https://172.16.0.1/", "a private address (172.16.0.1)"),
        ("https://192.168.1.1/", "a private address (192.168.1.1)"),
        ("https://127.0.0.1/", "a loopback address (127.0.0.1)"),
        ("https://169.254.169.254/latest/meta-data/", "the cloud metadata service's address (169.254.169.254)"),
        ("https://169.254.1.1/", "a link-local address (169.254.1.1)"),
        ("https://100.64.0.1/", "a shared (carrier-grade NAT) address (100.64.0.1)"),
        ("https://0.0.0.0/", "an unspecified address (0.0.0.0)"),
        ("https://224.0.0.1/", "a multicast address (224.0.0.1)"),
        ("https://240.0.0.1/", "(240.0.0.1)"),
        ("https://[::1]/", "a loopback address (::1)"),
        ("https://[::]/", "an unspecified address (::)"),
        ("https://[fe80::1]/", "a link-local address (fe80::1)"),
        ("https://[fd00:ec2::254]/", "the cloud metadata service's address (fd00:ec2::254)"),
        ("https://[fd12:3456::1]/", "a private address (fd12:3456::1)"),
        ("https://[::ffff:10.0.0.1]/", "a private address (10.0.0.1)"),
        ("https://[::ffff:169.254.169.254]/", "the cloud metadata service's address (169.254.169.254)"),
        ("https://[2002:a00:1::]/", "(2002:a00:1::)"),  # 6to4 of 10.0.0.1
        ("https://[64:ff9b::a00:1]/", "a non-public IPv4 address inside an IPv6 one (64:ff9b::a00:1)"),  # NAT64
        ("https://nowhere.example/", "the host does not resolve"),
    ],
)
def test_a_url_that_could_reach_inside_is_refused(url: str, why: str):
    with pytest.raises(transport.RefusedUrl) as refused:
        transport.addresses(url)
    assert why in str(refused.value)


def test_a_name_is_refused_when_any_of_its_addresses_is_not_public(dns: FakeDns):
    dns.add("internal.example", "10.0.0.5")
    dns.add("mixed.example", PUBLIC, "192.168.0.10")

    with pytest.raises(transport.RefusedUrl) as refused:
        transport.addresses("https://internal.example/hook")
    assert str(refused.value) == "the host resolves to a private address (10.0.0.5), which webhooks may not reach"
    with pytest.raises(transport.RefusedUrl, match=r"a private address \(192\.168\.0\.10\)"):
        transport.addresses("https://mixed.example/hook")


def test_a_public_https_url_is_taken_with_its_addresses(dns: FakeDns):
    dns.add("dual.example", PUBLIC, PUBLIC_V6)

    assert transport.addresses("https://example.com/hooks/imagify?x=1#top") == [ipaddress.ip_address(PUBLIC)]
    assert transport.addresses("HTTPS://dual.example:8443/") == [
        ipaddress.ip_address(PUBLIC),
        ipaddress.ip_address(PUBLIC_V6),
    ]
    assert transport.addresses(f"https://[{PUBLIC_V6}]/") == [ipaddress.ip_address(PUBLIC_V6)]


def test_the_local_stack_may_use_loopback_and_plain_http_to_it_only(dns: FakeDns):
    dns.add("localhost", "127.0.0.1", "::1")
    dns.add("split.example", "127.0.0.1", PUBLIC)

    assert transport.addresses("http://localhost:8080/hook", allow_loopback_http=True) == [
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    ]
    assert transport.addresses("https://127.0.0.1/", allow_loopback_http=True) == [ipaddress.ip_address("127.0.0.1")]
    with pytest.raises(transport.RefusedUrl, match="must use https"):
        transport.addresses("http://split.example/", allow_loopback_http=True)
    with pytest.raises(transport.RefusedUrl, match="must use https"):
        transport.addresses("http://example.com/", allow_loopback_http=True)
    with pytest.raises(transport.RefusedUrl, match="a private address"):
        transport.addresses("http://10.0.0.1/", allow_loopback_http=True)
    with pytest.raises(transport.RefusedUrl, match="metadata service"):
        transport.addresses("http://169.254.169.254/", allow_loopback_http=True)


def test_a_refused_url_is_an_outcome_not_an_exception():
    outcome = transport.post("https://10.0.0.5/hook", BODY, {})

    assert (outcome.status, outcome.ok) == (None, False)
    assert outcome.error == "the host is a private address (10.0.0.5), which webhooks may not reach"


# -- delivering -----------------------------------------------------------------------------------------


def test_a_delivery_arrives_intact_at_the_checked_address(serve: Callable[..., Receiver], dns: FakeDns):
    # Given a name that resolves to the receiver once, and elsewhere at any later lookup
    receiver = serve(answer(204))
    dns.add("hooks.example", "127.0.0.1", then=["203.0.113.7"])
    secret = signing.new_secret()

    outcome = transport.post(
        f"http://hooks.example:{receiver.port}/in/imagify?source=test#ignored",
        BODY,
        sign(secret),
        allow_loopback_http=True,
    )

    # Then it came to the address checked, looked up once (http.client never resolved the name again)
    assert (outcome.ok, outcome.status, outcome.error) == (True, 204, None)
    assert dns.lookups == ["hooks.example"]
    [received] = receiver.received
    assert received.path == "/in/imagify?source=test"
    assert received.body == BODY
    assert received.headers["host"] == f"hooks.example:{receiver.port}"
    assert received.headers["user-agent"] == "Imagify-Webhooks/1.0"
    assert received.headers["content-type"] == "application/json"
    assert Webhook(secret).verify(received.body, received.headers) == {
        "type": "generation.completed",
        "data": {"id": "9f1c"},
    }


def test_the_next_address_is_tried_when_one_does_not_take_the_connection(serve: Callable[..., Receiver], dns: FakeDns):
    receiver = serve(answer(200))
    dns.add("localhost", "::1", "127.0.0.1")  # (the receiver listens on IPv4 only)

    outcome = transport.post(f"http://localhost:{receiver.port}/", BODY, {}, allow_loopback_http=True)

    assert outcome.ok
    assert len(receiver.received) == 1


def test_a_name_rebound_inside_after_its_check_is_refused_at_delivery(serve: Callable[..., Receiver], dns: FakeDns):
    receiver = serve(answer(200))
    dns.add("rebind.example", PUBLIC, then=["127.0.0.1"])
    dns.add("rebind-private.example", PUBLIC, then=["10.0.0.1"])
    url = f"https://rebind.example:{receiver.port}/"
    assert transport.addresses(url)  # public when registered

    outcome = transport.post(url, BODY, {})

    assert (outcome.status, outcome.error) == (
        None,
        "the host resolves to a loopback address (127.0.0.1), which webhooks may not reach",
    )
    private = f"https://rebind-private.example:{receiver.port}/"
    assert transport.addresses(private, allow_loopback_http=True)
    assert "a private address (10.0.0.1)" in str(transport.post(private, BODY, {}, allow_loopback_http=True).error)
    assert receiver.received == []


def test_an_error_status_is_a_failure_with_its_status(serve: Callable[..., Receiver]):
    receiver = serve(answer(500, b"Traceback (most recent call last): secret internals"))

    outcome = transport.post(f"http://127.0.0.1:{receiver.port}/", BODY, {}, allow_loopback_http=True)

    assert (outcome.ok, outcome.status, outcome.error) == (False, 500, "answered 500")


def test_a_redirect_is_not_followed(serve: Callable[..., Receiver]):
    elsewhere = serve(answer(200))
    receiver = serve(answer(302, Location=f"http://127.0.0.1:{elsewhere.port}/"))

    outcome = transport.post(f"http://127.0.0.1:{receiver.port}/", BODY, {}, allow_loopback_http=True)

    assert (outcome.ok, outcome.status) == (False, 302)
    assert outcome.error == "redirected (302); webhooks do not follow redirects"
    assert len(receiver.received) == 1
    assert elsewhere.received == []


def test_a_receiver_slower_than_the_timeout_times_out(serve: Callable[..., Receiver]):
    def stall(handler: Handler) -> None:
        handler.server.release.wait(5)

    receiver = serve(stall)

    outcome = transport.post(f"http://127.0.0.1:{receiver.port}/", BODY, {}, timeout_s=0.5, allow_loopback_http=True)

    assert (outcome.status, outcome.error) == (None, "timed out after 0.5 s")
    assert 450 <= outcome.elapsed_ms < 2000


def test_the_timeout_covers_an_answer_trickled_a_byte_at_a_time(serve: Callable[..., Receiver]):
    # Each byte comes well within the timeout; the answer as a whole never does.
    def trickle(handler: Handler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while not handler.server.release.wait(0.05):
            handler.wfile.write(b"a")

    receiver = serve(trickle)

    outcome = transport.post(f"http://127.0.0.1:{receiver.port}/", BODY, {}, timeout_s=0.5, allow_loopback_http=True)

    assert outcome.error == "timed out after 0.5 s"
    assert outcome.elapsed_ms < 2000


def test_only_the_start_of_a_huge_answer_is_read(serve: Callable[..., Receiver]):
    written: list[int] = []

    def flood(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(1 << 30))
        handler.end_headers()
        chunk = b"x" * 65536
        for _ in range(1 << 14):
            if handler.server.release.is_set():
                break
            handler.wfile.write(chunk)
            written.append(len(chunk))

    receiver = serve(flood)

    outcome = transport.post(f"http://127.0.0.1:{receiver.port}/", BODY, {}, timeout_s=5, allow_loopback_http=True)

    assert (outcome.ok, outcome.status) == (True, 200)
    assert outcome.elapsed_ms < 2000
    assert sum(written) < 1 << 30


def test_nothing_listening_is_a_refused_connection():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    outcome = transport.post(f"http://127.0.0.1:{port}/", BODY, {}, allow_loopback_http=True)

    assert (outcome.status, outcome.error) == (None, "connection refused")


# -- TLS: the certificate is checked for the URL's name, on the pinned address ---------------------------


@dataclass
class Certificates:
    ca_pem: bytes
    chain: Path
    key: Path


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A test CA and a certificate it issued for ``localhost``."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Imagify test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )  # digital_signature, key_cert_sign, crl_sign
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    chain, key_file = folder / "chain.pem", folder / "key.pem"
    chain.write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return Certificates(ca.public_bytes(serialization.Encoding.PEM), chain, key_file)


@pytest.fixture
def tls_receiver(serve: Callable[..., Receiver], certificates: Certificates) -> tuple[Receiver, list[str | None]]:
    """An https receiver on 127.0.0.1 and the names its clients asked for (SNI)."""
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates.chain, certificates.key)
    context.sni_callback = lambda _socket, name, _context: names.append(name)
    return serve(answer(200), context), names


def test_https_checks_the_certificate_for_the_name_on_the_pinned_address(
    tls_receiver: tuple[Receiver, list[str | None]], certificates: Certificates, dns: FakeDns
):
    receiver, names = tls_receiver
    dns.add("localhost", "127.0.0.1")
    trusting = ssl.create_default_context(cadata=certificates.ca_pem.decode())

    outcome = transport.post(
        f"https://localhost:{receiver.port}/hook", BODY, {}, allow_loopback_http=True, context=trusting
    )

    assert (outcome.ok, outcome.status) == (True, 200)
    assert names == ["localhost"]
    assert receiver.received[0].headers["host"] == f"localhost:{receiver.port}"


def test_https_to_a_certificate_not_trusted_or_not_for_the_name_fails_its_handshake(
    tls_receiver: tuple[Receiver, list[str | None]], certificates: Certificates, dns: FakeDns
):
    receiver, _ = tls_receiver
    dns.add("localhost", "127.0.0.1")
    dns.add("other.localhost", "127.0.0.1")
    trusting = ssl.create_default_context(cadata=certificates.ca_pem.decode())

    untrusted = transport.post(f"https://localhost:{receiver.port}/", BODY, {}, allow_loopback_http=True)
    misnamed = transport.post(
        f"https://other.localhost:{receiver.port}/", BODY, {}, allow_loopback_http=True, context=trusting
    )

    assert (untrusted.status, untrusted.error) == (None, "TLS handshake failed")
    assert (misnamed.status, misnamed.error) == (None, "TLS handshake failed")
    assert receiver.received == []
