"""The key a store files a runner's record under, the same on SQLite and DynamoDB.

A real Alexa user id (`amzn1.ask.account.` and a few hundred ASCII characters) is its own key,
so records stored before this module existed are still found. An id no store can key by as it
stands (a lone surrogate, which is not UTF-8 and fails SQLite and DynamoDB alike; or longer
than MAX_PLAIN_KEY_BYTES, when DynamoDB refuses a partition key over 2048 bytes and SQLite
would take it) is keyed by its SHA-256 instead. That runner is then served like any other,
identically on both stores, and no two ids share a key short of a SHA-256 collision.
"""

from __future__ import annotations

import hashlib

# Twice the longest user id Alexa sends ("never more than 255 characters", ask_sdk_model.User),
# and well under DynamoDB's partition key limit of 2048 bytes.
MAX_PLAIN_KEY_BYTES = 512
HASHED_PREFIX = "sha256:"


def record_key(user_id: str) -> str:
    """The string a store keys `user_id`'s record by: `user_id` itself when a store can key by
    it as it stands, otherwise HASHED_PREFIX and the SHA-256 hex of the id."""
    try:
        size = len(user_id.encode("utf-8"))
    except UnicodeEncodeError:  # lone surrogates: no UTF-8 store can hold them
        size = None
    # An id that already starts with the prefix is hashed too, so that no id can claim
    # another's hashed key.
    if size is not None and size <= MAX_PLAIN_KEY_BYTES and not user_id.startswith(HASHED_PREFIX):
        return user_id
    # surrogatepass: every str, lone surrogates included, has one distinct byte string.
    digest = hashlib.sha256(user_id.encode("utf-8", "surrogatepass")).hexdigest()
    return HASHED_PREFIX + digest
