"""Document rules: exactly one action (SV1xx), callback context (SV2xx), instruction order (SV3xx)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from svaml import _json
from svaml.diagnostic import Edit, Fix, Severity
from svaml.model.actions import Hangup
from svaml.model.instructions import Answer, PlayFiles, Say, StartRecording, StopRecording
from svaml.model.permissions import ALLOWED_IN, Callback, refusal
from svaml.rules._context import Context
from svaml.rules._registry import Finding, Rule, register, rule

__all__: list[str] = []

_E, _W = Severity.ERROR, Severity.WARNING
_ONE = 'DOCS svaml.md: "A SVAML object must contain exactly one action"'


@rule("SV101", "missing-action", _E, summary="The document has no action", source=_ONE)
def missing_action(ctx: Context) -> Iterator[Finding]:
    """A SVAML document must contain exactly one action.

    "Instructions must always accompany an action and will not work standalone" (DOCS svaml.md).
    Without one, Sinch cannot go on with the call. Add the action the call should take, for
    example ``hangup`` or ``continue``.
    """
    data = ctx.data
    if (data.__class__ is dict or isinstance(data, Mapping)) and data.get("action") is None:
        state = "is null" if "action" in data else "is missing"
        yield Finding(ctx.at("action") if "action" in data else ctx.base, f"the action {state}: a SVAML "
                      "document needs exactly one action (for example hangup or continue)")


@rule("SV102", "action-not-object", _E, summary="`action` is a list or not an object", source=_ONE)
def action_not_object(ctx: Context) -> Iterator[Finding]:
    """``action`` holds one action object.

    A list of actions is not SVAML: Sinch takes exactly one action, so the rest would never run;
    move the other steps into instructions or a later callback.
    """
    action = (ctx.data or {}).get("action") if isinstance(ctx.data, Mapping) else None
    if isinstance(action, list):
        yield Finding(ctx.at("action"), f"'action' is a list of {len(action)}: a SVAML document has "
                      "exactly one action object")
    elif action is not None and not (action.__class__ is dict or isinstance(action, Mapping)):
        yield Finding(ctx.at("action"), f"'action' must be an object, got {_json.typename(action)}")


register(
    Rule(
        code="SV103",
        name="duplicate-action",
        severity=_E,
        summary="`action` appears twice in the JSON text",
        doc="A JSON object with `action` twice is read by keeping one of them (the last, in most "
        "parsers): the other action is silently dropped. A SVAML document has exactly one action.",
        source=_ONE,
    )
)
register(
    Rule(
        code="SV104",
        name="duplicate-key",
        severity=_W,
        summary="A key appears twice in one JSON object",
        doc="JSON parsers keep only one value of a repeated key (usually the last), so the other is "
        "silently lost. Remove the duplicate.",
        source="RFC 8259 §4: names within an object SHOULD be unique",
    )
)

_TABLE = "DOCS svaml.md callback table = OAS svaml.action.{ice,ace,pie,patch} / svaml.instruction.*"
_WITH_CALLBACK = frozenset(Callback)


@rule(
    "SV201",
    "action-not-allowed",
    _E,
    summary="The action is not allowed in this callback's response",
    source=_TABLE,
    callbacks=_WITH_CALLBACK,
)
def action_not_allowed(ctx: Context) -> Iterator[Finding]:
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
)
def instruction_not_allowed(ctx: Context) -> Iterator[Finding]:
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
)
def prompt_before_answer(ctx: Context) -> Iterator[Finding]:
    """Instructions run in order: prompts before ``answer`` play while the call still rings.

    A ``say`` or ``playFiles`` before ``answer`` is early media, which many networks and phones
    never let the caller hear. Put ``answer`` first.
    """
    prompts: list[int] = []
    for index, instruction in ctx.instructions:
        if isinstance(instruction, (Say, PlayFiles)):
            prompts.append(index)
        elif isinstance(instruction, Answer) and prompts:
            for p in prompts:
                yield Finding(ctx.at("instructions", p), f"this {_name(ctx, p)} plays before "
                              f"'answer' (instruction {index}); the caller may not hear it")
            return


@rule(
    "SV302",
    "duplicate-answer",
    _W,
    summary="`answer` appears more than once",
    source="DOCS svaml/instructions: answer forces the call to be answered",
    fixable=True,
    kinds=(Answer,),
)
def duplicate_answer(ctx: Context) -> Iterator[Finding]:
    """A call is answered once; a second ``answer`` does nothing. Fixed by removing it."""
    seen = False
    for index, instruction in ctx.instructions:
        if isinstance(instruction, Answer):
            if seen:
                where = ctx.at("instructions", index)
                fix = Fix(description="remove the repeated answer", edits=(Edit(op="remove", path=where),))
                yield Finding(where, "the call is already answered by an earlier 'answer'", fix)
            seen = True


@rule(
    "SV303",
    "stop-without-start",
    _W,
    summary="`stopRecording` with no `startRecording` before it",
    source="DOCS svaml/instructions: stopRecording stops a recording started with startRecording",
    kinds=(StopRecording,),
)
def stop_without_start(ctx: Context) -> Iterator[Finding]:
    """``stopRecording`` stops the recording that ``startRecording`` began.

    With no start before it in this document it does nothing, unless an earlier callback of the
    call started one, which svaml cannot see: hence a warning.
    """
    started = False
    for index, instruction in ctx.instructions:
        if isinstance(instruction, StartRecording):
            started = True
        elif isinstance(instruction, StopRecording) and not started:
            yield Finding(ctx.at("instructions", index), "'stopRecording' with no 'startRecording' before it")


@rule(
    "SV304",
    "recording-with-hangup",
    _W,
    summary="Recording starts in a document whose action is `hangup`",
    source="DOCS recording: a recording covers the call from startRecording to its end",
    kinds=(StartRecording,),
)
def recording_with_hangup(ctx: Context) -> Iterator[Finding]:
    """A recording started in a document that hangs up records (almost) nothing.

    The call ends right after the instructions when the action is ``hangup``. Start the
    recording with the action that connects the call.
    """
    if isinstance(ctx.action, Hangup):
        for index, instruction in ctx.instructions:
            if isinstance(instruction, StartRecording):
                where = ctx.at("instructions", index)
                yield Finding(where, "recording starts, but the action hangs up the call")


def _name(ctx: Context, index: int) -> str:
    return next(i.name for n, i in ctx.instructions if n == index)
