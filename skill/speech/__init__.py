"""What the coach says: wording from locale data, SSML building and Alexa's speech limits."""
