"""Sinch's call-forwarding example as the ICE response of a custom callout, with answering-machine detection.

Run it to print the SVAML: ``python examples/pstn_forward.py``; ``pstn_forward.ice.json`` is its output.
"""

from __future__ import annotations

from svaml import Amd, IceSvaml, Svaml


def pstn_forward() -> IceSvaml:
    """Build the ICE response that forwards the call to a mobile number and detects machines."""
    return Svaml.ice().connect_pstn(
        "+46701234567",
        locale="en-US",
        max_duration=3000,
        dial_timeout=60,
        cli="+12015550123",
        suppress_callbacks=False,
        indications="se",
        amd=Amd(enabled=True),
    )


if __name__ == "__main__":
    print(pstn_forward().to_json(indent=2))
