"""What the harness's device makes of words: which intent, which slots, which skill.

Two recognisers share one interface (recognisers.Recogniser):
- `statistical` (the default): a stand-in for Alexa's statistical NLU, trained from the
  interaction model, that understands wording near the samples (harness.understanding.statistical);
- `exact`: the literal matcher, a sample word for word (harness.utterances), as virtual-alexa does.
Built-in intents keep Alexa's rule in both: only their own phrases and the model's samples.
"""
