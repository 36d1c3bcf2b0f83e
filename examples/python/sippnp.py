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
    ERR_CRYPTO_UNSUPPORTED = 450
    ERR_CRYPTO_INVALID_KEY = 451
    ERR_CRYPTO_BAD_HEADER = 452
    ERR_CRYPTO_BAD_PADDING = 453
    ERR_CRYPTO_RANDOM = 454
    ERR_INVALID_TEMPLATE = 500
    ERR_INVALID_CONFIG = 501
    ERR_PANIC = 900


class Field(enum.IntEnum):
    """`sippnp_field` (C names: `SIPPNP_FIELD_` + member name)."""

    VENDOR = 1
    MODEL = 2
    PROVISIONING_URL = 3
    NTP_SERVER = 4
    TIMEZONE = 5
    ADMIN_PASSWORD = 6
    MAC = 7
    KEEP_PNP_ENABLED = 8


class AccountField(enum.IntEnum):
    """`sippnp_account_field` (C names: `SIPPNP_ACCOUNT_` + member name)."""

    LABEL = 1
    DISPLAY_NAME = 2
    USER_ID = 3
    AUTH_ID = 4
    PASSWORD = 5
    REGISTRAR_HOST = 6
    OUTBOUND_PROXY = 7


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


_TRANSPORTS = {"udp": Transport.UDP, "tcp": Transport.TCP, "tls": Transport.TLS}


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

    def set(self, field: Field, value: Union[str, bytes]) -> "Assignment":
        """Sets a device-wide field (`Field.*`)."""
        field = Field(field)
        data = _encode(value, field.name.lower())
        _check(_lib().sippnp_assignment_set(self._p(), field, data, len(data)))
        return self

    def set_vendor(self, vendor: str) -> "Assignment":
        return self.set(Field.VENDOR, vendor)

    def set_model(self, model: str) -> "Assignment":
        return self.set(Field.MODEL, model)

    def set_provisioning_url(self, url: str) -> "Assignment":
        return self.set(Field.PROVISIONING_URL, url)

    def set_ntp_server(self, server: str) -> "Assignment":
        return self.set(Field.NTP_SERVER, server)

    def set_timezone(self, timezone: str) -> "Assignment":
        return self.set(Field.TIMEZONE, timezone)

    def set_admin_password(self, password: str) -> "Assignment":
        return self.set(Field.ADMIN_PASSWORD, password)

    def set_mac(self, mac: str) -> "Assignment":
        return self.set(Field.MAC, mac)

    def set_keep_pnp_enabled(self, keep: bool) -> "Assignment":
        """Leave Plug-and-Play on after provisioning (default: the config switches it off)."""
        return self.set(Field.KEEP_PNP_ENABLED, "1" if keep else "0")

    def set_account(
        self,
        index: int,
        *,
        label: Optional[str] = None,
        display_name: Optional[str] = None,
        user_id: Optional[str] = None,
        auth_id: Optional[str] = None,
        password: Optional[str] = None,
        registrar_host: Optional[str] = None,
        registrar_port: Optional[int] = None,
        transport: Union[str, Transport, None] = None,
        outbound_proxy: Optional[str] = None,
    ) -> "Assignment":
        """Sets the given fields of account `index` (1-based); None leaves a field as it is."""
        lib = _lib()
        index = _u32(index, "account index")
        texts = (
            (AccountField.LABEL, label),
            (AccountField.DISPLAY_NAME, display_name),
            (AccountField.USER_ID, user_id),
            (AccountField.AUTH_ID, auth_id),
            (AccountField.PASSWORD, password),
            (AccountField.REGISTRAR_HOST, registrar_host),
            (AccountField.OUTBOUND_PROXY, outbound_proxy),
        )
        # Validate everything before changing anything.
        encoded = [(f, _encode(v, f.name.lower())) for f, v in texts if v is not None]
        port = None if registrar_port is None else _u16(registrar_port, "registrar_port")
        code = None
        if transport is not None:
            if isinstance(transport, str):
                if transport.lower() not in _TRANSPORTS:
                    raise ValueError("transport must be 'udp', 'tcp' or 'tls'")
                code = _TRANSPORTS[transport.lower()]
            else:
                code = Transport(transport)
        for field, data in encoded:
            _check(lib.sippnp_assignment_set_account(self._p(), index, field, data, len(data)))
        if port is not None:
            _check(lib.sippnp_assignment_set_account_port(self._p(), index, port))
        if code is not None:
            _check(lib.sippnp_assignment_set_account_transport(self._p(), index, code))
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
                self._state = state
            out = _CTX()
            err = _ERROR()
            code = lib.sippnp_ctx_new(cfg, byref(out), byref(err))
            if code != Result.OK:
                raise _error(code, err)
            _free_err(err)
            self._ptr = out
        finally:
            lib.sippnp_ctx_config_free(cfg)

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
