"""Sinch's IVR example as an ICE response: answer, remember the step, and run a two-level menu.

Run it to print the SVAML: ``python examples/ivr_menu.py``; ``ivr_menu.ice.json`` is its output.
"""

from __future__ import annotations

from svaml import IceSvaml, Menu, MenuOption, Svaml, menu, return_, tts


def ivr_menu() -> IceSvaml:
    """Build the ICE response that greets the caller and runs the order menu."""
    return (
        Svaml.ice()
        .answer()
        .set_cookie("step", "main-menu")
        .run_menu(
            Menu(
                id="main",
                main_prompt=tts("Welcome to the main menu. Press 1 to confirm your order or 4 to cancel."),
                repeat_prompt=tts("Incorrect value, please try again."),
                repeats=5,
                options=[
                    MenuOption(dtmf=1, action=menu("confirm")),
                    MenuOption(dtmf=4, action=return_("cancel")),
                ],
            ),
            Menu(
                id="confirm",
                main_prompt=tts("Thank you for confirming your order. Enter your 4-digit PIN."),
                max_digits=4,
            ),
            barge=True,
            locale="en-US",
        )
    )


if __name__ == "__main__":
    print(ivr_menu().to_json(indent=2))
