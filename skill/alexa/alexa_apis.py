"""Alexa's service APIs the coach calls: the Reminders API and the device's time zone (the
Settings API), through ask-sdk-core's `ReminderManagementServiceClient` and `UpsServiceClient`
on the request's `apiEndpoint` with its `apiAccessToken`.

The clients are imported only when a turn calls an API (the cold start is measured:
bench/lambda_import.py). Every call has a short timeout, never longer than leaves the turn time
to save the record (skill.persistence.deadline.time_to_spend), and a failure never fails the
turn: it is an `ApiError` whose `kind` the handler puts into a short sentence (a call there is
no time left for fails at once, as "unavailable")."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skill.coaching.schedule import Plan, next_time
from skill.persistence.deadline import time_to_spend

if TYPE_CHECKING:
    from ask_sdk_model.services import ApiConfiguration

log = logging.getLogger(__name__)

REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
REMINDER_SECONDS = 3.0  # Alexa waits 8 s for the whole answer
TIME_ZONE_SECONDS = 1.0  # asked at most once a day a device; the rolling week is the fallback
# A call the turn has less time than this left for is not made: it could only time out.
SHORTEST_CALL_SECONDS = 0.25

# What went wrong, as the handler says it.
DENIED = "denied"  # 401: no permission (or it was taken back)
FORBIDDEN = "forbidden"  # 403: not allowed here (this device, this account)
THROTTLED = "throttled"  # 429: too many calls just now
UNAVAILABLE = "unavailable"  # 5xx, a timeout, no connection, an answer that makes no sense


class OutOfTurnTime(Exception):
    """The turn has no time left for this call: it is not made."""


class ApiError(Exception):
    def __init__(self, kind: str, detail: str, status: int | None = None) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.status = status


def kind_of(status: int) -> str:
    return {401: DENIED, 403: FORBIDDEN, 429: THROTTLED}.get(status, UNAVAILABLE)


@dataclass(frozen=True)
class ApiOptions:
    """How the skill reaches the APIs: `ca_path` trusts one more CA (the harness's stand-in)."""

    ca_path: Path | None = None
    reminder_seconds: float = REMINDER_SECONDS
    time_zone_seconds: float = TIME_ZONE_SECONDS


@dataclass(frozen=True)
class ApiAccess:
    """What the request gives to reach the APIs for this runner and device."""

    endpoint: str
    token: str
    device_id: str | None
    locale: str


def _configuration(access: ApiAccess, options: ApiOptions, seconds: float) -> ApiConfiguration:
    from ask_sdk_core.api_client import DefaultApiClient
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model.services import ApiConfiguration

    class BoundedApiClient(DefaultApiClient):
        """The SDK's client with a timeout (it has none): `seconds`, or less when the turn has
        less left than that and its save (taken when the call is made); and the CA the options
        name."""

        def _resolve_method(self, request: Any) -> Any:
            method = super()._resolve_method(request)
            timeout = time_to_spend(seconds)
            if timeout < SHORTEST_CALL_SECONDS:
                raise OutOfTurnTime(f"{timeout:.2f} s left of the turn for the call")
            verify: str | bool = str(options.ca_path) if options.ca_path else True
            # requests gives the connect and each read a timeout of their own: half each.
            halves = (timeout / 2, timeout / 2)
            return functools.partial(method, timeout=halves, verify=verify)

        def invoke(self, request: Any) -> Any:
            response = super().invoke(request)
            if not 200 <= (response.status_code or 0) < 300 and not _is_json(response.body):
                response.body = None  # type: ignore[assignment]  # an outage page: the status says it
            return response

    return ApiConfiguration(
        serializer=DefaultSerializer(),
        api_client=BoundedApiClient(),
        authorization_value=access.token,
        api_endpoint=access.endpoint,
    )


def _is_json(body: object) -> bool:
    if not isinstance(body, str | bytes):
        return body is None
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def _call(what: str, call: Any) -> Any:
    """Run one API call; any failure becomes an ApiError of its kind. Whatever the SDK raises
    (an answer that isn't JSON, a model it cannot build) is "unavailable": a failing API must
    never fail the turn."""
    from ask_sdk_model.services import ServiceException

    try:
        return call()
    except ServiceException as error:
        log.warning("%s: the API answered %s", what, error.status_code)
        status = int(error.status_code)
        raise ApiError(kind_of(status), str(error), status) from error
    except Exception as error:  # any SDK failure is an unavailable API
        log.warning("%s failed: %s: %s", what, type(error).__name__, error)
        raise ApiError(UNAVAILABLE, str(error)) from error


def reminder_request(
    plan: Plan, text: str, locale: str, now: float, zone: str | None
) -> Any:  # ReminderRequest, imported lazily
    """A weekly reminder of `plan`, first due at its next time on the runner's clock."""
    from ask_sdk_model.services.reminder_management import (
        AlertInfo,
        PushNotification,
        PushNotificationStatus,
        Recurrence,
        ReminderRequest,
        SpokenInfo,
        SpokenText,
        Trigger,
        TriggerType,
    )

    first = next_time(plan, now, zone).replace(tzinfo=None)  # a wall-clock time, no zone
    return ReminderRequest(
        request_time=dt.datetime.fromtimestamp(now, dt.UTC).replace(tzinfo=None, microsecond=0),
        trigger=Trigger(
            object_type=TriggerType.SCHEDULED_ABSOLUTE,
            scheduled_time=first,
            time_zone_id=zone or "UTC",
            recurrence=Recurrence(
                start_date_time=first, recurrence_rules=list[object](plan.rules())
            ),
        ),
        alert_info=AlertInfo(spoken_info=SpokenInfo(content=[SpokenText(locale, text=text)])),
        push_notification=PushNotification(status=PushNotificationStatus.ENABLED),
    )


def _reminders_client(access: ApiAccess, options: ApiOptions) -> Any:
    from ask_sdk_model.services.reminder_management import ReminderManagementServiceClient

    return ReminderManagementServiceClient(
        _configuration(access, options, options.reminder_seconds)
    )


def create_reminder(
    access: ApiAccess, options: ApiOptions, plan: Plan, text: str, now: float, zone: str | None
) -> str:
    """The new reminder's token."""
    client = _reminders_client(access, options)
    request = reminder_request(plan, text, access.locale, now, zone)
    made = _call("creating a reminder", lambda: client.create_reminder(request))
    token = getattr(made, "alert_token", None)
    if not isinstance(token, str) or not token:
        raise ApiError(UNAVAILABLE, "the created reminder has no token")
    return token


def update_reminder(
    access: ApiAccess,
    options: ApiOptions,
    token: str,
    plan: Plan,
    text: str,
    now: float,
    zone: str | None,
) -> None:
    """Changed; an ApiError of status 404 when it is gone (deleted in the Alexa app)."""
    client = _reminders_client(access, options)
    request = reminder_request(plan, text, access.locale, now, zone)
    _call("changing a reminder", lambda: client.update_reminder(token, request))


def delete_reminder(access: ApiAccess, options: ApiOptions, token: str) -> bool:
    """True: deleted; False: it was already gone (404: deleted in the Alexa app)."""
    client = _reminders_client(access, options)
    return _unless_gone("deleting a reminder", lambda: client.delete_reminder(token))


def reminder_exists(access: ApiAccess, options: ApiOptions, token: str) -> bool:
    """Whether the reminder is still set (False: 404, deleted in the Alexa app)."""
    client = _reminders_client(access, options)
    return _unless_gone("reading a reminder", lambda: client.get_reminder(token))


def _unless_gone(what: str, call: Any) -> bool:
    """True when `call` went through; False when the reminder it names is gone (404)."""
    try:
        _call(what, call)
    except ApiError as error:
        if error.status != 404:
            raise
        return False
    return True


def reminder_tokens(access: ApiAccess, options: ApiOptions) -> list[str]:
    """The tokens of the reminders this skill has set for the runner and that are still on: a
    reminder whose token the record never kept (a call that timed out after Alexa set it, a
    save that failed after it) is found here, so it is changed rather than set twice."""
    client = _reminders_client(access, options)
    listed = _call("listing the reminders", client.get_reminders)
    tokens = []
    for alert in getattr(listed, "alerts", None) or []:
        token = getattr(alert, "alert_token", None)
        status = getattr(getattr(alert, "status", None), "value", None)
        if isinstance(token, str) and token and status != "COMPLETED":
            tokens.append(token)
    return tokens


def time_zone(access: ApiAccess, options: ApiOptions) -> str | None:
    """The device's time zone ("Pacific/Auckland"); None when it cannot be had."""
    from ask_sdk_model.services.ups import UpsServiceClient

    if access.device_id is None:
        return None
    client = UpsServiceClient(_configuration(access, options, options.time_zone_seconds))
    device = access.device_id
    try:
        zone = _call("asking the time zone", lambda: client.get_system_time_zone(device))
    except ApiError:
        return None
    return zone if isinstance(zone, str) else None
