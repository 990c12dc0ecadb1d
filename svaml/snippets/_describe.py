"""A plain-language account of a document or a callout request, for reviews and docs.

Each instruction and action has a sentence of its own (a test checks every class of the model
has one); fields a sentence does not mention are listed after it by their JSON names, so
nothing set in the document goes unsaid.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any

from svaml import _json, codec
from svaml.document import Svaml
from svaml.model import actions as a
from svaml.model import instructions as i
from svaml.model._fields import SvamlObject
from svaml.model.actions import MENU_TIMEOUT_MILLS
from svaml.model.callouts import CalloutRequest, ConferenceCallout, CustomCallout, TtsCallout
from svaml.snippets._flow import Flow, flow, prompt_words
from svaml.snippets._source import canonical

__all__ = ["SENTENCES", "describe"]


def _value(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, SvamlObject):
        return _json.dumps(canonical(value))
    if isinstance(value, tuple):
        return "; ".join(_value(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _endpoint(value: a.Destination | None) -> str:
    return "the dialled destination" if value is None else value.endpoint


def _seconds(value: int) -> str:
    return f"{value} s"


def _mills(value: int) -> str:
    return f"{value / 1000:g} s"


# Each sentence returns its words and the fields it said.
_Sentence = Callable[[Any], tuple[str, set[str]]]


def _locale(obj: Any) -> str:
    return f" in {obj.locale}" if getattr(obj, "locale", None) else ""


SENTENCES: Mapping[type, _Sentence] = {
    i.Answer: lambda o: ("answers the call", set()),
    i.Say: lambda o: (f"says {prompt_words('#tts[' + o.text + ']')}{_locale(o)}", {"text", "locale"}),
    i.PlayFiles: lambda o: (f"plays {prompt_words(';'.join(o.ids))}{_locale(o)}", {"ids", "locale"}),
    i.SendDtmf: lambda o: (f"sends the tones {o.value}", {"value"}),
    i.SetCookie: lambda o: (f"remembers {o.key} = {o.value!r} for the rest of the call", {"key", "value"}),
    i.StartRecording: lambda o: (
        "starts recording"
        + (f" to {o.options.destination_url}" if o.options and o.options.destination_url else ""),
        set() if not (o.options and o.options.destination_url) else {"options"},
    ),
    i.StopRecording: lambda o: ("stops recording", set()),
    a.Hangup: lambda o: ("hangs up", set()),
    a.Continue: lambda o: ("lets the call go on", set()),
    a.ConnectPstn: lambda o: (
        f"connects the call to {o.number or 'the number dialled'}"
        + (f", showing {o.cli} as the caller" if o.cli else "")
        + (f", for at most {_seconds(o.max_duration)}" if o.max_duration is not None else ""),
        {"number", "cli", "max_duration"},
    ),
    a.ConnectMxp: lambda o: (
        f"connects the call to the app user {_endpoint(o.destination)}",
        {"destination"},
    ),
    a.ConnectConf: lambda o: (f"puts the caller in the conference {o.conference_id}", {"conference_id"}),
    a.ConnectSip: lambda o: (
        f"connects the call to the SIP address {o.destination.endpoint}",
        {"destination"},
    ),
    a.ConnectStream: lambda o: (f"streams the call's audio to {o.destination.endpoint}", {"destination"}),
    a.RunMenu: lambda o: (
        f"runs an IVR menu{_locale(o)}"
        + {
            True: ", keys interrupting its prompts",
            False: ", prompts played to the end before keys count",
        }.get(o.barge, "")
        + (", voice answers accepted" if o.enable_voice else ""),
        {"menus", "main_menu", "locale", "barge", "enable_voice"},
    ),
    a.Park: lambda o: (
        "parks the call"
        + (f", playing {prompt_words(o.intro_prompt)} once" if o.intro_prompt else "")
        + (
            f"{', then' if o.intro_prompt else ', playing'} {prompt_words(o.hold_prompt)} while it waits"
            if o.hold_prompt
            else ""
        )
        + (f" (at most {_seconds(o.max_duration)})" if o.max_duration is not None else ""),
        {"intro_prompt", "hold_prompt", "max_duration"},
    ),
    TtsCallout: lambda o: (
        f"calls {_endpoint(o.destination)}"
        + (f" and says {prompt_words('#tts[' + o.text + ']')}" if o.text else "")
        + (f" and plays {prompt_words(o.prompts)}" if o.prompts else ""),
        {"destination", "text", "prompts"},
    ),
    ConferenceCallout: lambda o: (
        f"calls {_endpoint(o.destination)} and puts it in the conference {o.conference_id}",
        {"destination", "conference_id"},
    ),
    CustomCallout: lambda o: (
        f"calls {_endpoint(o.destination)}" if o.destination else "places a call",
        {"destination", "ice", "ace", "pie"},
    ),
}


def _rest(obj: SvamlObject, said: set[str]) -> str:
    """The fields set but not said, by their JSON names."""
    words = []
    for info in codec.field_info(type(obj)):
        value = getattr(obj, info.attr)
        if info.attr in said or value is None or value == ():
            continue
        words.append(f"{info.json} {_value(value)}")
    words += [f"{key} {value!r} (a field svaml does not know)" for key, value in obj.extras.items()]
    return f" ({'; '.join(words)})" if words else ""


def _sentence(obj: SvamlObject) -> str:
    words, said = SENTENCES[type(obj)](obj)
    return words + _rest(obj, said)


def _menu_lines(run: a.RunMenu) -> list[str]:
    graph: Flow = flow(run)
    lines = []
    if graph.first is None:
        lines.append("  No menu plays first: there is no menu 'main' and mainMenu names none.")
    for index, menu in enumerate(graph.menus):
        head = f"  Menu {menu.id}"
        if index == graph.first:
            head += " (plays first)"
        elif index not in graph.reached:
            head += " (never reached: no option leads to it)"
        said = [f"plays {prompt_words(menu.main_prompt)}" if menu.main_prompt else "plays no prompt"]
        for edge in graph.edges:
            if edge.source != index:
                continue
            if edge.kind == "menu":
                where = f"goes to menu {edge.target}" + (", which does not exist" if edge.dangling else "")
            elif edge.kind == "return":
                where = f"returns {edge.target!r} to the application (PIE)"
            else:
                where = f"does {edge.target!r}, which is neither menu(…) nor return(…)"
            said.append(f"{edge.dtmf} {where}")
        if menu.max_digits is not None:
            said.append(f"up to {menu.max_digits} digits are returned to the application (PIE)")
        timeout = menu.timeout_mills if menu.timeout_mills is not None else MENU_TIMEOUT_MILLS
        default = "" if menu.timeout_mills is not None else " (Sinch's default)"
        again = (
            f"plays {prompt_words(menu.repeat_prompt)}" if menu.repeat_prompt else "plays the prompt again"
        )
        repeats = f", up to {menu.repeats} times" if menu.repeats is not None else ""
        said.append(f"after {_mills(timeout)}{default} without input, or on another key, it {again}{repeats}")
        if menu.max_timeout_mills is not None:
            said.append(f"voice input is cut after {_mills(menu.max_timeout_mills)}")
        rest = _rest(
            menu,
            {
                "id",
                "main_prompt",
                "repeat_prompt",
                "repeats",
                "max_digits",
                "timeout_mills",
                "max_timeout_mills",
                "options",
            },
        )
        lines.append(f"{head}: " + "; ".join(said) + "." + rest)
    return lines


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def describe(value: Svaml | CalloutRequest) -> str:
    """Say in plain words what ``value`` makes Sinch do; one paragraph, a line per menu."""
    if isinstance(value, CalloutRequest):
        callout = value.callout
        if callout is None:
            return f"A callout request whose method {value.method!r} names no callout it holds.\n"
        lines = [f"A {callout.method} request: {_sentence(callout)}."]
        if isinstance(callout, CustomCallout):
            for name in ("ice", "ace", "pie"):
                inline = getattr(callout, name)
                if inline is None:
                    continue
                if inline.lstrip().startswith("{"):
                    try:
                        inner = describe(Svaml.from_json(inline)).rstrip("\n")
                    except Exception:  # shown as the text it is
                        inner = f"SVAML svaml cannot read: {inline[:60]}"
                    lines.append(f"{name.upper()}: {inner}")
                else:
                    lines.append(f"{name.upper()}: Sinch asks {inline} what to do.")
        return "\n".join(lines) + "\n"
    parts = [_sentence(x) for x in value.instructions]
    action = value.action
    if action is not None:
        parts.append(_sentence(action))
    where = "" if value.callback is None else f"As {value.callback.phrase}: "
    if not parts:
        return f"{where}does nothing (no instructions and no action).\n"
    said = ", ".join(parts[:-1]) + ", then " + parts[-1] if len(parts) > 1 else parts[0]
    text = (where + said) if where else _capital(said)
    lines = [text + "."]
    if isinstance(action, a.RunMenu):
        lines += _menu_lines(action)
    if value.extras:
        lines.append("Also " + _rest(value, set()).strip(" ()") + ".")
    return "\n".join(lines) + "\n"
