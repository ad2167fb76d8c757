"""Asterisk / FreePBX connector: missed calls read from the Asterisk Manager Interface."""

from connectors.asterisk.connection import AmiConnection
from connectors.asterisk.detector import DetectorSettings, MissedCallDetector
from connectors.asterisk.errors import (
    AmiConnectionLost,
    AmiError,
    AmiKeepaliveTimeout,
    AmiLoginError,
    AmiProtocolError,
)
from connectors.asterisk.parser import AmiMessage, AmiParser
from connectors.asterisk.settings import AmiSettings
from connectors.asterisk.verdict import Verdict, VerdictKind, to_call_event

__all__ = [
    "AmiConnection",
    "AmiConnectionLost",
    "AmiError",
    "AmiKeepaliveTimeout",
    "AmiLoginError",
    "AmiMessage",
    "AmiParser",
    "AmiProtocolError",
    "AmiSettings",
    "DetectorSettings",
    "MissedCallDetector",
    "Verdict",
    "VerdictKind",
    "to_call_event",
]
