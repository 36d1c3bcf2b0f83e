"""Kamailio KEMI routing script (app_python3) that answers SIP Plug-and-Play with libsippnp.

Kamailio owns the socket and calls `ksr_request_route` for every request and
`ksr_reply_route` for every reply. A SUBSCRIBE with `Event: ua-profile`, and every reply
(the phones' answers to our NOTIFYs), go to libsippnp's engine (`sippnp.Engine` from
examples/python/sippnp.py, ctypes): it parses any vendor's dialect, identifies the phone, asks
`lookup` below what it gets, answers each retransmitted SUBSCRIBE with the same 200 OK, sends
one NOTIFY and retransmits it until the phone answers or Timer F. This script sends the
engine's exact bytes with `KSR.corex.send_data` and logs one line per engine event. Anything
else is left to the rest of your routing (here: a stateless 404).

The engine keeps state, so kamailio.cfg runs one worker (`children=1`), and its timers run
on ticks: kamailio.cfg's rtimer calls `ksr_sippnp_tick` every 100 ms in the timer process,
which sends an OPTIONS with Call-ID `sippnp-tick` from Kamailio's socket to itself; the
worker, receiving it, runs the engine's due timers.

Settings (environment of the Kamailio process):

    SIPPNP_URL      provisioning URL template for the NOTIFY (required), e.g.
                    http://192.0.2.10/prov/{mac}/
    SIPPNP_LIB      path to libsippnp.so (default: sippnp.py's search: target/release, ...)
    SIPPNP_PYTHON   directory of sippnp.py (default: ../python next to this file)
    SIPPNP_SERVER   HOST:PORT written into Via and Contact (default: the address and port the
                    first SUBSCRIBE arrived on, $Ri:$Rp)
    SIPPNP_ENGINE   engine options, `name=value,...` (`t1_ms=500,timer_f_ms=32000`; names as in
                    sippnp_engine_options)

Log lines never show a packet or a password.
"""

import os
import sys

import KSR

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("SIPPNP_PYTHON", os.path.join(_HERE, "..", "python")))

import sippnp  # noqa: E402  (found through SIPPNP_PYTHON)

TICK_CALL_ID = "sippnp-tick"


def lookup(device, assignment):
    """What `device` gets: plug in the PBX's own device table here. This example answers every
    phone with the URL template (the config server behind that URL knows the devices)."""
    return sippnp.Lookup.UNKNOWN


def mod_init():
    """Called once by app_python3 when Kamailio starts: returns the routing object."""
    return SippnpRouting()


def _split_host_port(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def _join_host_port(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _engine_options(text):
    options = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        name, _, value = item.partition("=")
        options[name.strip()] = int(value)
    return options


def _describe(event, hide_url):
    """One log line for an engine event (the URL hidden when it carries a token)."""
    kind = event.kind
    mac = event.mac or "none"
    if kind == sippnp.EventKind.DISCOVERED:
        ip = _join_host_port(event.ip or "?", event.port)
        return (
            f"discovered mac={mac} vendor={event.vendor or '?'} model={event.model or '?'} "
            f"fw={event.firmware or '?'} ip={ip}"
        )
    if kind == sippnp.EventKind.ANSWERED:
        return f"answered mac={mac} url={'(has a token)' if hide_url else event.url}"
    if kind == sippnp.EventKind.NOTIFIED:
        return f"notified mac={mac} attempt={event.attempt}"
    if kind == sippnp.EventKind.ACKNOWLEDGED:
        return f"acknowledged mac={mac} status={event.status}"
    if kind == sippnp.EventKind.FAILED:
        reason = event.reason.name.lower() if event.reason is not None else "?"
        status = f" status={event.status}" if event.status else ""
        return f"failed mac={mac} reason={reason}{status}"
    if kind == sippnp.EventKind.SILENCED:
        reason = event.reason.name.lower() if event.reason is not None else "?"
        return f"silenced mac={mac} reason={reason}"
    if kind == sippnp.EventKind.RATE_LIMITED:
        return f"rate-limited source={event.ip}"
    return f"event {kind.name.lower()} mac={mac}"


class SippnpRouting:
    def __init__(self):
        sippnp.load(os.environ.get("SIPPNP_LIB") or None)
        self.url = os.environ.get("SIPPNP_URL")
        if not self.url:
            raise RuntimeError("sippnp_kemi.py: set SIPPNP_URL to the provisioning URL template")
        self.server = os.environ.get("SIPPNP_SERVER")
        self.options = _engine_options(os.environ.get("SIPPNP_ENGINE"))
        self.engine = None  # made in the worker, on the first datagram for it
        self.tick = None  # (uri, message), made in the timer process

    def child_init(self, rank):
        return 0

    # ---- the worker ---------------------------------------------------------------------

    def ensure_engine(self):
        if self.engine is None:
            if self.server:
                host, port = _split_host_port(self.server)
            else:
                host, port = KSR.pv.get("$Ri"), int(KSR.pv.get("$Rp"))
            self.engine = sippnp.Engine(host, port, self.url, lookup=lookup, answer_unknown=True, **self.options)
        return self.engine

    def ksr_request_route(self, msg):
        if self.is_tick():
            if self.engine is not None:
                due = self.engine.next_timeout()
                if due is not None and due <= sippnp.monotonic_ms():
                    self.engine.handle_timeout()
                    self.flush()
            return -255  # consumed: no reply to our own tick
        if KSR.is_method("SUBSCRIBE"):
            event = KSR.pv.get("$hdr(Event)") or ""
            if event.split(";")[0].strip().lower() == "ua-profile":
                self.handle()
                return -255  # handled: stop routing this request
        # Your routing for everything else goes here.
        if KSR.is_method("ACK"):
            return 1
        KSR.sl.sl_send_reply(404, "Not Here")
        return 1

    def ksr_reply_route(self, msg):
        # Replies to our NOTIFYs (their top Via is ours): the engine ends the transaction.
        if self.engine is not None:
            self.handle()
        KSR.set_drop()
        return 1

    def is_tick(self):
        return (
            KSR.pv.get("$ci") == TICK_CALL_ID
            and KSR.pv.get("$si") == KSR.pv.get("$Ri")
            and KSR.pv.get("$sp") == KSR.pv.get("$Rp")
        )

    def handle(self):
        """Hands the current message to the engine, then sends and logs what it produced."""
        ip, port = KSR.pv.get("$si"), int(KSR.pv.get("$sp"))
        datagram = KSR.pv.get("$mb").encode("utf-8", "surrogateescape")
        try:
            self.ensure_engine().handle_datagram(datagram, ip, port)
        except sippnp.SippnpError as e:  # not a SUBSCRIBE we answer, or the lookup failed
            KSR.info(f"sippnp: skipped from={_join_host_port(ip, port)} error={e.name}\n")
        self.flush()

    def flush(self):
        for packet in self.engine.transmits():
            self.send(packet)
        for event in self.engine.events():
            KSR.info(f"sippnp: {_describe(event, '{token}' in self.url)}\n")

    def send(self, packet):
        """Sends the engine's bytes as they are, over UDP from Kamailio's socket."""
        to = _join_host_port(packet.host, packet.port)
        if packet.transport.upper() != "UDP":
            KSR.info(f"sippnp: send-failed to={to} error=transport-{packet.transport}\n")
            return
        data = packet.data.decode("utf-8", "surrogateescape")
        if KSR.corex.send_data(f"sip:{to};transport=udp", data) < 0:
            KSR.info(f"sippnp: send-failed to={to}\n")

    # ---- the rtimer process -------------------------------------------------------------

    def ksr_sippnp_tick(self, msg, evname=None):
        """Every 100 ms (rtimer): an OPTIONS from Kamailio's socket to itself wakes the worker."""
        if self.tick is None:
            listen = KSR.pv.get("$def(SIPPNP_LISTEN)") or "udp:127.0.0.1:5060"
            hostport = listen.split(":", 1)[1] if listen.lower().startswith("udp:") else listen
            self.tick = (
                f"sip:{hostport};transport=udp",
                (
                    f"OPTIONS sip:{TICK_CALL_ID}@{hostport} SIP/2.0\r\n"
                    f"Via: SIP/2.0/UDP {hostport};branch=z9hG4bK-{TICK_CALL_ID}\r\n"
                    f"From: <sip:{TICK_CALL_ID}@{hostport}>;tag=1\r\n"
                    f"To: <sip:{TICK_CALL_ID}@{hostport}>\r\n"
                    f"Call-ID: {TICK_CALL_ID}\r\n"
                    "CSeq: 1 OPTIONS\r\nMax-Forwards: 1\r\nContent-Length: 0\r\n\r\n"
                ),
            )
        KSR.corex.send_data(*self.tick)
        return 1
