"""Google's speech endpoint as the `responses` library stands in for it."""

from __future__ import annotations

import base64


def google_answer(mp3: bytes) -> str:
    """A batchexecute answer in the shape gTTS reads, carrying `mp3`."""
    payload = base64.b64encode(mp3).decode("ascii")
    return (
        ")]}'\n\n"
        f'[["wrb.fr","jQ1olc","[\\"{payload}\\"]",null,null,null,"generic"],'
        '["di",42],["af.httprm",41,"0",8]]\n'
    )
