"""ctypes binding for libsippnp (SIP Plug-and-Play provisioning), Python 3.11 stdlib only.

The C API is described in include/sippnp.h; this module mirrors it:

    import sippnp

    def lookup(device, assignment):          # device: borrowed Device view
        if device.mac != "000b82273b89":
            return sippnp.Lookup.UNKNOWN
        assignment.set_account(1, user_id="1001", password="...", registrar_host="pbx.example")
        return sippnp.Lookup.ASSIGN

    with sippnp.Context("192.0.2.1", 5060, "http://192.0.2.1/prov/{mac}/", lookup=lookup) as ctx:
        with ctx.handle(datagram, source_ip, source_port) as answer:
            if answer.action == "send":
                sock.sendto(answer.response.data, answer.response.address)
                sock.sendto(answer.notify.data, answer.notify.address)

Library discovery (first match wins): the `path` given to `load()`, `$SIPPNP_LIB`, then
`$CARGO_TARGET_DIR/{debug,release}/`, then `target/{debug,release}/` of this repository.

Ownership rules follow the header: objects that own a library allocation (`Device` from
`Device.parse`, `Assignment()`, `Context`, `Answer`) free it in `close()`, on leaving a `with`
block, or when garbage-collected. Views the library lends (the device and assignment a lookup
receives, `Answer.device`) are never freed by Python and raise `ValueError` once their owner is
gone instead of touching freed memory. `Packet` is a plain copy; `Rendered` is a copy that also
keeps the library's file (freed with the `Rendered`) so that `Rendered.encrypt()` can encrypt it:

    encrypted = assignment.render().encrypt(sippnp.Cipher.GRANDSTREAM, "p1359-password")
    # serve encrypted.content as encrypted.file_name (Yealink: also encrypted.key_file as
    # encrypted.key_file_name); sippnp.decrypt(cipher, key, data) reverses it.
"""

from __future__ import annotations

import ctypes
import enum
import itertools
import os
import sys
import threading
from ctypes import CFUNCTYPE, POINTER, Structure, byref, c_char_p, c_size_t, c_uint16, c_uint32, c_void_p
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Union

# ---------------------------------------------------------------------------------------------
# Constants mirrored from include/sippnp.h (tests/python/test_sippnp.py cross-checks them).
# ---------------------------------------------------------------------------------------------

SIPPNP_VERSION_MAJOR = 0
SIPPNP_VERSION_MINOR = 1
SIPPNP_VERSION_PATCH = 0
SIPPNP_VERSION_STRING = "0.1.0"
SIPPNP_MAX_ACCOUNTS = 64
SIPPNP_MAX_KEYS = 1024
SIPPNP_ABI_VERSION = 1


class Result(enum.IntEnum):
    """`sippnp_result` (C names: `SIPPNP_` + member name)."""

    OK = 0
    ERR_NULL_PARAMETER = 100
    ERR_INVALID_PARAMETER = 101
    ERR_NOTHING_TO_SEND = 102
    ERR_SIP_EMPTY = 200
    ERR_SIP_TOO_LARGE = 201
    ERR_SIP_NOT_SIP = 202
    ERR_SIP_NOT_REQUEST = 203
    ERR_SIP_NOT_SUBSCRIBE = 204
    ERR_SIP_NOT_UA_PROFILE = 205
    ERR_SIP_MALFORMED_REQUEST_LINE = 206
    ERR_SIP_MALFORMED_HEADER = 207
    ERR_SIP_MISSING_HEADER = 208
    ERR_SIP_TOO_MANY_HEADERS = 209
    ERR_SIP_TRUNCATED = 210
    ERR_SIP_UNSAFE_VALUE = 211
    ERR_LOOKUP_FAILED = 300
    ERR_NOT_ASSIGNED = 301
    ERR_RENDER_UNSUPPORTED_VENDOR = 400
    ERR_RENDER_MISSING_MAC = 401
    ERR_RENDER_MISSING_VENDOR = 402
    ERR_RENDER_CONTROL_CHARACTER = 403
    ERR_RENDER_TOO_MANY_ACCOUNTS = 404
    ERR_RENDER_INVALID_KEY = 405
    ERR_RENDER_INVALID_URL = 406
    ERR_RENDER_UNKNOWN_PATH = 407
    ERR_RENDER_UNSUPPORTED_FILE = 408
    ERR_RENDER_ACCOUNTS_IN_SHARED_FILE = 409
    ERR_RENDER_KEY_OUT_OF_RANGE = 410
    ERR_RENDER_UNSUPPORTED_VALUE = 411
    ERR_CRYPTO_UNSUPPORTED = 450
    ERR_CRYPTO_INVALID_KEY = 451
    ERR_CRYPTO_BAD_HEADER = 452
    ERR_CRYPTO_BAD_PADDING = 453
    ERR_CRYPTO_RANDOM = 454
    ERR_INVALID_TEMPLATE = 500
    ERR_INVALID_CONFIG = 501
    EMPTY = 550  # not an error: nothing queued (Engine.poll_transmit / poll_event)
    NO_TIMER = 551  # not an error: no timer pending (Engine.next_timeout)
    ERR_TOKEN_MALFORMED = 552
    ERR_TOKEN_INVALID = 553
    ERR_TOKEN_EXPIRED = 554
    ERR_REENTRANT = 555
    ERR_PANIC = 900


class Field(enum.IntEnum):
    """`sippnp_field` (C names: `SIPPNP_FIELD_` + member name)."""

    VENDOR = 1
    MODEL = 2
    PROVISIONING_URL = 3
    NTP_SERVERS = 4  # comma-separated
    TIMEZONE = 5  # IANA name, e.g. "Europe/Berlin"
    ADMIN_PASSWORD = 6
    MAC = 7
    KEEP_PNP_ENABLED = 8
    USER_PASSWORD = 9
    LANGUAGE = 10  # ISO 639-1
    RESYNC_INTERVAL_MIN = 11
    FIRMWARE_URL = 12
    VLAN_ID = 13
    VLAN_PRIORITY = 14
    SYSLOG_HOST = 15
    SYSLOG_PORT = 16
    SYSLOG_LEVEL = 17
    PROVISIONING_USER = 18
    PROVISIONING_PASSWORD = 19
    CONFIG_KEY = 20  # the key the phone opens encrypted configs with


class AccountField(enum.IntEnum):
    """`sippnp_account_field` (C names: `SIPPNP_ACCOUNT_` + member name)."""

    LABEL = 1
    DISPLAY_NAME = 2
    USER_ID = 3
    AUTH_ID = 4
    PASSWORD = 5
    REGISTRAR_HOST = 6
    OUTBOUND_PROXY = 7
    REGISTRAR_PORT = 8
    TRANSPORT = 9  # udp, tcp or tls
    BACKUP_REGISTRAR_HOST = 10
    BACKUP_REGISTRAR_PORT = 11
    REGISTER_EXPIRES = 12
    VOICEMAIL_NUMBER = 13
    MWI = 14
    CODECS = 15  # comma-separated, in order
    DTMF = 16  # rfc2833, sip-info or inband
    SRTP = 17  # disabled, optional or required


class KeyField(enum.IntEnum):
    """`sippnp_key_field` (C names: `SIPPNP_KEY_` + member name)."""

    BANK = 1  # line, programmable or expansionN
    POSITION = 2
    KIND = 3  # unused, line, blf, speed-dial, park or dnd
    ACCOUNT = 4
    VALUE = 5
    LABEL = 6


class Transport(enum.IntEnum):
    """`sippnp_transport` (C names: `SIPPNP_TRANSPORT_` + member name)."""

    UDP = 0
    TCP = 1
    TLS = 2


class Lookup(enum.IntEnum):
    """`sippnp_lookup`: what a lookup callable returns (C names: `SIPPNP_LOOKUP_` + name).

    Raise an exception rather than returning ERROR: the exception is chained into the
    `SippnpError` that `Context.handle()` / `Context.render()` raise.
    """

    ERROR = 0
    ASSIGN = 1
    UNKNOWN = 2
    IGNORE = 3


class Action(enum.IntEnum):
    """`sippnp_action` (C names: `SIPPNP_ACTION_` + member name)."""

    SEND = 1
    SILENT = 2


class Silence(enum.IntEnum):
    """`sippnp_silence` (C names: `SIPPNP_SILENCE_` + member name). NONE is falsy."""

    NONE = 0
    IGNORED = 1
    UNKNOWN_DEVICE = 2


class UnknownPolicy(enum.IntEnum):
    """`sippnp_unknown_policy` (C names: `SIPPNP_UNKNOWN_` + member name)."""

    SILENT = 0
    ANSWER = 1


class Cipher(enum.IntEnum):
    """`sippnp_cipher`: config encryption schemes (C names: `SIPPNP_CIPHER_` + member name).

    `Cipher.parse("grandstream-sha256")` accepts the CLI names (`grandstream`,
    `grandstream-sha256`, `yealink`, `panasonic`, `fanvil`); `Cipher.for_vendor("yealink")` is
    a vendor's default scheme (None when the vendor has none).
    """

    GRANDSTREAM = 1  # `openssl enc -aes-256-cbc -md md5 -k KEY` (salted), the phones' format
    GRANDSTREAM_SHA256 = 2  # the same container with OpenSSL 1.1's SHA-256 key derivation
    YEALINK = 3  # AES-128-ECB with a 16-character key, plus the `<name>_Security.enc` key file
    PANASONIC = 4  # salted OpenSSL AES-CBC in base64; 16/24/32-character key
    FANVIL = 5  # not public: always SIPPNP_ERR_CRYPTO_UNSUPPORTED

    @property
    def cli_name(self) -> str:
        """The name `parse()` accepts (`"grandstream-sha256"`)."""
        return self.name.lower().replace("_", "-")

    @classmethod
    def parse(cls, name: str) -> "Cipher":
        """The cipher called `name` (exact, lower case); ValueError otherwise."""
        for member in cls:
            if member.cli_name == name:
                return member
        names = ", ".join(m.cli_name for m in cls)
        raise ValueError(f"unknown cipher (expected one of {names})")

    @classmethod
    def for_vendor(cls, vendor: str) -> Optional["Cipher"]:
        """The default cipher of a canonical vendor id, or None (e.g. snom: use HTTPS)."""
        return {
            "grandstream": cls.GRANDSTREAM,
            "yealink": cls.YEALINK,
            "panasonic": cls.PANASONIC,
            "fanvil": cls.FANVIL,
        }.get(vendor)


# Each Python enum and the prefix its members carry in C.
ENUM_PREFIXES: dict[type[enum.IntEnum], str] = {
    Result: "SIPPNP_",
    Field: "SIPPNP_FIELD_",
    AccountField: "SIPPNP_ACCOUNT_",
    KeyField: "SIPPNP_KEY_",
    Transport: "SIPPNP_TRANSPORT_",
    Lookup: "SIPPNP_LOOKUP_",
    Action: "SIPPNP_ACTION_",
    Silence: "SIPPNP_SILENCE_",
    UnknownPolicy: "SIPPNP_UNKNOWN_",
    Cipher: "SIPPNP_CIPHER_",
}


def c_name(member: enum.IntEnum) -> str:
    """The C spelling of an enum member: `c_name(Result.ERR_SIP_NOT_SIP)` is
    `"SIPPNP_ERR_SIP_NOT_SIP"`."""
    return ENUM_PREFIXES[type(member)] + member.name


# Every enum member is also available under its C name (sippnp.SIPPNP_ERR_LOOKUP_FAILED, ...).
for _enum_cls in ENUM_PREFIXES:
    for _member in _enum_cls:
        globals()[c_name(_member)] = _member
del _enum_cls, _member

# ---------------------------------------------------------------------------------------------
# C types.
# ---------------------------------------------------------------------------------------------


class _Str(Structure):
    """`struct sippnp_str`: borrowed UTF-8, {NULL, 0} = absent."""

    _fields_ = [("ptr", c_void_p), ("len", c_size_t)]


class _Bytes(Structure):
    """`struct sippnp_bytes`."""

    _fields_ = [("data", c_void_p), ("len", c_size_t)]


class _Packet(Structure):
    """`struct sippnp_packet`."""

    _fields_ = [
        ("data", c_void_p),
        ("len", c_size_t),
        ("host", _Str),
        ("port", c_uint16),
        ("transport", _Str),
    ]


# Opaque handles: distinct incomplete structures so ctypes rejects a pointer of the wrong kind.
class _AnswerT(Structure):
    pass


class _AssignmentT(Structure):
    pass


class _CtxT(Structure):
    pass


class _CtxConfigT(Structure):
    pass


class _DeviceT(Structure):
    pass


class _ErrorT(Structure):
    pass


class _RenderedT(Structure):
    pass


LOOKUP_FN = CFUNCTYPE(c_uint32, c_void_p, POINTER(_DeviceT), POINTER(_AssignmentT))
USERDATA_FREE_FN = CFUNCTYPE(None, c_void_p)

# C type name -> ctypes type (used by the declarations below and by the header cross-check).
C_TYPES: dict[str, object] = {
    "sippnp_answer": _AnswerT,
    "sippnp_assignment": _AssignmentT,
    "sippnp_ctx": _CtxT,
    "sippnp_ctx_config": _CtxConfigT,
    "sippnp_device": _DeviceT,
    "sippnp_error": _ErrorT,
    "sippnp_rendered": _RenderedT,
    "sippnp_str": _Str,
    "sippnp_bytes": _Bytes,
    "sippnp_packet": _Packet,
    "sippnp_lookup_fn": LOOKUP_FN,
    "sippnp_userdata_free_fn": USERDATA_FREE_FN,
}

_P = POINTER
_ANSWER = _P(_AnswerT)
_ASSIGNMENT = _P(_AssignmentT)
_CTX = _P(_CtxT)
_CFG = _P(_CtxConfigT)
_DEVICE = _P(_DeviceT)
_ERROR = _P(_ErrorT)
_RENDERED = _P(_RenderedT)
_RESULT = c_uint32  # sippnp_result is uint32_t in C before C23

# Every exported function: name -> (restype, argtypes). Byte/text inputs are (c_char_p, size_t).
PROTOTYPES: dict[str, tuple[object, list[object]]] = {
    "sippnp_answer_action": (c_uint32, [_ANSWER]),
    "sippnp_answer_silence_reason": (c_uint32, [_ANSWER]),
    "sippnp_answer_url": (_Str, [_ANSWER]),
    "sippnp_answer_device": (_DEVICE, [_ANSWER]),
    "sippnp_answer_response": (_RESULT, [_ANSWER, _P(_Packet)]),
    "sippnp_answer_notify": (_RESULT, [_ANSWER, _P(_Packet)]),
    "sippnp_answer_free": (None, [_ANSWER]),
    "sippnp_assignment_new": (_RESULT, [_P(_ASSIGNMENT)]),
    "sippnp_assignment_free": (None, [_ASSIGNMENT]),
    "sippnp_assignment_set": (_RESULT, [_ASSIGNMENT, c_uint32, c_char_p, c_size_t]),
    "sippnp_assignment_set_account": (_RESULT, [_ASSIGNMENT, c_uint32, c_uint32, c_char_p, c_size_t]),
    "sippnp_assignment_set_key": (_RESULT, [_ASSIGNMENT, c_uint32, c_uint32, c_char_p, c_size_t]),
    "sippnp_assignment_set_account_port": (_RESULT, [_ASSIGNMENT, c_uint32, c_uint16]),
    "sippnp_assignment_set_account_transport": (_RESULT, [_ASSIGNMENT, c_uint32, c_uint32]),
    "sippnp_assignment_set_override": (_RESULT, [_ASSIGNMENT, c_char_p, c_size_t, c_char_p, c_size_t]),
    "sippnp_assignment_render": (_RESULT, [_ASSIGNMENT, _P(_RENDERED), _P(_ERROR)]),
    "sippnp_rendered_encrypt": (_RESULT, [_RENDERED, c_uint32, c_char_p, c_size_t, _P(_RENDERED), _P(_ERROR)]),
    "sippnp_decrypt": (
        _RESULT,
        [c_uint32, c_char_p, c_size_t, c_char_p, c_size_t, _P(_RENDERED), _P(_ERROR)],
    ),
    "sippnp_ctx_config_new": (_RESULT, [_P(_CFG)]),
    "sippnp_ctx_config_free": (None, [_CFG]),
    "sippnp_ctx_config_set_server": (_RESULT, [_CFG, c_char_p, c_size_t, c_uint16]),
    "sippnp_ctx_config_set_url_template": (_RESULT, [_CFG, c_char_p, c_size_t]),
    "sippnp_ctx_config_set_user_agent": (_RESULT, [_CFG, c_char_p, c_size_t]),
    "sippnp_ctx_config_set_unknown_policy": (_RESULT, [_CFG, c_uint32]),
    "sippnp_ctx_config_set_lookup": (_RESULT, [_CFG, LOOKUP_FN, c_void_p, USERDATA_FREE_FN]),
    "sippnp_ctx_config_set_secret": (_RESULT, [_CFG, c_char_p, c_size_t]),
    "sippnp_ctx_new": (_RESULT, [_CFG, _P(_CTX), _P(_ERROR)]),
    "sippnp_ctx_free": (None, [_CTX]),
    "sippnp_ctx_handle": (
        _RESULT,
        [_CTX, c_char_p, c_size_t, c_char_p, c_size_t, c_uint16, _P(_ANSWER), _P(_ERROR)],
    ),
    "sippnp_ctx_render": (_RESULT, [_CTX, c_char_p, c_size_t, _P(_RENDERED), _P(_ERROR)]),
    "sippnp_ctx_render_path": (_RESULT, [_CTX, c_char_p, c_size_t, _P(_RENDERED), _P(_ERROR)]),
    "sippnp_device_parse": (_RESULT, [c_char_p, c_size_t, _P(_DEVICE), _P(_ERROR)]),
    "sippnp_device_free": (None, [_DEVICE]),
    "sippnp_device_mac": (_Str, [_DEVICE]),
    "sippnp_device_mac_source": (_Str, [_DEVICE]),
    "sippnp_device_vendor": (_Str, [_DEVICE]),
    "sippnp_device_model": (_Str, [_DEVICE]),
    "sippnp_device_firmware": (_Str, [_DEVICE]),
    "sippnp_device_profile_type": (_Str, [_DEVICE]),
    "sippnp_device_user_agent": (_Str, [_DEVICE]),
    "sippnp_device_contact_host": (_Str, [_DEVICE]),
    "sippnp_device_transport": (_Str, [_DEVICE]),
    "sippnp_device_call_id": (_Str, [_DEVICE]),
    "sippnp_device_ip": (_Str, [_DEVICE]),
    "sippnp_device_contact_port": (c_uint16, [_DEVICE]),
    "sippnp_rendered_file_name": (_Str, [_RENDERED]),
    "sippnp_rendered_content_type": (_Str, [_RENDERED]),
    "sippnp_rendered_content": (_Bytes, [_RENDERED]),
    "sippnp_rendered_key_file_name": (_Str, [_RENDERED]),
    "sippnp_rendered_key_file": (_Bytes, [_RENDERED]),
    "sippnp_rendered_free": (None, [_RENDERED]),
    "sippnp_result_str": (c_char_p, [c_uint32]),
    "sippnp_error_code": (c_uint32, [_ERROR]),
    "sippnp_error_message": (_Str, [_ERROR]),
    "sippnp_error_free": (None, [_ERROR]),
    "sippnp_version": (c_char_p, []),
    "sippnp_abi_version": (c_uint32, []),
}

# ---------------------------------------------------------------------------------------------
# Loading.
# ---------------------------------------------------------------------------------------------

_REPO = Path(__file__).resolve().parent.parent.parent
_LIB: Optional[ctypes.CDLL] = None
_LIB_PATH: Optional[str] = None
_LIB_LOCK = threading.Lock()


def _library_file_name() -> str:
    if sys.platform == "darwin":
        return "libsippnp.dylib"
    if sys.platform == "win32":
        return "sippnp.dll"
    return "libsippnp.so"


def default_library_path() -> Path:
    """Where the library is looked for when neither a path nor `$SIPPNP_LIB` is given."""
    name = _library_file_name()
    roots = []
    if os.environ.get("CARGO_TARGET_DIR"):
        roots.append(Path(os.environ["CARGO_TARGET_DIR"]))
    roots.append(_REPO / "target")
    candidates = [root / profile / name for root in roots for profile in ("debug", "release")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"libsippnp not found (tried {tried}); build it or set SIPPNP_LIB")


def load(path: Union[str, os.PathLike, None] = None) -> ctypes.CDLL:
    """Loads the library (once per process) and declares every function's signature.

    Raises RuntimeError when the library's ABI generation differs from SIPPNP_ABI_VERSION,
    or when a different library was already loaded.
    """
    global _LIB, _LIB_PATH
    with _LIB_LOCK:
        if path is None and _LIB is not None:
            return _LIB
        if path is None:
            path = os.environ.get("SIPPNP_LIB") or default_library_path()
        resolved = str(Path(path).resolve())
        if _LIB is not None:
            if resolved != _LIB_PATH:
                raise RuntimeError(f"libsippnp already loaded from {_LIB_PATH}, not loading {resolved}")
            return _LIB
        lib = ctypes.CDLL(resolved)
        for name, (restype, argtypes) in PROTOTYPES.items():
            try:
                function = getattr(lib, name)
            except AttributeError:
                raise RuntimeError(f"{resolved} does not export {name}") from None
            function.restype = restype
            function.argtypes = argtypes
        abi = lib.sippnp_abi_version()
        if abi != SIPPNP_ABI_VERSION:
            raise RuntimeError(f"{resolved} implements ABI {abi}, this binding needs {SIPPNP_ABI_VERSION}")
        _LIB, _LIB_PATH = lib, resolved
        return lib


def _lib() -> ctypes.CDLL:
    return _LIB if _LIB is not None else load()


def version() -> str:
    """The loaded library's version (`"0.1.0"`)."""
    return _lib().sippnp_version().decode("utf-8")


def abi_version() -> int:
    """The loaded library's ABI generation."""
    return int(_lib().sippnp_abi_version())


def result_str(code: int) -> str:
    """The library's static message for a result code (`"unknown result code"` otherwise)."""
    return _lib().sippnp_result_str(_u32(code, "code")).decode("utf-8")


# ---------------------------------------------------------------------------------------------
# Errors and conversions.
# ---------------------------------------------------------------------------------------------


class SippnpError(Exception):
    """A failed call: `.code` (int), `.name` (`"SIPPNP_ERR_SIP_NOT_SIP"`), `.message`.

    The message comes from the library's `sippnp_error` when the call provides one, else from
    `sippnp_result_str`. The library never puts packets or secrets into it.
    """

    def __init__(self, code: int, message: Optional[str] = None):
        self.code = int(code)
        try:
            self.name = c_name(Result(self.code))
        except ValueError:
            self.name = f"SIPPNP_UNKNOWN_RESULT_{self.code}"
        self.message = message if message is not None else result_str(self.code)
        super().__init__(f"{self.name}: {self.message}")

    @property
    def result(self) -> Optional[Result]:
        """The code as a `Result` member (None for a code this binding does not know)."""
        try:
            return Result(self.code)
        except ValueError:
            return None


def _u32(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFFFFFF:
        raise ValueError(f"{what} must be an integer in 0..4294967295")
    return int(value)


def _u16(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFF:
        raise ValueError(f"{what} must be an integer in 0..65535")
    return int(value)


def _encode(value: Union[str, bytes], what: str) -> bytes:
    """Text for the library. Never echoes the value (it may be a password)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{what} is not encodable as UTF-8") from None


def _cipher(value: Union[Cipher, int, str]) -> Cipher:
    """A `Cipher` from a member, its value or its CLI name (`"grandstream"`)."""
    if isinstance(value, str):
        return Cipher.parse(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"cipher must be a sippnp.Cipher, int or str, not {type(value).__name__}")
    return Cipher(value)


def _text(view: _Str) -> Optional[str]:
    """Copies a borrowed sippnp_str; None when absent."""
    if not view.ptr:
        return None
    return ctypes.string_at(view.ptr, view.len).decode("utf-8")


def _error(code: int, err) -> SippnpError:
    """Builds the exception for a failed call and frees `err` (a POINTER(_ErrorT), maybe NULL)."""
    lib = _lib()
    message = None
    if err:
        try:
            message = _text(lib.sippnp_error_message(err))
        finally:
            lib.sippnp_error_free(err)
    return SippnpError(code, message)


def _check(code: int) -> None:
    """For calls without an out_err."""
    if code != Result.OK:
        raise SippnpError(code)


def _free_err(err) -> None:
    if err:
        _lib().sippnp_error_free(err)


# ---------------------------------------------------------------------------------------------
# Value types.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """A rendered config file: copies of its name, content type and bytes.

    An encrypted file (from `encrypt()`) may come with a key file to serve beside it (Yealink
    `<name>_Security.enc`): `key_file_name` and `key_file` (bytes), else both None.

    A `Rendered` the library returned also keeps the library's file, for `encrypt()`; it is
    freed with the `Rendered`. One built in Python (or with `dataclasses.replace`) cannot be
    encrypted: the C API encrypts only files it rendered.
    """

    file_name: str
    content_type: str
    content: bytes
    key_file_name: Optional[str] = None
    key_file: Optional[bytes] = None
    _handle: Optional["_RenderedHandle"] = field(default=None, init=False, repr=False, compare=False)

    def encrypt(self, cipher: Union[Cipher, int, str], key: Union[str, bytes] = "") -> "Rendered":
        """This file encrypted with `cipher` (a `Cipher`, its value or its name) and `key`.

        Grandstream: `key` is the phone's XML config password (P1359); the file keeps its name.
        Yealink: a 16-character key, or "" to draw a random one (it travels in `key_file`).
        Panasonic: a 16/24/32-character key; the file is renamed `<stem>.enc`. Fanvil: always
        SippnpError(SIPPNP_ERR_CRYPTO_UNSUPPORTED). Salts come from the OS random source.

        Raises SippnpError (SIPPNP_ERR_CRYPTO_*, with a message that never contains the key),
        ValueError for an unknown cipher or a `Rendered` the library did not make.
        """
        cipher = _cipher(cipher)
        data = _encode(key, "key")
        if self._handle is None:
            raise ValueError("only a Rendered returned by the library can be encrypted")
        out = _RENDERED()
        err = _ERROR()
        code = _lib().sippnp_rendered_encrypt(self._handle._p(), cipher, data, len(data), byref(out), byref(err))
        if code != Result.OK:
            raise _error(code, err)
        _free_err(err)
        return _take_rendered(out)

    def __repr__(self) -> str:  # the content may hold passwords, a key file holds the key
        key_file = "" if self.key_file_name is None else f", key_file_name={self.key_file_name!r}"
        return (
            f"Rendered(file_name={self.file_name!r}, content_type={self.content_type!r}, "
            f"{len(self.content)} bytes{key_file})"
        )


@dataclass(frozen=True)
class Packet:
    """One SIP message to send (a copy of the library's bytes)."""

    data: bytes
    host: str
    port: int
    transport: str

    @property
    def address(self) -> tuple[str, int]:
        """`(host, port)` for `socket.sendto` (the host may be a name to resolve)."""
        return (self.host, self.port)

    def __repr__(self) -> str:
        return f"Packet({len(self.data)} bytes to {self.host}:{self.port}/{self.transport})"


def _bytes(view: _Bytes) -> bytes:
    """Copies borrowed sippnp_bytes."""
    return ctypes.string_at(view.data, view.len) if view.data and view.len else b""


def _take_rendered(ptr) -> Rendered:
    """Copies a new sippnp_rendered into a `Rendered`, which then owns it."""
    lib = _lib()
    try:
        key_file_name = _text(lib.sippnp_rendered_key_file_name(ptr))
        rendered = Rendered(
            file_name=_text(lib.sippnp_rendered_file_name(ptr)) or "",
            content_type=_text(lib.sippnp_rendered_content_type(ptr)) or "",
            content=_bytes(lib.sippnp_rendered_content(ptr)),
            key_file_name=key_file_name,
            key_file=None if key_file_name is None else _bytes(lib.sippnp_rendered_key_file(ptr)),
        )
        handle = _RenderedHandle(ptr)
    except BaseException:
        lib.sippnp_rendered_free(ptr)
        raise
    object.__setattr__(rendered, "_handle", handle)
    return rendered


def decrypt(cipher: Union[Cipher, int, str], key: Union[str, bytes], data: bytes) -> bytes:
    """Decrypts `data` that `cipher` produced, with `key`; returns the plaintext.

    Yealink plaintext keeps its space padding, and a wrong Yealink key gives garbage rather
    than an error (ECB has no padding to check). Raises SippnpError: SIPPNP_ERR_CRYPTO_BAD_HEADER
    (not this cipher's container), SIPPNP_ERR_CRYPTO_BAD_PADDING (wrong key or corrupted),
    SIPPNP_ERR_CRYPTO_INVALID_KEY, SIPPNP_ERR_CRYPTO_UNSUPPORTED (Fanvil). Messages never
    contain the key.
    """
    cipher = _cipher(cipher)
    k = _encode(key, "key")
    d = bytes(data)
    lib = _lib()
    out = _RENDERED()
    err = _ERROR()
    code = lib.sippnp_decrypt(cipher, k, len(k), d, len(d), byref(out), byref(err))
    if code != Result.OK:
        raise _error(code, err)
    _free_err(err)
    try:
        return _bytes(lib.sippnp_rendered_content(out))
    finally:
        lib.sippnp_rendered_free(out)


# ---------------------------------------------------------------------------------------------
# Handles.
# ---------------------------------------------------------------------------------------------


class _Handle:
    """A library object: owned (freed by close/with/GC) or borrowed (never freed by Python).

    A borrowed view becomes invalid when its owner (`_owner`) closes, or when `_invalidate()`
    is called (lookup arguments, after the callback returns).
    """

    _kind = "object"
    _free_name: Optional[str] = None

    def __init__(self, ptr, owned: bool, owner: Optional["_Handle"] = None):
        self._ptr = ptr
        self._owned = owned
        self._owner = owner
        # Bound now, so __del__ still works while the interpreter shuts down.
        self._free = getattr(_lib(), self._free_name) if owned and self._free_name else None

    def _p(self):
        ptr = getattr(self, "_ptr", None)
        if not ptr or (self._owner is not None and not self._owner._alive()):
            raise ValueError(f"{self._kind} is closed or no longer valid")
        return ptr

    def _alive(self) -> bool:
        return bool(getattr(self, "_ptr", None))

    def _invalidate(self) -> None:
        self._ptr = None

    def close(self) -> None:
        """Frees an owned object (idempotent); for a borrowed view, only detaches it."""
        ptr, self._ptr = getattr(self, "_ptr", None), None
        free = getattr(self, "_free", None)
        if ptr and free is not None:
            free(ptr)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


class _RenderedHandle(_Handle):
    """The library's copy of a rendered file, kept by `Rendered` for `encrypt()`."""

    _kind = "Rendered"
    _free_name = "sippnp_rendered_free"

    def __init__(self, ptr):
        _Handle.__init__(self, ptr, owned=True)


class Device(_Handle):
    """What is known about one phone. Properties are read from the library on access.

    Get one from `Device.parse(datagram)` (owned), from a lookup call or `Answer.device`
    (borrowed views: valid while the lookup runs / until the answer closes).
    """

    _kind = "Device"
    _free_name = "sippnp_device_free"

    def __init__(self, *args, **kwargs):
        raise TypeError("use Device.parse(datagram); devices are also passed to lookups and answers")

    @classmethod
    def _wrap(cls, ptr, owned: bool, owner: Optional[_Handle] = None) -> "Device":
        self = cls.__new__(cls)
        _Handle.__init__(self, ptr, owned, owner)
        return self

    @classmethod
    def parse(cls, datagram: bytes) -> "Device":
        """Parses a SUBSCRIBE datagram; raises SippnpError (SIPPNP_ERR_SIP_*) otherwise."""
        data = bytes(datagram)
        lib = _lib()
        out = _DEVICE()
        err = _ERROR()
        code = lib.sippnp_device_parse(data, len(data), byref(out), byref(err))
        if code != Result.OK:
            raise _error(code, err)
        _free_err(err)
        return cls._wrap(out, owned=True)

    def _str(self, function: str) -> Optional[str]:
        return _text(getattr(_lib(), function)(self._p()))

    @property
    def mac(self) -> Optional[str]:
        """12 lower-case hex digits, or None when the phone sent none."""
        return self._str("sippnp_device_mac")

    @property
    def mac_source(self) -> Optional[str]:
        """`request-uri`, `to`, `from`, `user-agent` or `host`."""
        return self._str("sippnp_device_mac_source")

    @property
    def vendor(self) -> Optional[str]:
        return self._str("sippnp_device_vendor")

    @property
    def model(self) -> Optional[str]:
        return self._str("sippnp_device_model")

    @property
    def firmware(self) -> Optional[str]:
        return self._str("sippnp_device_firmware")

    @property
    def profile_type(self) -> Optional[str]:
        return self._str("sippnp_device_profile_type")

    @property
    def user_agent(self) -> Optional[str]:
        return self._str("sippnp_device_user_agent")

    @property
    def contact_host(self) -> Optional[str]:
        """Where the NOTIFY goes (IPv6 without brackets)."""
        return self._str("sippnp_device_contact_host")

    @property
    def contact_port(self) -> int:
        return int(_lib().sippnp_device_contact_port(self._p()))

    @property
    def transport(self) -> Optional[str]:
        return self._str("sippnp_device_transport")

    @property
    def call_id(self) -> Optional[str]:
        return self._str("sippnp_device_call_id")

    @property
    def ip(self) -> Optional[str]:
        return self._str("sippnp_device_ip")

    def to_dict(self) -> dict:
        """A plain copy of every field, usable after the device is gone."""
        names = (
            "mac mac_source vendor model firmware profile_type user_agent contact_host contact_port transport call_id ip"
        )
        return {name: getattr(self, name) for name in names.split()}

    def __repr__(self) -> str:
        if not self._alive():
            return "<Device (closed)>"
        try:
            return f"<Device mac={self.mac} vendor={self.vendor} model={self.model}>"
        except ValueError:
            return "<Device (no longer valid)>"




_Value = Union[str, bytes, int, bool, list, tuple, Transport]


def _field_text(value: "_Value") -> Union[str, bytes]:
    """A field value as the text the C setters take: booleans as 1/0, numbers in decimal,
    lists comma-separated, transports by name."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Transport):
        return value.name.lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(_field_text(v)) if not isinstance(v, str) else v for v in value)
    return value


def _encode_fields(kind: type, fields: dict) -> list:
    """(member, encoded value) for keyword arguments named after `kind`'s members; TypeError
    for an unknown name, before anything is set."""
    encoded = []
    for name, value in fields.items():
        try:
            member = kind[name.upper()]
        except KeyError:
            known = ", ".join(m.name.lower() for m in kind)
            raise TypeError(f"unknown {kind.__name__} {name!r} (known: {known})") from None
        encoded.append((member, _encode(_field_text(value), name)))
    return encoded


class Assignment(_Handle):
    """The vendor-neutral assignment of one device.

    `Assignment()` creates an owned one (for standalone `render()`); a lookup receives a
    borrowed one to fill in. Setters return the assignment, so they chain. Setters raise
    SippnpError with the library's generic message (the C setters have no error details) and
    never include the value in it.
    """

    _kind = "Assignment"
    _free_name = "sippnp_assignment_free"

    def __init__(self):
        out = _ASSIGNMENT()
        _check(_lib().sippnp_assignment_new(byref(out)))
        _Handle.__init__(self, out, owned=True)

    @classmethod
    def _wrap(cls, ptr) -> "Assignment":
        self = cls.__new__(cls)
        _Handle.__init__(self, ptr, owned=False)
        return self

    def set(self, field: Field, value: "_Value") -> "Assignment":
        """Sets a device-wide field (`Field.*`). Values: text, numbers, booleans (1/0), or a
        list (comma-separated); an empty text clears the field."""
        field = Field(field)
        data = _encode(_field_text(value), field.name.lower())
        _check(_lib().sippnp_assignment_set(self._p(), field, data, len(data)))
        return self

    def set_vendor(self, vendor: str) -> "Assignment":
        return self.set(Field.VENDOR, vendor)

    def set_model(self, model: str) -> "Assignment":
        return self.set(Field.MODEL, model)

    def set_provisioning_url(self, url: str) -> "Assignment":
        return self.set(Field.PROVISIONING_URL, url)

    def set_ntp_servers(self, *servers: str) -> "Assignment":
        return self.set(Field.NTP_SERVERS, list(servers))

    def set_timezone(self, timezone: str) -> "Assignment":
        """An IANA time zone name ("Europe/Berlin")."""
        return self.set(Field.TIMEZONE, timezone)

    def set_admin_password(self, password: str) -> "Assignment":
        return self.set(Field.ADMIN_PASSWORD, password)

    def set_mac(self, mac: str) -> "Assignment":
        return self.set(Field.MAC, mac)

    def set_keep_pnp_enabled(self, keep: bool) -> "Assignment":
        """Leave Plug-and-Play on after provisioning (default: the config switches it off)."""
        return self.set(Field.KEEP_PNP_ENABLED, keep)

    def set_fields(self, **fields: "_Value") -> "Assignment":
        """Sets device-wide fields by name: `set_fields(language="de", vlan_id=100)`."""
        encoded = _encode_fields(Field, fields)
        for field, data in encoded:
            _check(_lib().sippnp_assignment_set(self._p(), field, data, len(data)))
        return self

    def set_account(self, index: int, **fields: "_Value") -> "Assignment":
        """Sets fields of account `index` (1-based) by `AccountField` name in lower case:
        `set_account(1, user_id="101", registrar_host="pbx", codecs=["G722", "PCMA"])`.
        Names are checked before anything is set; a value the library refuses raises
        SippnpError (SIPPNP_ERR_INVALID_PARAMETER) and the fields before it stay set."""
        index = _u32(index, "account index")
        for field, data in _encode_fields(AccountField, fields):
            _check(_lib().sippnp_assignment_set_account(self._p(), index, field, data, len(data)))
        return self

    def set_key(self, index: int, **fields: "_Value") -> "Assignment":
        """Sets fields of key `index` (1-based, in your order) by `KeyField` name in lower
        case: `set_key(1, kind="blf", value="102", label="Bob")`."""
        index = _u32(index, "key index")
        for field, data in _encode_fields(KeyField, fields):
            _check(_lib().sippnp_assignment_set_key(self._p(), index, field, data, len(data)))
        return self

    def set_override(self, key: str, value: str) -> "Assignment":
        """Sets a raw vendor key (e.g. Grandstream `P1362`), winning over generated keys."""
        k = _encode(key, "override key")
        v = _encode(value, "override value")
        _check(_lib().sippnp_assignment_set_override(self._p(), k, len(k), v, len(v)))
        return self

    def render(self) -> Rendered:
        """Renders the config file (vendor from set_vendor, else from the MAC's OUI)."""
        out = _RENDERED()
        err = _ERROR()
        code = _lib().sippnp_assignment_render(self._p(), byref(out), byref(err))
        if code != Result.OK:
            raise _error(code, err)
        _free_err(err)
        return _take_rendered(out)

    def __repr__(self) -> str:
        return "<Assignment>" if self._alive() else "<Assignment (closed)>"


class Answer(_Handle):
    """What to do with one datagram. Owns the library's answer until closed.

    `action` is `"send"` or `"silent"`; `silence_reason` a `Silence` (NONE, falsy, when
    sending); `url` the provisioning URL in the NOTIFY (None when silent); `response` and
    `notify` are `Packet` copies (None when silent) — send the response first. `device` is a
    borrowed view valid until the answer is closed.
    """

    _kind = "Answer"
    _free_name = "sippnp_answer_free"

    def __init__(self, *args, **kwargs):
        raise TypeError("answers come from Context.handle()")

    @classmethod
    def _take(cls, ptr) -> "Answer":
        self = cls.__new__(cls)
        _Handle.__init__(self, ptr, owned=True)
        lib = _lib()
        action = lib.sippnp_answer_action(ptr)
        if action == Action.SEND:
            self.action = "send"
        elif action == Action.SILENT:
            self.action = "silent"
        else:
            self.close()
            raise SippnpError(Result.ERR_PANIC, f"unexpected answer action {action}")
        self.silence_reason = Silence(lib.sippnp_answer_silence_reason(ptr))
        self.url = _text(lib.sippnp_answer_url(ptr))
        self.response = self._packet(lib.sippnp_answer_response)
        self.notify = self._packet(lib.sippnp_answer_notify)
        self.device = Device._wrap(lib.sippnp_answer_device(ptr), owned=False, owner=self)
        return self

    def _packet(self, function) -> Optional[Packet]:
        out = _Packet()
        code = function(self._ptr, byref(out))
        if code == Result.ERR_NOTHING_TO_SEND:
            return None
        _check(code)
        return Packet(
            data=ctypes.string_at(out.data, out.len) if out.data else b"",
            host=_text(out.host) or "",
            port=int(out.port),
            transport=_text(out.transport) or "",
        )

    def __repr__(self) -> str:
        if self.action == "send":
            return f"<Answer send url={self.url}>"
        return f"<Answer silent reason={self.silence_reason.name}>"


class _LookupState:
    """Per-context lookup: the user's callable and, per thread, the exception it raised."""

    def __init__(self, function: Callable[[Device, Assignment], Lookup]):
        self.function = function
        self.local = threading.local()

    def take_exception(self) -> Optional[BaseException]:
        exc = getattr(self.local, "exception", None)
        self.local.exception = None
        return exc

    def call(self, device_ptr, out_ptr) -> int:
        device = Device._wrap(device_ptr, owned=False)
        assignment = Assignment._wrap(out_ptr)
        try:
            decision = self.function(device, assignment)
            if isinstance(decision, bool) or not isinstance(decision, int):
                raise TypeError(f"lookup must return a sippnp.Lookup value, not {type(decision).__name__}")
            return int(Lookup(decision))
        except BaseException as exc:  # never let anything cross into the library
            self.local.exception = exc
            return int(Lookup.ERROR)
        finally:
            # The library owns both; Python must not use them after the callback returns.
            device._invalidate()
            assignment._invalidate()


# userdata (an integer key) -> _LookupState, for every configuration or context the library
# still holds. The library calls _USERDATA_FREE exactly once per key when it lets go.
_REGISTRY: dict[int, _LookupState] = {}
_KEYS = itertools.count(1)


def _lookup_trampoline(userdata, device_ptr, out_ptr, _registry=_REGISTRY, _error_code=int(Lookup.ERROR)):
    try:
        state = _registry.get(userdata)
        if state is None:
            return _error_code
        return state.call(device_ptr, out_ptr)
    except BaseException:
        return _error_code


def _userdata_free_trampoline(userdata, _registry=_REGISTRY):
    try:
        _registry.pop(userdata, None)
    except BaseException:
        pass


# Module-level (and referenced by every Context), so they outlive every library object.
_LOOKUP = LOOKUP_FN(_lookup_trampoline)
_USERDATA_FREE = USERDATA_FREE_FN(_userdata_free_trampoline)


def _open_from_config(
    handle: "_Handle",
    create: Callable,
    server_host: str,
    server_port: int,
    url_template: str,
    lookup: Optional[Callable],
    user_agent: Optional[str],
    answer_unknown: bool,
    secret: Optional[bytes],
) -> None:
    """Builds a `sippnp_ctx_config` from the arguments, makes the Context's or Engine's C
    object from it with `create(cfg, err) -> (code, out)`, and stores it in `handle`. The
    config is freed either way; the lookup's state is kept on `handle`."""
    lib = _lib()
    if lookup is not None and not callable(lookup):
        raise TypeError("lookup must be callable")
    host = _encode(server_host, "server_host")
    port = _u16(server_port, "server_port")
    template = _encode(url_template, "url_template")
    agent = None if user_agent is None else _encode(user_agent, "user_agent")
    key_bytes = None if secret is None else bytes(secret)

    cfg = _CFG()
    _check(lib.sippnp_ctx_config_new(byref(cfg)))
    try:
        _check(lib.sippnp_ctx_config_set_server(cfg, host, len(host), port))
        _check(lib.sippnp_ctx_config_set_url_template(cfg, template, len(template)))
        if agent is not None:
            _check(lib.sippnp_ctx_config_set_user_agent(cfg, agent, len(agent)))
        policy = UnknownPolicy.ANSWER if answer_unknown else UnknownPolicy.SILENT
        _check(lib.sippnp_ctx_config_set_unknown_policy(cfg, policy))
        if key_bytes is not None:
            _check(lib.sippnp_ctx_config_set_secret(cfg, key_bytes, len(key_bytes)))
        if lookup is not None:
            state = _LookupState(lookup)
            key = next(_KEYS)
            _REGISTRY[key] = state
            code = lib.sippnp_ctx_config_set_lookup(cfg, _LOOKUP, key, _USERDATA_FREE)
            if code != Result.OK:  # the library did not take the userdata
                _REGISTRY.pop(key, None)
                raise SippnpError(code)
            handle._state = state
        err = _ERROR()
        code, out = create(cfg, err)
        if code != Result.OK:
            raise _error(code, err)
        _free_err(err)
        handle._ptr = out
    finally:
        lib.sippnp_ctx_config_free(cfg)


class Context(_Handle):
    """The responder: answers SUBSCRIBEs and renders configs.

    `lookup(device, assignment)` decides what a device gets: it receives a borrowed `Device`
    and a borrowed `Assignment` to fill in (both valid only during the call) and returns
    `Lookup.ASSIGN`, `Lookup.UNKNOWN` or `Lookup.IGNORE`. If it raises (or returns anything
    else), `handle()`/`render()` raise SippnpError(SIPPNP_ERR_LOOKUP_FAILED) chained to that
    exception; a KeyboardInterrupt or SystemExit propagates as itself. Without a lookup every
    device is unknown. `answer_unknown=True` answers unknown devices with the URL template.

    `handle()` and `render()` may run on several threads at once (the lookup then runs
    concurrently too); `close()` must not race them and must not be called from a lookup.
    """

    _kind = "Context"
    _free_name = "sippnp_ctx_free"

    def __init__(
        self,
        server_host: str,
        server_port: int,
        url_template: str,
        lookup: Optional[Callable[[Device, Assignment], Lookup]] = None,
        user_agent: Optional[str] = None,
        answer_unknown: bool = False,
        secret: Optional[bytes] = None,
    ):
        lib = _lib()
        _Handle.__init__(self, None, owned=True)
        self._state: Optional[_LookupState] = None
        self._keep = (_LOOKUP, _USERDATA_FREE, _REGISTRY)
        self._busy = 0
        self._busy_lock = threading.Lock()

        def create(cfg, err):
            out = _CTX()
            return lib.sippnp_ctx_new(cfg, byref(out), byref(err)), out

        _open_from_config(self, create, server_host, server_port, url_template, lookup, user_agent, answer_unknown, secret)

    def _call(self, function, *args):
        """Runs a library call that may invoke the lookup; returns (code, err)."""
        with self._busy_lock:
            ptr = self._p()
            self._busy += 1
        try:
            if self._state is not None:
                self._state.take_exception()
            err = _ERROR()
            code = function(ptr, *args, byref(err))
            exc = self._state.take_exception() if self._state is not None else None
        finally:
            with self._busy_lock:
                self._busy -= 1
        if code != Result.OK:
            error = _error(code, err)
            if exc is not None and not isinstance(exc, Exception):
                raise exc  # KeyboardInterrupt, SystemExit, ...
            if exc is not None:
                raise error from exc
            raise error
        _free_err(err)
        return code

    def handle(self, datagram: bytes, source_ip: str, source_port: int) -> Answer:
        """Handles one received datagram from `source_ip`:`source_port`.

        Raises SippnpError for datagrams that are not ua-profile SUBSCRIBEs (answer nothing)
        and for lookup failures.
        """
        data = bytes(datagram)
        ip = _encode(source_ip, "source_ip")
        port = _u16(source_port, "source_port")
        out = _ANSWER()
        self._call(_lib().sippnp_ctx_handle, data, len(data), ip, len(ip), port, byref(out))
        return Answer._take(out)

    def render(self, mac: str) -> Rendered:
        """Renders the config of the device with MAC `mac` as the lookup assigns it."""
        data = _encode(mac, "mac")
        out = _RENDERED()
        self._call(_lib().sippnp_ctx_render, data, len(data), byref(out))
        return _take_rendered(out)

    def render_path(self, path: str) -> Rendered:
        """Renders the file a phone requested by HTTP path or TFTP file name
        (`/prov/cfg000b82273b89.xml`); SippnpError SIPPNP_ERR_RENDER_UNKNOWN_PATH,
        SIPPNP_ERR_RENDER_UNSUPPORTED_FILE or SIPPNP_ERR_NOT_ASSIGNED mean "answer 404"."""
        data = _encode(path, "path")
        out = _RENDERED()
        self._call(_lib().sippnp_ctx_render_path, data, len(data), byref(out))
        return _take_rendered(out)

    def close(self) -> None:
        lock = getattr(self, "_busy_lock", None)
        if lock is not None:
            with lock:
                if self._busy:
                    raise RuntimeError("Context.close() while a call is running (from a lookup or another thread)")
                _Handle.close(self)
        else:
            _Handle.close(self)

    def __repr__(self) -> str:
        return "<Context>" if self._alive() else "<Context (closed)>"


__all__ = [
    "Action",
    "AccountField",
    "Answer",
    "Assignment",
    "Cipher",
    "Context",
    "Device",
    "Field",
    "Lookup",
    "Packet",
    "Rendered",
    "Result",
    "Silence",
    "SippnpError",
    "Transport",
    "UnknownPolicy",
    "abi_version",
    "c_name",
    "decrypt",
    "default_library_path",
    "load",
    "result_str",
    "version",
]


# ---------------------------------------------------------------------------------------------
# The engine: retransmissions, NOTIFY transactions, rate limits, tokens (sippnp_engine_*).
# ---------------------------------------------------------------------------------------------

import time  # noqa: E402
from ctypes import c_char, c_uint64  # noqa: E402


class EventKind(enum.IntEnum):
    """`sippnp_event_kind()` values (C names: `SIPPNP_EVENT_` + member name)."""

    DISCOVERED = 1
    ANSWERED = 2
    NOTIFIED = 3
    ACKNOWLEDGED = 4
    FAILED = 5
    SILENCED = 6
    RATE_LIMITED = 7


class FailReason(enum.IntEnum):
    """`sippnp_event_reason()` of a FAILED event (C names: `SIPPNP_FAIL_` + member name)."""

    NONE = 0
    TIMEOUT = 1  # Timer F: no final response within 64*T1
    REJECTED = 2  # the phone answered >= 300 (EngineEvent.status)
    EVICTED = 3  # the exchange table was full


ENUM_PREFIXES[EventKind] = "SIPPNP_EVENT_"
ENUM_PREFIXES[FailReason] = "SIPPNP_FAIL_"
for _enum_cls in (EventKind, FailReason):
    for _member in _enum_cls:
        globals()[c_name(_member)] = _member
del _enum_cls, _member

SIPPNP_MAC_BUFFER_LEN = 13


class _EngineT(Structure):
    pass


class _TransmitT(Structure):
    pass


class _EventT(Structure):
    pass


class _EngineOptions(Structure):
    """`struct sippnp_engine_options`."""

    _fields_ = [
        ("max_exchanges", c_size_t),
        ("max_sources", c_size_t),
        ("rate_per_source", c_uint32),
        ("rate_burst", c_uint32),
        ("t1_ms", c_uint64),
        ("t2_ms", c_uint64),
        ("timer_f_ms", c_uint64),
        ("linger_ms", c_uint64),
        ("token_ttl_ms", c_uint64),
        ("max_events", c_size_t),
    ]


class _EngineCounters(Structure):
    """`struct sippnp_engine_counters`."""

    _fields_ = [
        (name, c_uint64)
        for name in (
            "exchanges",
            "sources",
            "timers",
            "exchanges_evicted",
            "rate_limited",
            "retransmissions_absorbed",
            "notifies_sent",
            "notify_retransmissions",
            "notifies_acked",
            "notifies_failed",
            "stray_responses",
            "events_dropped",
            "transmits_dropped",
        )
    ]


C_TYPES.update(
    {
        "sippnp_engine": _EngineT,
        "sippnp_transmit": _TransmitT,
        "sippnp_event": _EventT,
        "sippnp_engine_options": _EngineOptions,
        "sippnp_engine_counters": _EngineCounters,
        "uint64_t": c_uint64,
    }
)

_ENGINE = _P(_EngineT)
_TRANSMIT = _P(_TransmitT)
_EVENT = _P(_EventT)

PROTOTYPES.update(
    {
        "sippnp_engine_options_default": (_EngineOptions, []),
        "sippnp_engine_new": (_RESULT, [_CFG, _P(_EngineOptions), _P(_ENGINE), _P(_ERROR)]),
        "sippnp_engine_free": (None, [_ENGINE]),
        "sippnp_engine_handle_datagram": (
            _RESULT,
            [_ENGINE, c_char_p, c_size_t, c_char_p, c_size_t, c_uint16, c_uint64, _P(_ERROR)],
        ),
        "sippnp_engine_poll_transmit": (_RESULT, [_ENGINE, _P(_TRANSMIT)]),
        "sippnp_transmit_packet": (_RESULT, [_TRANSMIT, _P(_Packet)]),
        "sippnp_transmit_free": (None, [_TRANSMIT]),
        "sippnp_engine_poll_event": (_RESULT, [_ENGINE, _P(_EVENT)]),
        "sippnp_engine_next_timeout": (_RESULT, [_ENGINE, _P(c_uint64)]),
        "sippnp_engine_handle_timeout": (_RESULT, [_ENGINE, c_uint64]),
        "sippnp_engine_verify_token": (
            _RESULT,
            [_ENGINE, c_char_p, c_size_t, c_char_p, c_size_t, c_uint64, c_char_p],
        ),
        "sippnp_engine_check_sync": (
            _RESULT,
            [_ENGINE, c_char_p, c_size_t, c_char_p, c_size_t, c_uint16, c_uint64, _P(_ERROR)],
        ),
        "sippnp_engine_stats": (_RESULT, [_ENGINE, _P(_EngineCounters)]),
        "sippnp_event_kind": (c_uint32, [_EVENT]),
        "sippnp_event_device": (_DEVICE, [_EVENT]),
        "sippnp_event_mac": (_Str, [_EVENT]),
        "sippnp_event_vendor": (_Str, [_EVENT]),
        "sippnp_event_model": (_Str, [_EVENT]),
        "sippnp_event_firmware": (_Str, [_EVENT]),
        "sippnp_event_ip": (_Str, [_EVENT]),
        "sippnp_event_port": (c_uint16, [_EVENT]),
        "sippnp_event_url": (_Str, [_EVENT]),
        "sippnp_event_status": (c_uint32, [_EVENT]),
        "sippnp_event_reason": (c_uint32, [_EVENT]),
        "sippnp_event_attempt": (c_uint32, [_EVENT]),
        "sippnp_event_free": (None, [_EVENT]),
    }
)

ENGINE_OPTIONS = tuple(name for name, _ in _EngineOptions._fields_)


def monotonic_ms() -> int:
    """Milliseconds of the monotonic clock: the default `now_ms` of `Engine` calls."""
    return time.monotonic_ns() // 1_000_000


@dataclass(frozen=True)
class EngineEvent:
    """One engine event (a copy). `kind` is an `EventKind`; the other fields are None/0 when
    the kind does not carry them. `reason` is a `FailReason` for FAILED, a `Silence` for
    SILENCED; `device` is `Device.to_dict()` of DISCOVERED, ANSWERED and SILENCED."""

    kind: EventKind
    mac: Optional[str] = None
    vendor: Optional[str] = None
    model: Optional[str] = None
    firmware: Optional[str] = None
    ip: Optional[str] = None
    port: int = 0
    url: Optional[str] = None
    status: int = 0
    reason: Union[FailReason, Silence, None] = None
    attempt: int = 0
    device: Optional[dict] = None


def _take_event(ptr) -> EngineEvent:
    """Copies a new sippnp_event and frees it."""
    lib = _lib()
    try:
        kind = EventKind(lib.sippnp_event_kind(ptr))
        raw_reason = int(lib.sippnp_event_reason(ptr))
        reason: Union[FailReason, Silence, None] = None
        if kind == EventKind.FAILED:
            reason = FailReason(raw_reason)
        elif kind == EventKind.SILENCED:
            reason = Silence(raw_reason)
        device = None
        device_ptr = lib.sippnp_event_device(ptr)
        if device_ptr:
            view = Device._wrap(device_ptr, owned=False)
            try:
                device = view.to_dict()
            finally:
                view._invalidate()
        return EngineEvent(
            kind=kind,
            mac=_text(lib.sippnp_event_mac(ptr)),
            vendor=_text(lib.sippnp_event_vendor(ptr)),
            model=_text(lib.sippnp_event_model(ptr)),
            firmware=_text(lib.sippnp_event_firmware(ptr)),
            ip=_text(lib.sippnp_event_ip(ptr)),
            port=int(lib.sippnp_event_port(ptr)),
            url=_text(lib.sippnp_event_url(ptr)),
            status=int(lib.sippnp_event_status(ptr)),
            reason=reason,
            attempt=int(lib.sippnp_event_attempt(ptr)),
            device=device,
        )
    finally:
        lib.sippnp_event_free(ptr)


def _u64(value: Optional[int], what: str) -> int:
    if value is None:
        return monotonic_ms()
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFFFFFFFFFFFFFF:
        raise ValueError(f"{what} must be an integer in 0..2**64-1")
    return int(value)


class Engine(_Handle):
    """The sans-IO PnP engine: feed it every datagram and the time; send what it queues.

        engine = sippnp.Engine("192.0.2.10", 5060, "http://192.0.2.10/prov/{mac}/{token}/",
                               lookup=lookup, t1_ms=500)
        engine.handle_datagram(data, ip, port)          # now_ms defaults to monotonic_ms()
        for packet in engine.transmits():
            sock.sendto(packet.data, packet.address)
        for event in engine.events():
            log(event)
        # wake up at engine.next_timeout() (absolute ms) and call engine.handle_timeout()

    Retransmitted SUBSCRIBEs get the same 200 OK again (no second lookup, no second NOTIFY);
    the NOTIFY is retransmitted until the phone answers (RFC 3261 Timer E/F); new exchanges
    are rate-limited per source IP; `{token}` in the URL becomes a signed token that
    `verify_token()` checks. Keyword options are the fields of `sippnp_engine_options`
    (`max_exchanges`, `t1_ms`, `token_ttl_ms`, ...); unset ones keep the library's defaults.

    Every method may be called from several threads (the engine locks itself). From inside
    its own lookup, calls on the same engine raise SippnpError(SIPPNP_ERR_REENTRANT). The
    lookup's exceptions are chained as for `Context`.
    """

    _kind = "Engine"
    _free_name = "sippnp_engine_free"

    def __init__(
        self,
        server_host: str,
        server_port: int,
        url_template: str,
        lookup: Optional[Callable[[Device, Assignment], Lookup]] = None,
        user_agent: Optional[str] = None,
        answer_unknown: bool = False,
        secret: Optional[bytes] = None,
        **options: int,
    ):
        lib = _lib()
        _Handle.__init__(self, None, owned=True)
        self._state: Optional[_LookupState] = None
        self._keep = (_LOOKUP, _USERDATA_FREE, _REGISTRY)
        self._busy = 0
        self._busy_lock = threading.Lock()
        unknown = sorted(set(options) - set(ENGINE_OPTIONS))
        if unknown:
            raise TypeError(f"unknown engine options: {', '.join(unknown)}")
        opts = lib.sippnp_engine_options_default()
        for name, value in options.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"engine option {name} must be a non-negative integer")
            setattr(opts, name, value)

        def create(cfg, err):
            out = _ENGINE()
            return lib.sippnp_engine_new(cfg, byref(opts), byref(out), byref(err)), out

        _open_from_config(self, create, server_host, server_port, url_template, lookup, user_agent, answer_unknown, secret)

    def _enter(self):
        with self._busy_lock:
            ptr = self._p()
            self._busy += 1
        return ptr

    def _leave(self) -> None:
        with self._busy_lock:
            self._busy -= 1

    def _simple(self, function, *args) -> int:
        """Runs a call without out_err or lookup; returns its code."""
        ptr = self._enter()
        try:
            return int(function(ptr, *args))
        finally:
            self._leave()

    def _with_lookup(self, function, *args) -> None:
        """Runs a call that takes out_err and may run the lookup; raises on failure."""
        ptr = self._enter()
        try:
            if self._state is not None:
                self._state.take_exception()
            err = _ERROR()
            code = function(ptr, *args, byref(err))
            exc = self._state.take_exception() if self._state is not None else None
        finally:
            self._leave()
        if code != Result.OK:
            error = _error(code, err)
            if exc is not None and not isinstance(exc, Exception):
                raise exc
            if exc is not None:
                raise error from exc
            raise error
        _free_err(err)

    def handle_datagram(self, datagram: bytes, source_ip: str, source_port: int, now_ms: Optional[int] = None) -> None:
        """Handles one received datagram (a SUBSCRIBE or a response to our NOTIFY).

        Raises SippnpError for anything else (send nothing) and for lookup failures.
        """
        data = bytes(datagram)
        ip = _encode(source_ip, "source_ip")
        port = _u16(source_port, "source_port")
        now = _u64(now_ms, "now_ms")
        self._with_lookup(_lib().sippnp_engine_handle_datagram, data, len(data), ip, len(ip), port, now)

    def poll_transmit(self) -> Optional[Packet]:
        """The next datagram to send (a copy), or None."""
        out = _TRANSMIT()
        code = self._simple(_lib().sippnp_engine_poll_transmit, byref(out))
        if code == Result.EMPTY:
            return None
        _check(code)
        lib = _lib()
        try:
            view = _Packet()
            _check(lib.sippnp_transmit_packet(out, byref(view)))
            return Packet(
                data=ctypes.string_at(view.data, view.len) if view.data else b"",
                host=_text(view.host) or "",
                port=int(view.port),
                transport=_text(view.transport) or "",
            )
        finally:
            lib.sippnp_transmit_free(out)

    def transmits(self) -> list[Packet]:
        """Every queued datagram, oldest first."""
        return list(iter(self.poll_transmit, None))

    def poll_event(self) -> Optional[EngineEvent]:
        """The next event, or None."""
        out = _EVENT()
        code = self._simple(_lib().sippnp_engine_poll_event, byref(out))
        if code == Result.EMPTY:
            return None
        _check(code)
        return _take_event(out)

    def events(self) -> list[EngineEvent]:
        """Every queued event, oldest first."""
        return list(iter(self.poll_event, None))

    def next_timeout(self) -> Optional[int]:
        """When to call `handle_timeout()` next (absolute ms), or None when idle."""
        out = c_uint64()
        code = self._simple(_lib().sippnp_engine_next_timeout, byref(out))
        if code == Result.NO_TIMER:
            return None
        _check(code)
        return int(out.value)

    def handle_timeout(self, now_ms: Optional[int] = None) -> None:
        """Runs the timers due at `now_ms` (NOTIFY retransmissions, Timer F, clean-up)."""
        _check(self._simple(_lib().sippnp_engine_handle_timeout, _u64(now_ms, "now_ms")))

    def verify_token(self, token: Union[str, bytes], ip: str, now_ms: Optional[int] = None) -> str:
        """The MAC a `{token}` was issued to, checked against the fetching `ip`.

        Raises SippnpError SIPPNP_ERR_TOKEN_MALFORMED, _INVALID (forged, another engine's,
        another IP) or _EXPIRED.
        """
        data = _encode(token, "token")
        address = _encode(ip, "ip")
        mac = (c_char * SIPPNP_MAC_BUFFER_LEN)()
        code = self._simple(
            _lib().sippnp_engine_verify_token,
            data,
            len(data),
            address,
            len(address),
            _u64(now_ms, "now_ms"),
            ctypes.cast(mac, c_char_p),
        )
        _check(code)
        return mac.value.decode("ascii")

    def check_sync(self, mac: str, ip: str, port: int, now_ms: Optional[int] = None) -> None:
        """Queues a `check-sync` NOTIFY to the phone with `mac` at `ip`:`port` (UDP)."""
        m = _encode(mac, "mac")
        address = _encode(ip, "ip")
        self._with_lookup(
            _lib().sippnp_engine_check_sync,
            m,
            len(m),
            address,
            len(address),
            _u16(port, "port"),
            _u64(now_ms, "now_ms"),
        )

    def stats(self) -> dict[str, int]:
        """Counters and table sizes (the fields of `sippnp_engine_counters`)."""
        out = _EngineCounters()
        _check(self._simple(_lib().sippnp_engine_stats, byref(out)))
        return {name: int(getattr(out, name)) for name, _ in _EngineCounters._fields_}

    def close(self) -> None:
        lock = getattr(self, "_busy_lock", None)
        if lock is not None:
            with lock:
                if self._busy:
                    raise RuntimeError("Engine.close() while a call is running (from a lookup or another thread)")
                _Handle.close(self)
        else:
            _Handle.close(self)

    def __repr__(self) -> str:
        return "<Engine>" if self._alive() else "<Engine (closed)>"


__all__ += ["Engine", "EngineEvent", "EventKind", "FailReason", "monotonic_ms"]
