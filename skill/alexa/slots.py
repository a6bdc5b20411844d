"""Reading slot values the way Alexa resolves them (entity resolution), with a spoken fallback."""

from __future__ import annotations

from dataclasses import dataclass

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest
from ask_sdk_model.slu.entityresolution import StatusCode


@dataclass(frozen=True)
class SlotValue:
    spoken: str | None  # what the runner said, None when the slot was not filled
    resolved_id: str | None  # the slot value id Alexa matched, None when it matched none


def slot_value(handler_input: HandlerInput, name: str) -> SlotValue:
    request = handler_input.request_envelope.request
    if not isinstance(request, IntentRequest) or request.intent is None:
        return SlotValue(None, None)
    slot = (request.intent.slots or {}).get(name)
    if slot is None or not slot.value or slot.value == "?":
        return SlotValue(None, None)
    resolutions = slot.resolutions.resolutions_per_authority if slot.resolutions else None
    for authority in resolutions or []:
        if authority.status and authority.status.code == StatusCode.ER_SUCCESS_MATCH:
            values = authority.values or []
            if values and values[0].value is not None:
                return SlotValue(slot.value, values[0].value.id)
    return SlotValue(slot.value, None)


def whole_number(value: SlotValue) -> int | None:
    """An AMAZON.NUMBER slot as an int; None when missing or not a number."""
    if value.spoken is None:
        return None
    try:
        return int(value.spoken)
    except ValueError:
        return None
