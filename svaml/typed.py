"""Per-callback views of :class:`~svaml.document.Svaml` for the type checker.

``Svaml.ice()`` returns a ``Svaml`` at run time, typed as :class:`IceSvaml`: a protocol that has
only the methods an ICE response allows, so mypy rejects ``Svaml.ace().answer()`` just as the
builder does when it runs. Any ``Svaml`` satisfies every one of these protocols, so a function
annotated ``-> IceSvaml`` may return a plain ``Svaml()`` too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypeVar

from svaml.model.actions import (
    Action,
    Amd,
    CallHeader,
    ConferenceDtmfOptions,
    Destination,
    Menu,
    StreamingOptions,
)
from svaml.model.enums import Indications, Moh, Transport
from svaml.model.instructions import Instruction, RecordingOptions
from svaml.model.permissions import Callback

__all__ = ["AceSvaml", "CallLegSvaml", "IceSvaml", "PatchSvaml", "PieSvaml"]

_R = TypeVar("_R", covariant=True)


class _Document(Protocol):
    @property
    def instructions(self) -> tuple[Instruction, ...]: ...
    @property
    def action(self) -> Action | None: ...
    @property
    def callback(self) -> Callback | None: ...
    def to_dict(self, *, check: bool = True) -> dict[str, Any]: ...
    def to_json(self, *, indent: int | None = None, check: bool = True) -> str: ...


class _Answer(Protocol[_R]):
    def answer(self) -> _R: ...


class _Prompts(Protocol[_R]):
    def say(self, text: str, *, locale: str | None = None) -> _R: ...
    def play_files(self, *ids: str, locale: str | None = None) -> _R: ...


class _Cookies(Protocol[_R]):
    def set_cookie(self, key: str, value: str) -> _R: ...
    def start_recording(self, options: RecordingOptions | None = None) -> _R: ...
    def stop_recording(self) -> _R: ...


class _Dtmf(Protocol[_R]):
    def send_dtmf(self, value: str) -> _R: ...


class _Hangup(Protocol[_R]):
    def hangup(self) -> _R: ...


class _Continue(Protocol[_R]):
    def continue_(self) -> _R: ...


class _ConnectPstn(Protocol[_R]):
    def connect_pstn(
        self,
        number: str | None = None,
        *,
        locale: str | None = None,
        max_duration: int | None = None,
        dial_timeout: int | None = None,
        cli: str | None = None,
        suppress_callbacks: bool | None = None,
        dtmf: str | None = None,
        indications: Indications | str | None = None,
        amd: Amd | None = None,
    ) -> _R: ...


class _ConnectMxp(Protocol[_R]):
    def connect_mxp(
        self,
        destination: Destination | str | None = None,
        *,
        call_headers: Mapping[str, str] | Iterable[CallHeader] = (),
    ) -> _R: ...


class _ConnectConf(Protocol[_R]):
    def connect_conf(
        self,
        conference_id: str,
        *,
        conference_dtmf_options: ConferenceDtmfOptions | None = None,
        moh: Moh | str | None = None,
    ) -> _R: ...


class _ConnectSip(Protocol[_R]):
    def connect_sip(
        self,
        destination: Destination | str,
        *,
        max_duration: int | None = None,
        cli: str | None = None,
        transport: Transport | str | None = None,
        suppress_callbacks: bool | None = None,
        call_headers: Mapping[str, str] | Iterable[CallHeader] = (),
        moh: Moh | str | None = None,
    ) -> _R: ...


class _ConnectStream(Protocol[_R]):
    def connect_stream(
        self,
        destination: Destination | str,
        *,
        streaming_options: StreamingOptions | None = None,
        max_duration: int | None = None,
        call_headers: Mapping[str, str] | Iterable[CallHeader] = (),
    ) -> _R: ...


class _RunMenu(Protocol[_R]):
    def run_menu(
        self,
        *menus: Menu,
        barge: bool | None = None,
        locale: str | None = None,
        main_menu: str | None = None,
        enable_voice: bool | None = None,
    ) -> _R: ...


class _Park(Protocol[_R]):
    def park(
        self,
        *,
        locale: str | None = None,
        intro_prompt: str | None = None,
        hold_prompt: str | None = None,
        max_duration: int | None = None,
    ) -> _R: ...


class IceSvaml(
    _Document,
    _Answer["IceSvaml"],
    _Prompts["IceSvaml"],
    _Cookies["IceSvaml"],
    _Dtmf["IceSvaml"],
    _Hangup["IceSvaml"],
    _ConnectPstn["IceSvaml"],
    _ConnectMxp["IceSvaml"],
    _ConnectConf["IceSvaml"],
    _ConnectSip["IceSvaml"],
    _ConnectStream["IceSvaml"],
    _RunMenu["IceSvaml"],
    _Park["IceSvaml"],
    Protocol,
):
    """A response to an Incoming Call Event: every instruction; every action but ``continue``."""


class AceSvaml(
    _Document,
    _Prompts["AceSvaml"],
    _Cookies["AceSvaml"],
    _Hangup["AceSvaml"],
    _Continue["AceSvaml"],
    _ConnectConf["AceSvaml"],
    _RunMenu["AceSvaml"],
    Protocol,
):
    """A response to an Answered Call Event: no answer or sendDtmf; four actions.

    The actions are hangup, continue, connectConf and runMenu.
    """


class PieSvaml(
    _Document,
    _Prompts["PieSvaml"],
    _Cookies["PieSvaml"],
    _Dtmf["PieSvaml"],
    _Hangup["PieSvaml"],
    _Continue["PieSvaml"],
    _ConnectPstn["PieSvaml"],
    _ConnectConf["PieSvaml"],
    _ConnectSip["PieSvaml"],
    _RunMenu["PieSvaml"],
    Protocol,
):
    """A response to a Prompt Input Event: no ``answer``; no connectMxp, connectStream or park."""


class PatchSvaml(
    _Document,
    _Answer["PatchSvaml"],
    _Prompts["PatchSvaml"],
    _Cookies["PatchSvaml"],
    _Dtmf["PatchSvaml"],
    _Hangup["PatchSvaml"],
    _Continue["PatchSvaml"],
    _Park["PatchSvaml"],
    Protocol,
):
    """The body of a call update: every instruction; the actions hangup, continue and park."""


class CallLegSvaml(
    _Document,
    _Prompts["CallLegSvaml"],
    _Hangup["CallLegSvaml"],
    _Continue["CallLegSvaml"],
    _Park["CallLegSvaml"],
    Protocol,
):
    """The body of a call-leg update: playFiles and say, with a call-update action."""
