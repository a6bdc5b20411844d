"""Voices for the harness: espeak-ng (offline), gTTS (Google, online) and the timing estimate.

Import them from harness.engines; this package stays import-free so that modules here and
harness.mp3 can import each other's pieces without a cycle.
"""
