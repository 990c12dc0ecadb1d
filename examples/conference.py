"""Sinch's conference example as an ICE response: greet, record to S3, and join a conference room.

Run it to print the SVAML: ``python examples/conference.py``; ``conference.ice.json`` is its output.
"""

from __future__ import annotations

from svaml import (
    ConferenceDtmfOptions,
    IceSvaml,
    RecordingOptions,
    Svaml,
    TranscriptionOptions,
)


def conference() -> IceSvaml:
    """Build the ICE response that records the caller into the conference ``myConference``."""
    return (
        Svaml.ice()
        .say("Welcome to the conference. This call is recorded.", locale="en-US")
        .start_recording(
            RecordingOptions(
                destination_url="s3://my-bucket/recordings/",
                credentials="AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY:eu-central-1",
                format="mp3",
                notification_events=True,
                transcription_options=TranscriptionOptions(enabled=True, locale="en-US"),
            )
        )
        .connect_conf(
            "myConference",
            conference_dtmf_options=ConferenceDtmfOptions(mode="detect", max_digits=2, timeout_mills=3000),
            moh="ring",
        )
    )


if __name__ == "__main__":
    print(conference().to_json(indent=2))
