"""The workout as a plain state machine: where the runner is and how each command moves them.

Knows nothing of Alexa or speech; every move returns a new `Progress` and the events that a
speech layer turns into words.
"""
