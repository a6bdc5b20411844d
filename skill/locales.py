"""The locales the coach speaks, and the closest one to what a request asks for.

Alexa sends the device's locale with every request (`request.locale`, "en-GB"). The coach
answers in that locale when it has it, else in the closest one it has: another English for any
English ("en-NZ" is answered in en-GB's words, "en" in en-US's), German for any German, and
en-US for anything else. Never an error: a locale is a preference, not a request to refuse.
"""

from __future__ import annotations

DEFAULT = "en-US"
# Every locale the skill ships: its words (skill/speech/locale), its interaction model
# (interaction_model/templates) and its store listing (manifest/skill.json).
SPOKEN = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN", "de-DE")
# Where a language's other regions go: English outside the US and Canada spells the British way.
_LANGUAGE_DEFAULTS = {"en": "en-US", "de": "de-DE"}
_BRITISH_SPELLING = "en-GB"
_AMERICAN_SPELLING_REGIONS = frozenset({"US", "CA", "PH", "PR", "UM", "VI"})


def closest(locale: object) -> str:
    """The locale the coach answers `locale` in: itself if shipped, else the closest shipped."""
    if not isinstance(locale, str) or not locale.strip():
        return DEFAULT
    language, _, region = locale.strip().replace("_", "-").partition("-")
    language, region = language.lower(), region.upper()
    exact = f"{language}-{region}"
    if exact in SPOKEN:
        return exact
    if language == "en" and region and region not in _AMERICAN_SPELLING_REGIONS:
        return _BRITISH_SPELLING
    fallback = _LANGUAGE_DEFAULTS.get(language, DEFAULT)
    return fallback if fallback in SPOKEN else DEFAULT


def language_of(locale: str) -> str:
    """ "de" for "de-DE": what a voice engine or a recogniser is chosen by."""
    return locale.partition("-")[0].lower()
