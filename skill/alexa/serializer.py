"""The SDK's serializer, compiled: the same objects and JSON, a fraction of the work per request.

The SDK's DefaultSerializer walks every request reflectively: for each nested model it parses
type strings ("list[...]", "dict(str, ...)"), imports classes by name, rebuilds the attribute
map and parses timestamps with dateutil. None of that changes at run time, so FastSerializer
turns each type into a converter function once and reuses it; timestamps go through
`datetime.fromisoformat` (Alexa's ISO-8601). Results equal the SDK's own (tests compare them on
every request the harness can build and on fuzzed ones), errors are the SDK's
SerializationException.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer

Converter = Callable[[Any], Any]

_LIST = re.compile(r"list\[(.*)\]")
_DICT = re.compile(r"dict\(([^,]*), (.*)\)")


class FastSerializer(DefaultSerializer):
    def __init__(self) -> None:
        super().__init__()
        self._converters: dict[object, Converter] = {}
        self._models: dict[type, Converter] = {}
        self._classes: dict[str, Any] = {}
        self._field_maps: dict[type, tuple[tuple[str, str], ...]] = {}
        # Converters are built on first use, each once, whichever thread asks first.
        self._lock = threading.RLock()

    # -- reading requests --------------------------------------------------------------------

    def deserialize(self, payload: str | None, obj_type: Any) -> Any:
        """As the SDK's: JSON text into `obj_type` (a class or the SDK's type strings)."""
        if payload is None:
            return None
        try:
            parsed = json.loads(payload)
        except Exception:
            raise SerializationException(f"Couldn't parse response body: {payload}") from None
        return self.deserialize_object(parsed, obj_type)

    def deserialize_object(self, parsed: Any, obj_type: Any) -> Any:
        """Already-parsed JSON into `obj_type`: the web path has parsed the body once."""
        if parsed is None:
            return None
        return self._converter(obj_type)(parsed)

    def _converter(self, obj_type: Any) -> Converter:
        found = self._converters.get(obj_type)
        if found is None:
            with self._lock:
                found = self._converters.get(obj_type)
                if found is None:
                    found = self._build(obj_type)
                    self._converters[obj_type] = found
        return found

    def _build(self, obj_type: Any) -> Converter:
        if isinstance(obj_type, str):
            if obj_type.startswith("list["):
                return self._list_converter(obj_type)
            if obj_type.startswith("dict("):
                return self._dict_converter(obj_type)
            if obj_type in self.NATIVE_TYPES_MAPPING:
                obj_type = self.NATIVE_TYPES_MAPPING[obj_type]
            else:
                obj_type = self._load_class(obj_type)
        if obj_type in self.PRIMITIVE_TYPES:
            return self._primitive_converter(obj_type)
        if obj_type is object:
            return _unchanged
        if obj_type is date or obj_type is datetime:
            return self._time_converter(obj_type)
        return self._model_converter(obj_type)

    def _list_converter(self, obj_type: str) -> Converter:
        match = _LIST.match(obj_type)
        if match is None:
            return lambda payload: []
        inner = match.group(1)
        if "," in inner:  # a list of differently typed items, by position
            converters = [self._converter(part.strip()) for part in inner.split(",")]
            return lambda payload: [
                None if item is None else convert(item)
                for item, convert in zip(payload, converters, strict=False)
            ]
        convert = self._converter(inner.strip())
        return lambda payload: [None if item is None else convert(item) for item in payload]

    def _dict_converter(self, obj_type: str) -> Converter:
        match = _DICT.match(obj_type)
        if match is None:
            return lambda payload: {}
        convert = self._converter(match.group(2))
        return lambda payload: {
            key: None if value is None else convert(value) for key, value in payload.items()
        }

    @staticmethod
    def _primitive_converter(kind: Any) -> Converter:
        def convert(payload: Any) -> Any:
            try:
                return kind(payload)
            except UnicodeEncodeError:
                return str(payload)
            except TypeError:
                return payload
            except ValueError:
                raise SerializationException(
                    f"Failed to parse {payload} into '{kind.__name__}' object"
                ) from None

        return convert

    @staticmethod
    def _time_converter(kind: Any) -> Converter:
        def convert(payload: Any) -> Any:
            try:
                parsed = datetime.fromisoformat(payload)
            except (TypeError, ValueError):
                raise SerializationException(
                    f"Failed to parse {payload!r} into {kind.__name__}"
                ) from None
            if kind is date:
                return parsed.date()
            if parsed.utcoffset() is None:
                # Alexa's times carry a zone; a naive one cannot be compared with real times.
                raise SerializationException(f"Time {payload!r} has no time zone")
            return parsed

        return convert

    def _model_converter(self, cls: Any) -> Converter:
        if isinstance(cls, type) and issubclass(cls, Enum):
            enum_class = cls

            def convert_enum(payload: Any) -> Any:
                try:
                    return enum_class(payload)
                except Exception as error:
                    raise SerializationException(str(error)) from error

            return convert_enum
        if not hasattr(cls, "deserialized_types"):
            return _unchanged
        if hasattr(cls, "get_real_child_model"):
            # The concrete class depends on the payload (a request's "type").
            def convert_by_discriminator(payload: Any) -> Any:
                try:
                    name = cls.get_real_child_model(payload)
                    if not name:
                        raise SerializationException(
                            f"Couldn't resolve object by discriminator type for {cls} class"
                        )
                    concrete = self._load_class(name)
                except Exception as error:
                    raise SerializationException(str(error)) from error
                return self._concrete_model(concrete)(payload)

            return convert_by_discriminator
        return self._concrete_model(cls)

    def _concrete_model(self, cls: Any) -> Converter:
        found = self._models.get(cls)
        if found is not None:
            return found
        # A field's converter is looked up when a request first carries that field: building
        # them all up front would import every model a request could hold (~200 modules).
        fields = tuple(
            (payload_name, attribute, cls.deserialized_types[attribute])
            for attribute, payload_name in self._field_map(cls)
        )
        known = frozenset(payload_name for payload_name, _, _ in fields)
        converters = self._converters

        def convert(payload: Any) -> Any:
            try:
                model = cls()
                for payload_name, attribute, kind in fields:
                    if payload_name in payload:
                        value = payload[payload_name]
                        if value is not None:
                            value = (converters.get(kind) or self._converter(kind))(value)
                        setattr(model, attribute, value)
                for extra in payload:
                    if extra not in known:
                        setattr(model, extra, payload[extra])
                return model
            except Exception as error:
                raise SerializationException(str(error)) from error

        self._models[cls] = convert
        return convert

    def _load_class(self, class_name: str) -> Any:
        found = self._classes.get(class_name)
        if found is None:
            # The base class's own (name-mangled) lookup, which mypy cannot see.
            found = DefaultSerializer._DefaultSerializer__load_class_from_name(  # type: ignore[attr-defined]
                self, class_name
            )
            self._classes[class_name] = found
        return found

    def _field_map(self, cls: Any) -> tuple[tuple[str, str], ...]:
        """(attribute, JSON key) pairs in deserialized_types order, keyed as attribute_map
        says (the SDK's order for writing JSON)."""
        found = self._field_maps.get(cls)
        if found is None:
            names = getattr(cls, "attribute_map", {})
            found = tuple((attr, names.get(attr, attr)) for attr in cls.deserialized_types)
            self._field_maps[cls] = found
        return found

    # -- writing responses -------------------------------------------------------------------

    def serialize(self, obj: Any) -> Any:
        """As the SDK's: a model becomes a dict of its non-None fields, keyed as Alexa does."""
        if obj is None or isinstance(obj, self.PRIMITIVE_TYPES):
            return obj
        if isinstance(obj, list):
            return [self.serialize(item) for item in obj]
        if isinstance(obj, dict):
            return {key: self.serialize(value) for key, value in obj.items()}
        if hasattr(obj, "deserialized_types") and not isinstance(obj, Enum):
            serialized = {}
            for attribute, key in self._field_map(type(obj)):
                value = getattr(obj, attribute)
                if value is not None:
                    serialized[key] = self.serialize(value)
            return serialized
        return super().serialize(obj)


def _unchanged(payload: Any) -> Any:
    return payload
