"""Webhooks never reach internal addresses: refused when configured (422 naming why) and
again at every connection, with a real HTTP listener on loopback that must receive nothing."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from salingjaga.core.outbound import OutboundPolicy, blocked_reason, check_url, literal_address
from salingjaga.core.settings import Settings
from salingjaga.moderation.models import WebhookDelivery
from salingjaga.partners.models import Partner
from tests.conftest import bearer
from tests.moderation.helpers import make_content, notice_body


class Listener:
    """A loopback HTTP server that records every request; ``redirect_to`` answers 302."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.requests: list[str] = []
        self.redirect_to: str | None = None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append(self.path)
                if outer.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", outer.redirect_to)
                else:
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def _hostile_urls(port: int) -> list[str]:
    """Spellings of internal destinations; those with ``port`` would reach the listener."""
    return [
        f"http://127.0.0.1:{port}/hook",
        f"http://localhost:{port}/hook",
        f"http://2130706433:{port}/hook",          # 127.0.0.1 as one decimal integer
        f"http://0x7f000001:{port}/hook",          # ... in hex
        f"http://0177.0.0.1:{port}/hook",          # ... in octal
        f"http://127.1:{port}/hook",
        f"http://[::ffff:127.0.0.1]:{port}/hook",  # IPv4-mapped IPv6
        "http://[::1]:8102/",
        "http://0.0.0.0:6379/",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[fe80::1]/",
        "http://10.1.2.3/",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://100.64.0.1/",                      # shared address space (CGNAT)
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://[fc00::1]/",
        "http://[2002:7f00:1::]/",                 # 6to4 wrapping 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/",            # NAT64 wrapping 169.254.169.254
    ]


def _partner_with_hook(client: Any, world: Any, url: str | None = None) -> tuple[str, str]:
    """A partner whose webhook is set through the API to a harmless name, then (as a URL
    stored before validation existed, or set straight in the database) to ``url``."""
    partner = world.partner()
    admin = world.key("partner_admin", partner)
    r = client.put(f"/api/v1/partners/{partner}/webhook", headers=bearer(admin),
                   json={"url": "https://hooks.example.org/salingjaga"})
    assert r.status_code == 200, r.text
    if url is not None:
        with world.db.session() as s:
            s.get(Partner, partner).webhook_url = url
    return partner, admin


def _decide_a_notice_of(client: Any, world: Any, partner: str) -> None:
    """A notice from ``partner`` decided by a moderator: the decision notifies the partner."""
    flagger = world.key("partner_reporter", partner)
    moderator = world.key("moderator")
    item = make_content(client, world.key("service"))
    r = client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger))
    assert r.status_code in (200, 201, 202), r.text
    case = client.post("/api/v1/queue/claim", headers=bearer(moderator)).json()
    r = client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(moderator), json={
        "action": "remove", "policy": "misinformation", "facts": "False voting procedure."})
    assert r.status_code in (200, 201), r.text


def _deliveries(db: Any) -> list[WebhookDelivery]:
    with db.session() as s:
        rows = list(s.scalars(select(WebhookDelivery)))
        s.expunge_all()
        return rows


# Configuration time ---------------------------------------------------------------------

def test_internal_webhook_urls_are_refused_when_set_naming_the_reason(client, world, db, listener):
    partner = world.partner()
    admin = world.key("partner_admin", partner)
    for url in [*_hostile_urls(listener.port), "ftp://hooks.example.org/", "http://user:pw@hooks.example.org/"]:
        r = client.put(f"/api/v1/partners/{partner}/webhook", headers=bearer(admin), json={"url": url})
        assert r.status_code == 422, (url, r.text)
        message = r.json()["error"]["message"]
        assert message.startswith("url: "), message
        assert any(word in message for word in (
            "loopback", "private", "link-local", "unspecified", "multicast", "reserved",
            "not a public", "http(s)", "credentials")), (url, message)
    assert "localhost resolves to 127.0.0.1 is a loopback address" in client.put(
        f"/api/v1/partners/{partner}/webhook", headers=bearer(admin),
        json={"url": f"http://localhost:{listener.port}/"}).json()["error"]["message"]
    with db.session() as s:
        stored = s.get(Partner, partner)
        assert stored.webhook_url is None and stored.webhook_secret is None
    assert listener.requests == []


def test_a_partner_created_with_an_internal_webhook_is_refused(client, world, db):
    admin = world.key("admin")
    r = client.post("/api/v1/partners", headers=bearer(admin), json={
        "name": "Metadata Reader", "kind": "civil_society",
        "webhook_url": "http://169.254.169.254/latest/meta-data/"})
    assert r.status_code == 422
    assert "webhook_url: 169.254.169.254 is a link-local address" in r.json()["error"]["message"]
    with db.session() as s:
        assert s.scalar(select(Partner).where(Partner.name == "Metadata Reader")) is None


def test_public_names_and_addresses_are_accepted():
    check_url("https://hooks.example.org/x", OutboundPolicy())  # does not resolve: checked at send
    check_url("https://93.184.216.34/hook", OutboundPolicy())
    check_url("https://[2606:4700:4700::1111]/hook", OutboundPolicy())


# Send time ------------------------------------------------------------------------------

def test_nothing_reaches_an_internal_target_stored_earlier(client, world, db, listener):
    """URLs already stored (before this check, or written in the database) are checked again
    at the connection: the decision's delivery fails as blocked and the listener, which
    would have answered, hears nothing."""
    reachable = [u for u in _hostile_urls(listener.port) if str(listener.port) in u]
    for url in reachable:
        partner, _ = _partner_with_hook(client, world, url)
        _decide_a_notice_of(client, world, partner)
    deliveries = _deliveries(db)
    assert len(deliveries) == len(reachable)
    for d in deliveries:
        assert d.status == "failed" and d.attempts == 1, (d.url, d.status, d.last_error)
        assert d.last_error.startswith("blocked: "), d.last_error
    assert listener.requests == []


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[list[str]]]:
    """Answers for chosen names, one list of addresses per look-up (the last repeats);
    every other name and every literal address goes to the real resolver."""
    answers: dict[str, list[list[str]]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name in answers:
            queue = answers[name]
            addresses = queue.pop(0) if len(queue) > 1 else queue[0]
            out = []
            for a in addresses:
                ip = ipaddress.ip_address(a)
                family = socket.AF_INET if ip.version == 4 else socket.AF_INET6
                sockaddr = (a, int(port)) if ip.version == 4 else (a, int(port), 0, 0)
                out.append((family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr))
            return out
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def test_dns_rebinding_cannot_swap_in_loopback_after_the_check(client, world, db, listener, fake_dns):
    """The name resolves to a public address when configured and when checked before
    sending, then to loopback when the connection resolves it: the socket connects only to
    an address it checked itself, so nothing arrives."""
    host = "rebind.hooks.example.org"
    fake_dns[host] = [["93.184.216.34"], ["93.184.216.34"], ["127.0.0.1"]]
    partner = world.partner()
    admin = world.key("partner_admin", partner)
    r = client.put(f"/api/v1/partners/{partner}/webhook", headers=bearer(admin),
                   json={"url": f"http://{host}:{listener.port}/hook"})
    assert r.status_code == 200, r.text
    _decide_a_notice_of(client, world, partner)
    [d] = _deliveries(db)
    assert d.status == "failed"
    assert "rebind.hooks.example.org resolves to 127.0.0.1 is a loopback address" in d.last_error
    assert listener.requests == []


def test_a_name_with_one_public_and_one_internal_answer_is_refused(client, world, db, listener, fake_dns):
    host = "mixed.hooks.example.org"
    fake_dns[host] = [["93.184.216.34", "127.0.0.1"]]
    partner = world.partner()
    admin = world.key("partner_admin", partner)
    r = client.put(f"/api/v1/partners/{partner}/webhook", headers=bearer(admin),
                   json={"url": f"http://{host}:{listener.port}/hook"})
    assert r.status_code == 422 and "loopback" in r.json()["error"]["message"]
    _partner, _ = _partner_with_hook(client, world, f"http://{host}:{listener.port}/hook")
    _decide_a_notice_of(client, world, _partner)
    [d] = _deliveries(db)
    assert d.status == "failed" and d.last_error.startswith("blocked: ")
    assert listener.requests == []


# The allow-list -------------------------------------------------------------------------

@pytest.fixture
def allowing(settings: Settings) -> Iterator[Any]:
    """An app whose deployment allows the loopback listener by name (``localhost``)."""
    from fastapi.testclient import TestClient

    from salingjaga.app import create_app

    with TestClient(create_app(settings.model_copy(update={"webhook_allow_private": "localhost"}))) as c:
        yield c


def test_the_allow_list_lets_a_deployment_reach_its_private_hooks(allowing, world, db, listener):
    partner = world.partner()
    admin = world.key("partner_admin", partner)
    r = allowing.put(f"/api/v1/partners/{partner}/webhook", headers=bearer(admin),
                     json={"url": f"http://localhost:{listener.port}/hook"})
    assert r.status_code == 200, r.text
    # an allowed name does not open other internal addresses
    r = allowing.put(f"/api/v1/partners/{partner}/webhook", headers=bearer(admin),
                     json={"url": f"http://127.0.0.1:{listener.port}/hook"})
    assert r.status_code == 422
    with db.session() as s:
        s.get(Partner, partner).webhook_url = f"http://localhost:{listener.port}/hook"
    _decide_a_notice_of(allowing, world, partner)
    [d] = _deliveries(db)
    assert d.status == "delivered", d.last_error
    assert listener.requests == ["/hook"]


def test_a_redirect_from_an_allowed_hook_is_not_followed(allowing, world, db, listener):
    other = Listener("127.0.0.2")
    try:
        listener.redirect_to = f"http://127.0.0.2:{other.port}/internal"
        partner = world.partner()
        admin = world.key("partner_admin", partner)
        r = allowing.put(f"/api/v1/partners/{partner}/webhook", headers=bearer(admin),
                         json={"url": f"http://localhost:{listener.port}/hook"})
        assert r.status_code == 200, r.text
        _decide_a_notice_of(allowing, world, partner)
        [d] = _deliveries(db)
        assert d.status == "pending" and d.last_status_code == 302
        assert listener.requests == ["/hook"] and other.requests == []
    finally:
        other.close()


def test_a_malformed_allow_list_fails_at_start():
    with pytest.raises(ValueError, match="neither a network nor a host name"):
        Settings(webhook_allow_private="10.0.0.0/33")
    policy = OutboundPolicy.from_setting(" 10.20.0.0/16 , hooks.lan., [fd00::1] ")
    assert policy.allows_address(ipaddress.ip_address("10.20.3.4"))
    assert policy.allows_address(ipaddress.ip_address("::ffff:10.20.3.4"))
    assert not policy.allows_address(ipaddress.ip_address("10.21.0.1"))
    assert policy.allows_address(ipaddress.ip_address("fd00::1"))
    assert policy.allows_host("HOOKS.LAN")


# The address rule itself ----------------------------------------------------------------

@pytest.mark.parametrize(("host", "blocked"), [
    ("127.0.0.1", True), ("2130706433", True), ("0x7f.1", True), ("0177.0.0.1", True),
    ("0", True), ("::1", True), ("::", True), ("::ffff:169.254.169.254", True),
    ("::127.0.0.1", True), ("fe80::1%eth0", True), ("ff02::1", True),
    ("198.18.0.1", True), ("192.0.2.1", True), ("255.255.255.255", True),
    ("8.8.8.8", False), ("2606:4700:4700::1111", False),
])
def test_address_rule(host, blocked):
    address = literal_address(host)
    assert address is not None
    assert (blocked_reason(address) is not None) is blocked
