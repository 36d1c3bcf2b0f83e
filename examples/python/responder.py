#!/usr/bin/env python3
"""A PBX-style SIP Plug-and-Play responder on top of libsippnp (see sippnp.py).

    python3 responder.py --listen 127.0.0.1:5070 --url 'http://127.0.0.1:8080/prov/{mac}/' [--count N] [--lib PATH]

Receives datagrams on one UDP socket, lets the library decide, and sends the 200 OK to the
SUBSCRIBE's source and then the NOTIFY (carrying the provisioning URL) to the phone's
Contact. Prints one line per event: never a whole packet, never a password. Exits after N
datagrams (default: never). The listen address is also the one written into Via, Contact and
the phone's registrar setting, so bind a concrete address, not a wildcard. A real deployment
listens on port 5060 and also joins the multicast group 224.0.1.75; this example only binds
the address it is given.
"""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sippnp  # noqa: E402  (found next to this script)

# The PBX's inventory: MAC -> what the phone gets. Passwords are never printed.
DEVICES = {
    "000b82273b89": {
        "label": "Reception",
        "display_name": "Reception",
        "user_id": "1001",
        "password": "Pw-1001-not-logged",
    },
    "000b82f55284": {
        "label": "Office",
        "display_name": "Office",
        "user_id": "1002",
        "password": "Pw-1002-not-logged",
    },
}


def make_lookup(registrar: str):
    def lookup(device: sippnp.Device, assignment: sippnp.Assignment) -> sippnp.Lookup:
        entry = DEVICES.get(device.mac or "")
        if entry is None:
            return sippnp.Lookup.UNKNOWN
        assignment.set_account(1, registrar_host=registrar, transport="udp", **entry)
        return sippnp.Lookup.ASSIGN

    return lookup


def parse_listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError("expected HOST:PORT or [V6]:PORT")
    return host.strip("[]"), int(port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", type=parse_listen, default=("127.0.0.1", 5070), help="HOST:PORT to bind")
    parser.add_argument("--url", required=True, help="provisioning URL template, e.g. 'http://h/prov/{mac}/'")
    parser.add_argument("--count", type=int, default=None, help="exit after this many datagrams")
    parser.add_argument("--lib", default=None, help="path to libsippnp (default: $SIPPNP_LIB, then target/)")
    args = parser.parse_args(argv)

    sippnp.load(args.lib)
    host, port = args.listen
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.bind((host, port))
        host, port = sock.getsockname()[:2]
        with sippnp.Context(host, port, args.url, lookup=make_lookup(host)) as ctx:
            print(f"listening on {host}:{port} (libsippnp {sippnp.version()})", flush=True)
            received = 0
            while args.count is None or received < args.count:
                data, source = sock.recvfrom(65535)
                received += 1
                serve(ctx, sock, data, source[0], source[1])
    print(f"done after {received} datagrams", flush=True)
    return 0


def serve(ctx: sippnp.Context, sock: socket.socket, data: bytes, ip: str, port: int) -> None:
    peer = f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
    try:
        answer = ctx.handle(data, ip, port)
    except sippnp.SippnpError as e:  # not a ua-profile SUBSCRIBE, or the lookup failed
        print(f"{peer}: no answer: {e.name}: {e.message}", flush=True)
        return
    with answer:
        device = answer.device
        who = f"mac={device.mac} vendor={device.vendor} model={device.model}"
        if answer.action == "silent":
            print(f"{peer}: silent ({answer.silence_reason.name.lower()}) {who}", flush=True)
            return
        if not send(sock, answer.response, peer, "200 OK"):
            return
        print(f"{peer}: 200 OK sent to {answer.response.host}:{answer.response.port} {who}", flush=True)
        notify = answer.notify
        if notify.transport.upper() != "UDP":
            print(f"{peer}: NOTIFY not sent: phone asked for {notify.transport}", flush=True)
            return
        if not send(sock, notify, peer, "NOTIFY"):
            return
        print(f"{peer}: NOTIFY sent to {notify.host}:{notify.port} url={answer.url}", flush=True)


def send(sock: socket.socket, packet: sippnp.Packet, peer: str, what: str) -> bool:
    try:
        sock.sendto(packet.data, packet.address)
        return True
    except OSError as e:
        print(f"{peer}: {what} to {packet.host}:{packet.port} failed: {e.strerror or e}", flush=True)
        return False


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
