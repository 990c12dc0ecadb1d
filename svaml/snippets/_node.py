"""JavaScript that builds a document with Sinch's Node SDK, ``@sinch/voice``, where its builders can.

The SDK (1.4.0) has one builder per callback, ``Voice.IceSvamletBuilder`` (``Ace…``, ``Pie…``),
whose ``addInstruction`` and ``setAction`` take what the per-callback helpers make
(``Voice.iceInstructionHelper.say(text, locale)``, ``Voice.iceActionHelper.runMenu(props)``).
An instruction helper takes the instruction's fields in order, as svaml's model declares them;
an action helper takes the action's JSON without its name. What the SDK cannot express is
refused with :class:`NodeUnsupported`, saying why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from svaml import codec
from svaml.document import Svaml
from svaml.errors import SvamlError
from svaml.model._fields import SvamlObject
from svaml.model.callouts import CalloutRequest
from svaml.model.permissions import Callback
from svaml.snippets._layout import Chain, Group, Node, layout
from svaml.snippets._python import text

__all__ = ["NODE_HELPERS", "NODE_PACKAGE", "NodeUnsupported", "to_node"]

#: The package the code requires, and the version whose helpers :data:`NODE_HELPERS` lists.
NODE_PACKAGE = ("@sinch/voice", "1.4.0")

#: The helpers of ``@sinch/voice`` per callback: (actions, instructions), by SVAML name. These
#: describe Sinch's package, not svaml's model; ``tests/test_snippets_node.py`` reads them back
#: from the installed package.
NODE_HELPERS: Mapping[Callback, tuple[frozenset[str], frozenset[str]]] = {
    Callback.ICE: (
        frozenset(
            {
                "hangup",
                "connectPstn",
                "connectMxp",
                "connectConf",
                "connectSip",
                "connectStream",
                "runMenu",
                "park",
            }
        ),
        frozenset({"playFiles", "say", "sendDtmf", "setCookie", "startRecording", "stopRecording", "answer"}),
    ),
    Callback.ACE: (
        frozenset({"hangup", "continue", "connectConf", "runMenu"}),
        frozenset({"playFiles", "say", "setCookie", "startRecording"}),
    ),
    Callback.PIE: (
        frozenset({"hangup", "continue", "connectConf", "connectPstn", "connectSip", "runMenu"}),
        frozenset({"playFiles", "say", "sendDtmf", "setCookie", "startRecording", "stopRecording"}),
    ),
}

_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")


class NodeUnsupported(SvamlError):
    """The document cannot be written with ``@sinch/voice``'s builders; the message says why."""


def _js(value: Any) -> Node:
    """A JSON value as a JavaScript literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return text(value)
    if isinstance(value, Mapping):
        items = tuple(((k if _IDENTIFIER.match(k) else text(k)) + ": ", _js(v)) for k, v in value.items())
        return Group("{", items, "}", flat_open="{ ", flat_close=" }")
    return Group("[", tuple(("", _js(v)) for v in value), "]")


def _extras_at(obj: Any, path: str) -> str | None:
    """The place of the first unknown field kept in ``obj`` or below it, if any."""
    if not isinstance(obj, SvamlObject):
        return None
    if obj.extras:
        return f"{path or '/'} ({', '.join(map(str, obj.extras))})"
    for info in codec.field_info(type(obj)):
        value = getattr(obj, info.attr)
        items = value if info.kind == "objects" else (value,)
        for index, item in enumerate(items):
            where = f"{path}/{info.json}" + (f"/{index}" if info.kind == "objects" else "")
            found = _extras_at(item, where)
            if found is not None:
                return found
    return None


_JS_NAME = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
# JavaScript's reserved words (and Voice, which the snippet's require binds): no const may take them.
_JS_RESERVED = frozenset(
    {
        "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete",
        "do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if",
        "implements", "import", "in", "instanceof", "interface", "let", "new", "null", "package",
        "private", "protected", "public", "return", "static", "super", "switch", "this", "throw", "true",
        "try", "typeof", "var", "void", "while", "with", "yield", "Voice",
    }
)


def to_node(value: Svaml | CalloutRequest, *, name: str = "document") -> str:
    """JavaScript that builds ``value`` with ``@sinch/voice``'s SVAML builders, bound to ``name``.

    Raises :class:`NodeUnsupported` when the SDK has no builder for it: a callout request, a call
    update, a document whose callback is not known, an instruction the callback's helper lacks
    (``stopRecording`` in an ACE response), ``startRecording`` without options, or fields svaml
    does not know.
    """
    package, version = NODE_PACKAGE
    if not _JS_NAME.match(name) or name in _JS_RESERVED:
        raise SvamlError(f"name={name!r} is not a JavaScript variable name the snippet can bind")
    if isinstance(value, CalloutRequest):
        raise NodeUnsupported(
            f"{package} {version} has no builder for callout requests (only for ICE, ACE and PIE "
            "responses); render the request as json or curl"
        )
    callback = value.callback
    if callback is None:
        raise NodeUnsupported(
            f"{package} has one builder per callback (ICE, ACE, PIE); say which one the document "
            "answers (--callback ice, ace or pie; callback= in a marker)"
        )
    helpers = NODE_HELPERS.get(callback)
    if helpers is None:
        # curl sends only call and call-leg updates; a DiCE or Notify response is never sent.
        sent = callback in (Callback.PATCH, Callback.CALL_LEG)
        raise NodeUnsupported(
            f"{package} {version} has builders only for ICE, ACE and PIE responses, not for "
            f"{callback.phrase}; render it as json{' or curl' if sent else ''}"
        )
    unknown = _extras_at(value, "")
    if unknown is not None:
        raise NodeUnsupported(f"{package}'s helpers cannot write fields svaml does not know: {unknown}")
    actions, instructions = helpers
    prefix = callback.value
    calls: list[Node] = []
    for index, instruction in enumerate(value.instructions):
        where = f"/instructions/{index}"
        if instruction.name not in instructions:
            raise NodeUnsupported(
                f"{where}: {package} {version}'s {prefix}InstructionHelper has no {instruction.name} "
                f"(the SDK's {callback.name.title()}SvamletBuilder cannot hold it)"
            )
        data = codec.unstructure(instruction)
        arguments = [data.get(info.json) for info in codec.field_info(type(instruction))]
        while arguments and arguments[-1] is None:
            arguments.pop()
        if instruction.name == "startRecording" and not arguments:
            raise NodeUnsupported(
                f"{where}: {package}'s startRecording helper always writes options; "
                "this startRecording has none"
            )
        helper = Group(
            f"Voice.{prefix}InstructionHelper.{instruction.name}(",
            tuple(("", "undefined" if a is None else _js(a)) for a in arguments),
            ")",
        )
        calls.append(Group("addInstruction(", (("", helper),), ")"))
    action = value.action
    if action is not None:
        if action.name not in actions:
            raise NodeUnsupported(f"/action: {package} {version}'s {prefix}ActionHelper has no {action.name}")
        props = {k: v for k, v in codec.unstructure(action).items() if k != "name"}
        helper = Group(
            f"Voice.{prefix}ActionHelper.{action.name}(", (("", _js(props)),) if props else (), ")", hug=True
        )
        calls.append(Group("setAction(", (("", helper),), ")"))
    calls.append("build()")
    builder = f"new Voice.{callback.name.title()}SvamletBuilder()"
    code = layout(Chain(builder, tuple(calls), parenthesized=False), unit=2, column=len(name) + 9)
    return f'const {{ Voice }} = require("{package}");\n\nconst {name} = {code};\n'
