"""The SVAML document, which is also its own chainable builder.

This module sits above the rules: ``to_dict``/``to_json`` check the document for its callback
with the validator, and ``from_dict``/``from_json`` read through the codec.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from svaml import _json, codec
from svaml.errors import SvamlError, SvamlTypeError
from svaml.model._fields import to_tuple
from svaml.model.actions import (
    Action,
    Amd,
    CallHeader,
    ConferenceDtmfOptions,
    ConnectConf,
    ConnectMxp,
    ConnectPstn,
    ConnectSip,
    ConnectStream,
    Continue,
    Destination,
    Hangup,
    Menu,
    Park,
    RunMenu,
    StreamingOptions,
)
from svaml.model.document import Document
from svaml.model.enums import DestinationType, Indications, Moh, Transport
from svaml.model.instructions import (
    Answer,
    Instruction,
    PlayFiles,
    RecordingOptions,
    Say,
    SendDtmf,
    SetCookie,
    StartRecording,
    StopRecording,
)
from svaml.model.permissions import ALLOWED_IN, Callback, callback_of, refusal
from svaml.rules import check_built

if TYPE_CHECKING:
    from svaml.typed import AceSvaml, CallLegSvaml, IceSvaml, PatchSvaml, PieSvaml

__all__ = ["Svaml"]

_INSTRUCTION_TYPES = (PlayFiles, Say, SendDtmf, SetCookie, Answer, StartRecording, StopRecording)
_ACTION_TYPES = (
    Hangup,
    Continue,
    ConnectPstn,
    ConnectMxp,
    ConnectConf,
    ConnectSip,
    ConnectStream,
    RunMenu,
    Park,
)



def _call_headers(
    headers: Mapping[str, str] | Iterable[CallHeader],
) -> tuple[CallHeader, ...]:
    if isinstance(headers, Mapping):
        return tuple(CallHeader(key=k, value=v) for k, v in headers.items())
    return to_tuple(headers)


def _destination(value: Destination | str | None, kind: DestinationType) -> Destination | None:
    if value is None or isinstance(value, Destination):
        return value
    if isinstance(value, str):
        return Destination(type=kind, endpoint=value)
    raise SvamlTypeError(f"destination must be a Destination or str, got {type(value).__name__}")


@attrs.frozen(kw_only=True)
class Svaml(Document):
    """A SVAML document: instructions, executed in order, and exactly one action.

    ``Svaml`` is immutable; every builder method returns a new document, so a shared prefix can be
    branched safely::

        >>> from svaml import Svaml
        >>> Svaml().answer().say("Hello", locale="en-US").hangup().to_json()
        '{"instructions":[{"name":"answer"},{"name":"say","text":"Hello","locale":"en-US"}],"action":{"name":"hangup"}}'

    Start from :meth:`ice`, :meth:`ace`, :meth:`pie`, :meth:`patch` or :meth:`call_leg` to say
    where the document will be used: a method that callback does not allow then raises at once,
    and mypy rejects it too.
    """

    # -- entry points -------------------------------------------------------------------------

    @classmethod
    def ice(cls) -> IceSvaml:
        """Start a response to an Incoming Call Event."""
        return _EMPTY[Callback.ICE]

    @classmethod
    def ace(cls) -> AceSvaml:
        """Start a response to an Answered Call Event."""
        return _EMPTY[Callback.ACE]

    @classmethod
    def pie(cls) -> PieSvaml:
        """Start a response to a Prompt Input Event."""
        return _EMPTY[Callback.PIE]

    @classmethod
    def patch(cls) -> PatchSvaml:
        """Start the body of a call update (``PATCH /calls/id/{callId}``)."""
        return _EMPTY[Callback.PATCH]

    @classmethod
    def call_leg(cls) -> CallLegSvaml:
        """Start the body of a call-leg update (playFiles and say only)."""
        return _EMPTY[Callback.CALL_LEG]

    @classmethod
    def from_dict(cls, data: Any, *, callback: Callback | str | None = None) -> Svaml:
        """Read a decoded SVAML document; raise :class:`SvamlError` listing every problem."""
        return _from_document(codec.structure(data, Document), callback_of(callback))

    @classmethod
    def from_json(cls, text: str | bytes, *, callback: Callback | str | None = None) -> Svaml:
        """Read SVAML JSON text; raise :class:`SvamlError` listing every problem."""
        return _from_document(codec.structure(_json.decode_json(text), Document), callback_of(callback))

    # -- output -------------------------------------------------------------------------------

    def to_dict(self, *, check: bool = True) -> dict[str, Any]:
        """Return the document as JSON-ready data, checked for its callback unless ``check=False``."""
        data: dict[str, Any] = codec.unstructure(self)
        if check:
            check_built(self, data)
        return data

    def to_json(self, *, indent: int | None = None, check: bool = True) -> str:
        """Return the document as JSON text: compact by default, ``indent=2`` for humans."""
        return _json.dumps(self.to_dict(check=check), indent=indent)

    # -- generic steps ------------------------------------------------------------------------

    def with_instruction(self, instruction: Instruction) -> Svaml:
        """Return a copy with ``instruction`` appended."""
        if not isinstance(instruction, _INSTRUCTION_TYPES):
            raise SvamlTypeError(f"expected an instruction, got {type(instruction).__name__}")
        self._allow(instruction.name)
        return self._replace((*self.instructions, instruction), self.action)

    def with_action(self, action: Action) -> Svaml:
        """Return a copy whose action is ``action``; a document has exactly one action."""
        if not isinstance(action, _ACTION_TYPES):
            raise SvamlTypeError(f"expected an action, got {type(action).__name__}")
        self._allow(action.name)
        if self.action is not None:
            raise SvamlError(
                f"this document already has the action {self.action.name}; cannot also set "
                f"{action.name}: a SVAML document has exactly one action"
            )
        return self._replace(self.instructions, action)

    def _allow(self, name: str) -> None:
        callback = self.callback
        if callback is not None and name not in ALLOWED_IN[callback]:
            raise SvamlError(refusal(name, callback) or f"{name} is not allowed in {callback.phrase}")

    def _replace(self, instructions: tuple[Instruction, ...], action: Action | None) -> Svaml:
        return Svaml(instructions=instructions, action=action, extras=self.extras, callback=self.callback)

    # -- instructions -------------------------------------------------------------------------

    def answer(self) -> Svaml:
        """Answer the call (ICE responses and call updates)."""
        return self.with_instruction(Answer())

    def say(self, text: str, *, locale: str | None = None) -> Svaml:
        """Speak ``text`` with text-to-speech."""
        return self.with_instruction(Say(text=text, locale=locale))

    def play_files(self, *ids: str, locale: str | None = None) -> Svaml:
        """Play prompts: URLs, ``tts(…)``, ``ssml(…)``, ``href(…)`` or recorded file ids."""
        return self.with_instruction(PlayFiles(ids=ids, locale=locale))

    def send_dtmf(self, value: str) -> Svaml:
        """Send DTMF tones (``0-9``, ``#``, ``w`` for a 500 ms pause)."""
        return self.with_instruction(SendDtmf(value=value))

    def set_cookie(self, key: str, value: str) -> Svaml:
        """Store a value that Sinch sends back in every later callback of the call."""
        return self.with_instruction(SetCookie(key=key, value=value))

    def start_recording(self, options: RecordingOptions | None = None) -> Svaml:
        """Start recording the call."""
        return self.with_instruction(StartRecording(options=options))

    def stop_recording(self) -> Svaml:
        """Stop the recording."""
        return self.with_instruction(StopRecording())

    # -- actions ------------------------------------------------------------------------------

    def hangup(self) -> Svaml:
        """End the call."""
        return self.with_action(Hangup())

    def continue_(self) -> Svaml:
        """Let the call go on (not in an ICE response)."""
        return self.with_action(Continue())

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
    ) -> Svaml:
        """Connect the call to a phone number (E.164, for example ``+46700000000``)."""
        return self.with_action(
            ConnectPstn(
                number=number,
                locale=locale,
                max_duration=max_duration,
                dial_timeout=dial_timeout,
                cli=cli,
                suppress_callbacks=suppress_callbacks,
                dtmf=dtmf,
                indications=indications,
                amd=amd,
            )
        )

    def connect_mxp(
        self,
        destination: Destination | str | None = None,
        *,
        call_headers: Mapping[str, str] | Iterable[CallHeader] = (),
    ) -> Svaml:
        """Connect the call to an in-app user (a ``str`` destination is a username)."""
        return self.with_action(
            ConnectMxp(
                destination=_destination(destination, DestinationType.USERNAME),
                call_headers=_call_headers(call_headers),
            )
        )

    def connect_conf(
        self,
        conference_id: str,
        *,
        conference_dtmf_options: ConferenceDtmfOptions | None = None,
        moh: Moh | str | None = None,
    ) -> Svaml:
        """Connect the call to the conference ``conference_id``."""
        return self.with_action(
            ConnectConf(
                conference_id=conference_id,
                conference_dtmf_options=conference_dtmf_options,
                moh=moh,
            )
        )

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
    ) -> Svaml:
        """Connect the call to a SIP endpoint (a ``str`` destination is a ``user@host`` URI)."""
        dest = _destination(destination, DestinationType.SIP)
        return self.with_action(
            ConnectSip(
                destination=dest,  # type: ignore[arg-type]  # None only if the caller passed None
                max_duration=max_duration,
                cli=cli,
                transport=transport,
                suppress_callbacks=suppress_callbacks,
                call_headers=_call_headers(call_headers),
                moh=moh,
            )
        )

    def connect_stream(
        self,
        destination: Destination | str,
        *,
        streaming_options: StreamingOptions | None = None,
        max_duration: int | None = None,
        call_headers: Mapping[str, str] | Iterable[CallHeader] = (),
    ) -> Svaml:
        """Stream the call's audio to a WebSocket server (a ``str`` destination is its URL)."""
        dest = _destination(destination, DestinationType.WEBSOCKET)
        return self.with_action(
            ConnectStream(
                destination=dest,  # type: ignore[arg-type]  # None only if the caller passed None
                streaming_options=streaming_options,
                max_duration=max_duration,
                call_headers=_call_headers(call_headers),
            )
        )

    def run_menu(
        self,
        *menus: Menu,
        barge: bool | None = None,
        locale: str | None = None,
        main_menu: str | None = None,
        enable_voice: bool | None = None,
    ) -> Svaml:
        """Play IVR menus (one should have the id ``main``) and send the result in a PIE event."""
        return self.with_action(
            RunMenu(
                barge=barge,
                locale=locale,
                main_menu=main_menu,
                enable_voice=enable_voice,
                menus=menus,
            )
        )

    def park(
        self,
        *,
        locale: str | None = None,
        intro_prompt: str | None = None,
        hold_prompt: str | None = None,
        max_duration: int | None = None,
    ) -> Svaml:
        """Park the call with an intro prompt and a hold prompt."""
        return self.with_action(
            Park(
                locale=locale,
                intro_prompt=intro_prompt,
                hold_prompt=hold_prompt,
                max_duration=max_duration,
            )
        )



#: The empty document of each callback: immutable, so the entry points can share them.
_EMPTY = {callback: Svaml(callback=callback) for callback in Callback}


def _from_document(doc: Document, callback: Callback | None) -> Svaml:
    return Svaml(instructions=doc.instructions, action=doc.action, extras=doc.extras, callback=callback)
