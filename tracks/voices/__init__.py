"""Voices: espeak-ng (offline), gTTS (Google, online) and the timing estimate.

Import them from tracks.engines; this package stays import-free so that modules here and
tracks.mp3 can import each other's pieces without a cycle.
"""
