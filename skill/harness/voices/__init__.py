"""Voices for the harness: espeak-ng (offline), gTTS (Google, online) and the timing estimate.

Import them from skill.harness.engines; this package stays import-free so that modules here and
skill.harness.mp3 can import each other's pieces without a cycle.
"""
