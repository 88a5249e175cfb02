"""Outgoing HTTP to addresses other people choose (partner webhooks), kept off internal ones.

A partner admin types the webhook URL, and the server POSTs to it. Without a guard, that is
a way into whatever the server can reach and the partner cannot: the cloud metadata service
(169.254.169.254), Redis or PostgreSQL on loopback, the office network. So a destination is
refused when any address it stands for is loopback, link-local, private, shared (CGNAT),
multicast, reserved, unspecified or otherwise not globally routable. That includes IPv4
inside IPv6 (``::ffff:127.0.0.1``, 6to4, Teredo, NAT64) and the integer, octal and hex
spellings of IPv4 (``2130706433``, ``0177.0.0.1``, ``0x7f.1``) which the C resolver accepts.

The check runs twice: when the URL is configured (a clear 422) and on every connection, at
the socket. ``guarded_client`` resolves the name once, checks every address, and connects to
the checked address itself, so a DNS answer that changes between check and connect (DNS
rebinding) cannot swap in an internal one. It never follows redirects and ignores proxy
settings from the environment, so neither can route around the check.

Deployments whose partners really are on a private network list those networks or host
names in ``SALINGJAGA_WEBHOOK_ALLOW_PRIVATE`` (comma-separated CIDRs, addresses or names).
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BlockedDestination(ValueError):
    """A destination the server must not send to; the message says why."""


@dataclass(frozen=True)
class OutboundPolicy:
    """Which private destinations a deployment allows (none by default)."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_setting(cls, value: str) -> OutboundPolicy:
        """Parse ``SALINGJAGA_WEBHOOK_ALLOW_PRIVATE``: CIDRs, addresses and host names,
        comma-separated. A malformed network is an error rather than silently ignored, so a
        typo never widens or narrows the list unnoticed."""
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for raw in value.split(","):
            entry = raw.strip()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            if "/" in entry or not _looks_like_hostname(entry):
                raise ValueError(f"webhook allow-list entry {entry!r} is neither a network nor a host name")
            hosts.add(_normal_host(entry))
        return cls(tuple(networks), frozenset(hosts))

    def allows_host(self, host: str) -> bool:
        """Whether this host name is allowed whatever it resolves to."""
        return _normal_host(host) in self.hosts

    def allows_address(self, address: IPAddress) -> bool:
        """Whether an address falls inside an allowed network (an IPv4 address inside IPv6
        counts as that IPv4 address)."""
        candidates = [address, *_embedded_ipv4(address)]
        return any(a.version == n.version and a in n for a in candidates for n in self.networks)


STRICT = OutboundPolicy()


def _normal_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def _looks_like_hostname(text: str) -> bool:
    labels = _normal_host(text).split(".")
    return all(label and len(label) <= 63 and all(c.isalnum() or c in "-_" for c in label)
               for label in labels)


def _embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo client, NAT64)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    out: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        out.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        out.append(address.sixtofour)
    if address.teredo is not None:
        out.append(address.teredo[1])
    if address in _NAT64:
        out.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return out


def blocked_reason(address: IPAddress) -> str | None:
    """Why the server must not connect to this address, or None for a public one."""
    for inner in _embedded_ipv4(address):
        reason = blocked_reason(inner)
        if reason is not None:
            return f"{reason} (inside IPv6 {address})"
    if address.is_unspecified:
        return f"{address} is an unspecified address"
    if address.is_loopback:
        return f"{address} is a loopback address"
    if address.is_link_local:
        return f"{address} is a link-local address (cloud metadata lives here)"
    if address.is_multicast:
        return f"{address} is a multicast address"
    if address.is_private:
        return f"{address} is a private address"
    if address.is_reserved:
        return f"{address} is a reserved address"
    if not address.is_global:
        return f"{address} is not a public address"
    return None


def literal_address(host: str) -> IPAddress | None:
    """The address a host spells directly, or None for a name. Accepts what the C resolver
    accepts as IPv4 (``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``127.1``), since that is
    what a connection to such a host would reach."""
    text = _normal_host(host).split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if text and all(c in "0123456789abcdefx." for c in text) and any(c.isdigit() for c in text):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to, literal spellings included; raises
    ``socket.gaierror`` when it does not resolve."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    infos = socket.getaddrinfo(_normal_host(host), port, type=socket.SOCK_STREAM)
    seen: dict[IPAddress, None] = {}
    for _family, _type, _proto, _canon, sockaddr in infos:
        seen[ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])] = None
    return list(seen)


def check_addresses(host: str, addresses: Iterable[IPAddress], policy: OutboundPolicy) -> None:
    """Raise ``BlockedDestination`` if any address of ``host`` is internal and not allowed.
    Every address must pass: a name that answers with one public and one private address
    is refused rather than trusted to pick the public one."""
    if policy.allows_host(host):
        return
    for address in addresses:
        reason = blocked_reason(address)
        if reason is not None and not policy.allows_address(address):
            shown = _normal_host(host)
            prefix = "" if literal_address(host) is not None else f"{shown} resolves to "
            raise BlockedDestination(f"{prefix}{reason}; internal destinations are refused "
                                     "(SALINGJAGA_WEBHOOK_ALLOW_PRIVATE lists allowed ones)")


def check_url(url: str, policy: OutboundPolicy, *, require_resolution: bool = False) -> None:
    """Check a configured URL: http(s), a host, and no internal destination. A name that
    does not resolve now passes unless ``require_resolution`` (it is checked again at every
    connection); raises ``BlockedDestination`` naming the reason."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BlockedDestination(f"not a valid URL: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise BlockedDestination("must be an http(s) URL")
    host = parts.hostname
    if not host:
        raise BlockedDestination("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise BlockedDestination("credentials in the URL are not accepted; the payload is signed")
    try:
        addresses = resolve(host, port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as exc:
        if require_resolution:
            raise BlockedDestination(f"{host} does not resolve: {exc}") from exc
        return
    check_addresses(host, addresses, policy)


class _GuardedBackend(httpcore.SyncBackend):
    """Opens TCP connections only to checked addresses: the name is resolved here, once,
    every answer is checked, and the socket connects to that very address (TLS still
    verifies the certificate against the name, which httpcore passes separately)."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        """Resolve, check, then connect to the first address that answers."""
        try:
            addresses = resolve(host, port)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"{host} does not resolve: {exc}") from exc
        check_addresses(host, addresses, self.policy)
        error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None  # resolve() never returns an empty list
        raise error


class GuardedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` whose connections go through the address check."""

    def __init__(self, policy: OutboundPolicy, *, verify: ssl.SSLContext | bool = True) -> None:
        super().__init__(verify=verify, trust_env=False)
        ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        self._pool = httpcore.ConnectionPool(ssl_context=ssl_context,
                                             network_backend=_GuardedBackend(policy))


def guarded_client(policy: OutboundPolicy, timeout: float) -> httpx.Client:
    """An HTTP client for user-chosen destinations: checked addresses only, no redirects,
    no proxies from the environment."""
    return httpx.Client(transport=GuardedTransport(policy), timeout=timeout,
                        follow_redirects=False, trust_env=False)
