"""record_key: the key a store files a runner's record under (skill/persistence/keys.py)."""

from __future__ import annotations

import hashlib
import re

import pytest

from skill.persistence.keys import HASHED_PREFIX, MAX_PLAIN_KEY_BYTES, record_key

# The shape of a real id: Alexa's prefix and a long run of capitals and digits (at most 255
# characters in all, says ask_sdk_model.User).
REAL_ID = "amzn1.ask.account." + "AHX3QKZ5TQ2N7R4YLW6JMBVP2E" * 9 + "A"
DYNAMODB_MAX_KEY_BYTES = 2048
HASHED = re.compile(re.escape(HASHED_PREFIX) + "[0-9a-f]{64}")


def sha256_key(user_id: str) -> str:
    return HASHED_PREFIX + hashlib.sha256(user_id.encode("utf-8", "surrogatepass")).hexdigest()


@pytest.mark.parametrize(
    "user_id",
    [
        REAL_ID[:255],
        "amzn1.ask.account.TESTUSER",
        "x",
        "amzn1.ask.account.é" + "ü" * 100,  # text that is UTF-8, longer in bytes than characters
        "a" * MAX_PLAIN_KEY_BYTES,
    ],
)
def test_an_id_a_store_can_key_by_is_its_own_key(user_id: str) -> None:
    # Records stored before keys were derived were filed under the id itself.
    assert record_key(user_id) == user_id


@pytest.mark.parametrize(
    "user_id",
    [
        "amzn1.ask.account.\ud800",  # a lone high surrogate
        "\udfff",  # a lone low surrogate
        "amzn1.ask.account.\ud83d\ude00",  # a surrogate pair as two code points, not an emoji
        "a" * (MAX_PLAIN_KEY_BYTES + 1),
        "é" * (MAX_PLAIN_KEY_BYTES // 2 + 1),  # within the bound in characters, not in bytes
        "amzn1.ask.account." + "A" * 10_000,
        HASHED_PREFIX + "0" * 64,  # looks like a hashed key: hashed itself
    ],
)
def test_an_id_no_store_can_key_by_is_keyed_by_its_sha256(user_id: str) -> None:
    key = record_key(user_id)
    assert key == sha256_key(user_id)
    assert HASHED.fullmatch(key)
    assert record_key(user_id) == key  # stable: the runner's next turn finds the record


def test_every_key_fits_both_stores() -> None:
    for user_id in ["\ud800" * 10_000, "a" * 1_000_000, "😀" * 600, REAL_ID]:
        key = record_key(user_id)
        assert 0 < len(key.encode("utf-8")) <= DYNAMODB_MAX_KEY_BYTES


def test_the_bound_is_well_under_dynamodbs_key_limit_and_over_alexas_ids() -> None:
    assert 255 < MAX_PLAIN_KEY_BYTES <= DYNAMODB_MAX_KEY_BYTES // 2


def test_ids_that_differ_only_where_they_are_cut_or_unencodable_get_different_keys() -> None:
    long_one, long_two = "a" * 1000 + "1", "a" * 1000 + "2"
    assert record_key(long_one) != record_key(long_two)
    assert record_key("x\ud800") != record_key("x\ud801") != record_key("x\udc00")
    # The code point U+1F600 and the surrogate pair that spells it in UTF-16 are different ids.
    assert record_key("\U0001f600") == "\U0001f600"
    assert record_key("\ud83d\ude00") != "\U0001f600"


def test_no_id_can_take_another_ids_hashed_key() -> None:
    hostile = "amzn1.ask.account.\ud800"
    taken = record_key(hostile)
    assert record_key(taken) != taken
