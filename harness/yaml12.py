"""YAML as people write dialog scripts and phrase files: only true and false are booleans, so
`say: yes` or a phrase `no` stays the word (YAML 1.2's rule; PyYAML reads 1.1's yes/no/on/off).
Parsed by libyaml where PyYAML has it: the suite loads every script several times."""

from __future__ import annotations

import re
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

_BOOL_TAG = "tag:yaml.org,2002:bool"


class Yaml12Loader(_SafeLoader):
    """SafeLoader with YAML 1.2 booleans."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml12(text: str) -> Any:
    return yaml.load(text, Loader=Yaml12Loader)  # noqa: S506 - a safe loader
