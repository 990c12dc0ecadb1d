"""Document rules: exactly one action (SV1xx), callback context (SV2xx), instruction order (SV3xx)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from svaml import _json
from svaml.diagnostic import Applicability, Edit, Fix, Severity
from svaml.model.actions import Hangup
from svaml.model.instructions import Answer, PlayFiles, Say, StartRecording, StopRecording
from svaml.model.permissions import ALLOWED_IN, Callback, refusal
from svaml.rules._context import Context
from svaml.rules._examples import PSTN, RECORD
from svaml.rules._registry import Example, Finding, rule

__all__: list[str] = []

_E, _W = Severity.ERROR, Severity.WARNING
_ONE = 'DOCS svaml.md: "A SVAML object must contain exactly one action"'
# The parts the examples are made of.
_SAY = {"name": "say", "text": "Hello", "locale": "en-US"}
_CONTINUE = {"name": "continue"}


@rule(
    "SV101",
    "missing-action",
    _E,
    summary="The document has no action",
    source=_ONE,
    example=Example(
        text={"instructions": [_SAY]},
        fixed={"instructions": [_SAY], "action": {"name": "hangup"}},
    ),
)
def missing_action(data: Mapping[str, Any], base: str, ctx: Context) -> Iterator[Finding]:
    """A SVAML document must contain exactly one action.

    "Instructions must always accompany an action and will not work standalone" (DOCS svaml.md).
    Without one, Sinch cannot go on with the call. Add the action the call should take, for
    example ``hangup`` or ``continue``.
    """
    if data.get("action") is None:
        state = "is null" if "action" in data else "is missing"
        yield Finding(ctx.at("action") if "action" in data else base, f"the action {state}: a SVAML "
                      "document needs exactly one action (for example hangup or continue)")


@rule(
    "SV102",
    "action-not-object",
    _E,
    summary="`action` is a list or not an object",
    source=_ONE,
    example=Example(
        text={"action": [{"name": "say"}, {"name": "hangup"}]},
        fixed={"action": {"name": "hangup"}},
    ),
)
def action_not_object(data: Mapping[str, Any], base: str, ctx: Context) -> Iterator[Finding]:
    """``action`` holds one action object.

    A list of actions is not SVAML: Sinch takes exactly one action, so the rest would never run;
    move the other steps into instructions or a later callback.
    """
    action = data.get("action")
    if action.__class__ is list:
        yield Finding(ctx.at("action"), f"'action' is a list of {len(action)}: a SVAML document has "
                      "exactly one action object")
    elif action is not None and not (action.__class__ is dict or isinstance(action, Mapping)):
        yield Finding(ctx.at("action"), f"'action' must be an object, got {_json.typename(action)}")


_BY_DECODING = "decoding the JSON text"


@rule(
    "SV103",
    "duplicate-action",
    _E,
    summary="`action` appears twice in the JSON text",
    source=_ONE,
    example=Example(
        text='{\n  "action": {"name": "continue"},\n  "action": {"name": "hangup"}\n}',
        fixed={"action": {"name": "hangup"}},
    ),
    found_by=_BY_DECODING,
)
def duplicate_action() -> None:
    """Write ``action`` once.

    A JSON object with `action` twice is read by keeping one of them (the last, in most
    parsers): the other action is silently dropped. A SVAML document has exactly one action.
    """


@rule(
    "SV104",
    "duplicate-key",
    _W,
    summary="A key appears twice in one JSON object",
    source="RFC 8259 §4: names within an object SHOULD be unique",
    example=Example(
        text='{\n  "instructions": [{"name": "say", "text": "Hi", "text": "Hello", "locale": "en-US"}],\n'
        '  "action": {"name": "hangup"}\n}',
        fixed={"instructions": [_SAY], "action": {"name": "hangup"}},
    ),
    found_by=_BY_DECODING,
)
def duplicate_key() -> None:
    """Write each key once per object.

    JSON parsers keep only one value of a repeated key (usually the last), so the other is
    silently lost. Remove the duplicate.
    """


_TABLE = "DOCS svaml.md callback table = OAS svaml.action.{ice,ace,pie,patch} / svaml.instruction.*"
_WITH_CALLBACK = frozenset(Callback)


@rule(
    "SV201",
    "action-not-allowed",
    _E,
    summary="The action is not allowed in this callback's response",
    source=_TABLE,
    callbacks=_WITH_CALLBACK,
    example=Example(text={"action": _CONTINUE}, callback="ice", fixed={"action": PSTN}),
)
def action_not_allowed(data: object, base: str, ctx: Context) -> Iterator[Finding]:
    """Each callback allows only some actions.

    ``continue`` is not an ICE answer; ``connectMxp`` and ``connectStream`` are ICE only, ``park``
    ICE and call updates only; a call update (PATCH) takes hangup, continue and park only; DiCE
    takes no SVAML (a lone hangup at most), and Notify's answer is discarded. Sinch rejects the
    response and the call fails.
    """
    action, callback = ctx.action, ctx.callback
    if action is not None and callback is not None and action.name not in ALLOWED_IN[callback]:
        reason = refusal(action.name, callback)
        if reason is not None:
            yield Finding(ctx.at("action", "name"), reason)


@rule(
    "SV202",
    "instruction-not-allowed",
    _E,
    summary="The instruction is not allowed in this callback's response",
    source=_TABLE,
    callbacks=_WITH_CALLBACK,
    example=Example(
        text={"instructions": [{"name": "answer"}], "action": _CONTINUE},
        callback="ace",
        fixed={"action": _CONTINUE},
    ),
)
def instruction_not_allowed(data: object, base: str, ctx: Context) -> Iterator[Finding]:
    """Each callback allows only some instructions.

    ``answer`` belongs to ICE responses and call updates, ``sendDtmf`` is not an ACE answer, a
    call-leg update takes playFiles and say only, and DiCE and Notify take no instructions.
    """
    if ctx.callback is None:
        return
    allowed = ALLOWED_IN[ctx.callback]
    for index, instruction in ctx.instructions:
        if instruction.name in allowed:
            continue
        reason = refusal(instruction.name, ctx.callback)
        if reason is not None:
            yield Finding(ctx.at("instructions", index, "name"), reason)


@rule(
    "SV301",
    "prompt-before-answer",
    _W,
    summary="A prompt comes before `answer` in an ICE response",
    source="SKILL gotcha 6: instructions execute in array order; DOCS svaml/instructions (answer)",
    callbacks=(Callback.ICE,),
    kinds=(Answer,),
    example=Example(
        text={"instructions": [_SAY, {"name": "answer"}], "action": PSTN},
        callback="ice",
        fixed={"instructions": [{"name": "answer"}, _SAY], "action": PSTN},
    ),
)
def prompt_before_answer(answer: Answer, where: str, ctx: Context) -> Iterator[Finding]:
    """Instructions run in order: prompts before ``answer`` play while the call still rings.

    A ``say`` or ``playFiles`` before ``answer`` is early media, which many networks and phones
    never let the caller hear. Put ``answer`` first.
    """
    prompts: list[tuple[int, str]] = []
    for index, instruction in ctx.instructions:
        if instruction is answer:
            for p, name in prompts:
                yield Finding(ctx.at("instructions", p), f"this {name} plays before "
                              f"'answer' (instruction {index}); the caller may not hear it")
            return
        if isinstance(instruction, Answer) and prompts:
            return  # reported for the first answer that prompts come before
        if isinstance(instruction, (Say, PlayFiles)):
            prompts.append((index, instruction.name))


@rule(
    "SV302",
    "duplicate-answer",
    _W,
    summary="`answer` appears more than once",
    source="DOCS svaml/instructions: answer forces the call to be answered",
    fix=Applicability.SAFE,
    kinds=(Answer,),
    example=Example(
        text={"instructions": [{"name": "answer"}, {"name": "answer"}], "action": PSTN},
        fixed={"instructions": [{"name": "answer"}], "action": PSTN},
    ),
)
def duplicate_answer(answer: Answer, where: str, ctx: Context) -> Iterator[Finding]:
    """A call is answered once; a second ``answer`` does nothing. Fixed by removing it."""
    first = next(i for _, i in ctx.instructions if isinstance(i, Answer))
    if first is not answer:
        fix = Fix(
            description="remove the repeated answer",
            edits=(Edit(op="remove", path=where),),
            applicability=Applicability.SAFE,
        )
        yield Finding(where, "the call is already answered by an earlier 'answer'", fix)


@rule(
    "SV303",
    "stop-without-start",
    _W,
    summary="`stopRecording` with no `startRecording` before it",
    source="DOCS svaml/instructions: stopRecording stops a recording started with startRecording",
    kinds=(StopRecording,),
    example=Example(text={"instructions": [{"name": "stopRecording"}], "action": _CONTINUE}),
)
def stop_without_start(stop: StopRecording, where: str, ctx: Context) -> Iterator[Finding]:
    """``stopRecording`` stops the recording that ``startRecording`` began.

    With no start before it in this document it does nothing, unless an earlier callback of the
    call started one, which svaml cannot see: hence a warning.
    """
    for _, instruction in ctx.instructions:
        if instruction is stop:
            yield Finding(where, "'stopRecording' with no 'startRecording' before it")
            return
        if isinstance(instruction, StartRecording):
            return


@rule(
    "SV304",
    "recording-with-hangup",
    _W,
    summary="Recording starts in a document whose action is `hangup`",
    source="DOCS recording: a recording covers the call from startRecording to its end",
    kinds=(StartRecording,),
    example=Example(
        text={"instructions": [RECORD], "action": {"name": "hangup"}},
        fixed={"instructions": [RECORD], "action": PSTN},
    ),
)
def recording_with_hangup(start: StartRecording, where: str, ctx: Context) -> Iterator[Finding]:
    """A recording started in a document that hangs up records (almost) nothing.

    The call ends right after the instructions when the action is ``hangup``. Start the
    recording with the action that connects the call.
    """
    if isinstance(ctx.action, Hangup):
        yield Finding(where, "recording starts, but the action hangs up the call")
