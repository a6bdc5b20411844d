"""Alexa handlers: thin adapters from requests to the coaching state machine and back."""
