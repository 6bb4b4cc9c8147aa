"""Delivering a webhook: one POST to a URL a user gave us, which must not become a way into our own network.

A user chooses the URL, so it may name anything: the instance metadata service (169.254.169.254, fd00:ec2::254),
a database in the VPC, the Lambda extension on localhost. :func:`addresses` takes https only, resolves the host
and refuses it when any of its addresses is not a public one; :func:`post` checks again at delivery (a name that
was public when it was registered may point inside by now: DNS rebinding) and then connects to the very address
it checked, so http.client never resolves the name a second time. TLS still checks the certificate for the name
(SNI too), and the ``Host`` header names it, so the receiver sees an ordinary request.

A delivery is bounded: redirects are never followed (a 3xx could point anywhere), at most ``max_response_bytes``
of the answer are read, and one deadline covers connecting, sending and reading (each socket operation waits at
most what is left of it, so a receiver that trickles its answer a byte at a time cannot hold the function).
What goes wrong is told in our own words, by its class only: never the receiver's body or an exception's text.

Only the standard library, and none of it heavy (http.client loads ssl already); no name resolution at import.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import io
import ipaddress
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote, urlsplit

from imagify import lifecycle

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2048
# Not all of these are flagged the same way by every Python's ipaddress, so they are named here.
_METADATA = (ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"))
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # an IPv4 address in its last 32 bits
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")
# Characters kept as they are when a path or query with non-ASCII characters is percent-encoded.
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"


class RefusedUrl(ValueError):
    """A URL webhooks may not deliver to; the message says why, in words shown to the user."""


@dataclass(frozen=True)
class Outcome:
    """One delivery attempt: the receiver's status (None when none came) and, unless it was a 2xx, what failed."""

    status: int | None
    error: str | None
    elapsed_ms: int

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


class _Target(NamedTuple):
    scheme: str
    host: str  # ASCII (IDNA), without brackets
    port: int
    host_header: str
    path: str  # the request target: path and query
    literal: Address | None  # when the host is an IP address


def addresses(url: str, *, allow_loopback_http: bool = False) -> list[Address]:
    """The addresses a webhook URL may be delivered to, each checked; :class:`RefusedUrl` when it may not be.

    ``allow_loopback_http`` is for the local stack: loopback addresses are then allowed, and plain http too
    when every address of the host is a loopback one. Other private addresses are refused all the same.
    """
    return _checked(_target(url), allow_loopback_http)


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout_s: float = 10.0,
    allow_loopback_http: bool = False,
    max_response_bytes: int = 4096,
    context: ssl.SSLContext | None = None,
) -> Outcome:
    """POST ``body`` to a webhook URL, checked again now and pinned to the checked address; never raises for
    what the network or the receiver does. ``context`` is the TLS context (the system's trust by default)."""
    started = time.monotonic()
    deadline = started + timeout_s

    def outcome(status: int | None, error: str | None) -> Outcome:
        return Outcome(status, error, int((time.monotonic() - started) * 1000))

    try:
        target = _target(url)
        checked = _checked(target, allow_loopback_http)
    except RefusedUrl as refusal:
        return outcome(None, str(refusal))
    tls = (context or _default_context()) if target.scheme == "https" else None
    connection = _PinnedConnection(target, checked, deadline, tls)
    sent = {name: value for name, value in headers.items() if name.lower() != "host"}
    try:
        connection.connect()
        connection.sock.settimeout(_remaining(deadline))
        connection.request("POST", target.path, body=body, headers={**sent, "Host": target.host_header})
        with connection.getresponse() as response:  # (closed here, even when the receiver closes the connection)
            status = response.status
            with contextlib.suppress(OSError, http.client.HTTPException):
                response.read(max_response_bytes)  # (the status has come; what follows is not ours to judge)
    except TimeoutError:
        return outcome(None, f"timed out after {timeout_s:g} s")
    except ConnectionRefusedError:
        return outcome(None, "connection refused")
    except _HandshakeFailed:
        return outcome(None, "TLS handshake failed")
    except (OSError, http.client.HTTPException):
        return outcome(None, "connection failed")
    finally:
        connection.close()
    if 200 <= status < 300:
        return outcome(status, None)
    if 300 <= status < 400:
        return outcome(status, f"redirected ({status}); webhooks do not follow redirects")
    return outcome(status, f"answered {status}")


# -- checking a URL -------------------------------------------------------------------------------------


def _target(url: str) -> _Target:
    """The URL's parts, or :class:`RefusedUrl` for one that is not an http(s) URL to a host of its own."""
    if len(url) > MAX_URL_LENGTH:
        raise RefusedUrl(f"webhook URLs may be at most {MAX_URL_LENGTH} characters")
    if any(character <= " " or character == "\x7f" for character in url):
        raise RefusedUrl("webhook URLs may not contain spaces or control characters")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise RefusedUrl("the URL is not valid") from None
    if parts.scheme not in ("https", "http"):
        raise RefusedUrl("webhook URLs must use https")
    if "@" in parts.netloc:
        raise RefusedUrl("webhook URLs may not carry a user name or password")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise RefusedUrl("the URL's port must be a number from 1 to 65535")
    host = parts.hostname
    if not host:
        raise RefusedUrl("webhook URLs need a host")
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if not host.isascii():  # (only then: the IDNA codec costs a few imports)
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise RefusedUrl("the host is not a valid name") from None
    named = f"[{host}]" if ":" in host else host
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(
        scheme=parts.scheme,
        host=host,
        port=port or (443 if parts.scheme == "https" else 80),
        host_header=named if port is None else f"{named}:{port}",
        path=path if path.isascii() else quote(path, safe=_URL_SAFE),
        literal=literal,
    )


def _checked(target: _Target, allow_loopback_http: bool) -> list[Address]:
    if target.scheme != "https" and not allow_loopback_http:
        raise RefusedUrl("webhook URLs must use https")
    found = [target.literal] if target.literal is not None else _resolve(target.host, target.port)
    for ip in found:
        kind = _forbidden(ip, allow_loopback=allow_loopback_http)
        if kind is not None:
            verb = "is" if target.literal is not None else "resolves to"
            shown = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
            raise RefusedUrl(f"the host {verb} {kind} ({shown}), which webhooks may not reach")
    if target.scheme != "https" and not all(ip.is_loopback for ip in found):
        raise RefusedUrl("webhook URLs must use https")
    return found


def _resolve(host: str, port: int) -> list[Address]:
    """Every address the name has (over TCP), in the resolver's order, each once."""
    lifecycle.refuse_offline("DNS lookup")
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise RefusedUrl("the host does not resolve") from None
    found: list[Address] = []
    for family, _, _, _, sockaddr in answers:
        if family in (socket.AF_INET, socket.AF_INET6):
            ip = ipaddress.ip_address(str(sockaddr[0]))
            if ip not in found:
                found.append(ip)
    if not found:
        raise RefusedUrl("the host does not resolve")
    return found


def _forbidden(ip: Address, *, allow_loopback: bool) -> str | None:
    """What makes an address one webhooks may not reach (None for a public one), as the user is told."""
    if ip in _METADATA:
        return "the cloud metadata service's address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # the socket reaches the IPv4 address itself
            return _forbidden(ip.ipv4_mapped, allow_loopback=allow_loopback)
        for embedded in _embedded_ipv4(ip):
            if _forbidden(embedded, allow_loopback=False) is not None:
                return "a non-public IPv4 address inside an IPv6 one"
        if ip in _LOCAL_NAT64:
            return "a local translation address"
        if ip.is_site_local:
            return "a site-local address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip in _SHARED:
        return "a shared (carrier-grade NAT) address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "a non-public address"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses a 6to4, Teredo or NAT64 address leads to."""
    embedded = [ip.sixtofour] if ip.sixtofour is not None else []
    if ip.teredo is not None:
        embedded += ip.teredo
    if ip in _NAT64:
        embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return embedded


# -- delivering -----------------------------------------------------------------------------------------


class _HandshakeFailed(Exception):
    pass


@functools.cache
def _default_context() -> ssl.SSLContext:
    """The system's trust, loaded once per execution environment (loading it costs a few milliseconds)."""
    return ssl.create_default_context()


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


class _PinnedConnection(http.client.HTTPConnection):
    """A connection for one URL made to its checked addresses, never to what its name resolves to now."""

    def __init__(self, target: _Target, checked: list[Address], deadline: float, tls: ssl.SSLContext | None) -> None:
        super().__init__(target.host, target.port)
        self._checked = checked
        self._deadline = deadline
        self._tls = tls
        self.response_class = _deadline_response(deadline)

    def connect(self) -> None:
        """The first checked address that takes the connection; then TLS for the URL's name, if https."""
        failure: OSError = ConnectionError("no address to connect to")
        for ip in self._checked:
            try:
                sock = self._connected(ip)
            except TimeoutError:
                raise  # (the deadline has passed: no time for the next address)
            except OSError as error:
                failure = error
                continue
            break
        else:
            raise failure
        if self._tls is None:
            self.sock = sock
            return
        try:
            sock.settimeout(_remaining(self._deadline))
            self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        except (ssl.SSLError, ValueError):  # (certificate errors included; a name TLS cannot encode)
            sock.close()
            raise _HandshakeFailed from None
        except BaseException:
            sock.close()
            raise

    def _connected(self, ip: Address) -> socket.socket:
        sock = socket.socket(socket.AF_INET6 if ip.version == 6 else socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.settimeout(_remaining(self._deadline))
            sock.connect((str(ip), self.port))
        except BaseException:
            sock.close()
            raise
        return sock


class _DeadlineReader(io.RawIOBase):
    """A socket's reads, each waiting at most until the deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)  # (holds the socket open while the answer is read)
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        self._sock.settimeout(_remaining(self._deadline))
        return self._raw.readinto(buffer) or 0

    def close(self) -> None:
        self._raw.close()
        super().close()


def _deadline_response(deadline: float) -> type[http.client.HTTPResponse]:
    class DeadlineResponse(http.client.HTTPResponse):
        def __init__(
            self, sock: socket.socket, debuglevel: int = 0, method: str | None = None, url: str | None = None
        ) -> None:
            super().__init__(sock, debuglevel, method, url)
            self.fp.close()  # (http.client's own reader, which waits on each read afresh)
            self.fp = io.BufferedReader(_DeadlineReader(sock, deadline))

    return DeadlineResponse
