"""Accuracy of the offline command recognizer on synthetic speech.

Speaks a set of commands (every intent, slots, a launch and one-shots) with espeak-ng voices at
several rates, recognises each with CommandRecognizer, and prints per voice and rate:

  exact    the recognised phrase is word for word what was said
  intent   the phrase maps (utterances.match) to the intended intent, or is the launch
  wrong    accepted as a different intent: the costly mistake
  reject   the audio was rejected (no command)

then the false-accept rate on ordinary sentences that are not commands (all must be rejected),
and the general en-US model's word error rate on those sentences (transcribe).

--jsgf measures the alternative the recognizer does not use: a JSGF grammar of the commands
instead of the n-gram model. It cannot reject (every path is a command) and is ten times slower.

Run: .venv/bin/python -m bench.voice_commands [--voices en-us,en] [--rates 1.0] [--misses]
Figures go in docs/voice-commands.md; nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from harness.command_lm import build_vocabulary, jsgf_grammar
from harness.interaction_model import InteractionModel, load_model
from harness.listen import (
    TOP_GAUSSIANS,
    CommandRecognizer,
    Recognition,
    Rejection,
    command_model_files,
    prepare,
    transcribe,
    word_error_rate,
)
from harness.utterances import match
from tracks.engines import EspeakVoice, Pcm

VOICES = ("en-us", "en", "en-us+f3")  # espeak-ng: American, British, American female variant
RATES = (0.8, 1.0, 1.25)

COMMANDS = (
    "start the dumbbell workout",
    "i want to do the bodyweight workout",
    "let's train",
    "next set",
    "i'm done",
    "set complete",
    "that set is done",
    "skip this exercise",
    "move on to the next exercise",
    "how do i do this",
    "give me the form cues",
    "walk me through it",
    "where am i",
    "what's next",
    "how many sets are left",
    "make my rests forty five seconds",
    "set my rest to ninety seconds",
    "rest for two minutes",
    "go to the kettlebell carry",
    "jump to the trx row",
    "switch to the lateral raise",
    "start the chin ups",
    "go back",
    "previous exercise",
    "say that again",
    "pause the workout",
    "hold on",
    "continue",
    "keep going",
    "start over",
    "yes",
    "no",
    "help",
    "what can i say",
    "stop",
    "stop the workout",
    "cancel",
    "go home",
    "next",
    "open upper body coach",
    "tell upper body coach next set",
    "ask upper body coach what's next",
    "ask upper body coach to skip this exercise",
)

EVERYDAY = (
    "the weather is nice today and i am going to the shops",
    "can you pass me the salt please",
    "my brother bought a new car last week",
    "i think it will rain tomorrow afternoon",
    "what time does the train leave",
    "we had pasta for dinner",
    "the cat is sleeping on the sofa",
    "turn left at the next traffic light",
    "she reads a book every night",
    "how much does this cost",
    "did you see the football match",
    "let me call you back later",
    # "thank you" until December 7, when it became a command (ThanksIntent: "You're welcome")
    "i left my keys in the kitchen",
    "good morning",
    "i am tired",
    "see you soon",
)


class Recognizer(Protocol):
    def recognize_pcm(self, pcm: Pcm) -> Recognition: ...


class GrammarRecognizer:
    """The commands as a JSGF grammar (command_lm.jsgf_grammar): every result is a command."""

    def __init__(self, model: InteractionModel) -> None:
        from pocketsphinx import Decoder

        self.model = model
        vocabulary = build_vocabulary(model)
        _, dict_path = command_model_files(model, vocabulary)
        self._decoder: Any = Decoder(
            loglevel="FATAL", topn=TOP_GAUSSIANS, lm=None, dict=str(dict_path)
        )
        self._decoder.add_jsgf_string("commands", jsgf_grammar(model, vocabulary))
        self._decoder.activate_search("commands")

    def recognize_pcm(self, pcm: Pcm) -> Recognition:
        self._decoder.reinit_feat()
        self._decoder.start_utt()
        self._decoder.process_raw(prepare(pcm), full_utt=True)
        self._decoder.end_utt()
        best = self._decoder.hyp()
        text = best.hypstr if best is not None and best.hypstr else None
        found = match(text, self.model) if text else None
        return Recognition(text, text or "", 1.0, 0 if text else None, found, pcm.seconds)


@dataclass
class Tally:
    said: int = 0
    exact: int = 0
    intent: int = 0
    wrong: int = 0
    rejected: int = 0
    seconds: float = 0.0  # recognition time, summed

    def add(self, text: str, heard: Recognition, spent: float) -> None:
        model = load_model()
        wanted = match(text, model)
        self.said += 1
        self.seconds += spent
        if heard.match is None:
            self.rejected += 1
            return
        self.exact += heard.text == text
        same = (heard.match.kind == "launch") == (wanted.kind == "launch")
        if same and heard.match.intent == wanted.intent:
            self.intent += 1
        else:
            self.wrong += 1


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "   - "


def run(
    voices: Sequence[str],
    rates: Sequence[float],
    rejection: Rejection,
    misses: bool,
    wer: bool,
    grammar: bool = False,
) -> None:
    model = load_model()
    recognizer: Recognizer
    if grammar:
        recognizer = GrammarRecognizer(model)
        print("JSGF grammar (no rejection)")
    else:
        recognizer = CommandRecognizer.from_model(model, rejection)
        print(f"n-gram model, {rejection}")
    print(f"{len(COMMANDS)} commands, {len(EVERYDAY)} everyday sentences per voice and rate\n")
    header = f"{'voice':10} {'rate':>5} {'exact':>7} {'intent':>7} {'wrong':>7} {'reject':>7}"
    header += f" {'false acc':>9} {'ms/clip':>8}"
    if wer:
        header += f" {'general WER':>11}"
    print(header)
    totals, false_total, everyday_total, wers = Tally(), 0, 0, []
    for voice_name in voices:
        voice = EspeakVoice(voice_name)
        for rate in rates:
            tally = Tally()
            for text in COMMANDS:
                pcm = voice.synthesize(text, rate)
                start = time.perf_counter()
                heard = recognizer.recognize_pcm(pcm)
                tally.add(text, heard, time.perf_counter() - start)
                if misses and heard.text != text:
                    print(f"    miss  {text!r} -> {heard.text!r} (best path {heard.hypothesis!r})")
            false_accepts, errors = 0, []
            for sentence in EVERYDAY:
                pcm = voice.synthesize(sentence, rate)
                heard = recognizer.recognize_pcm(pcm)
                if heard.accepted:
                    false_accepts += 1
                    if misses:
                        print(f"    false {sentence!r} -> {heard.text!r}")
                if wer:
                    errors.append(word_error_rate(sentence, transcribe(pcm)))
            row = (
                f"{voice_name:10} {rate:5.2f} {percent(tally.exact, tally.said):>7}"
                f" {percent(tally.intent, tally.said):>7} {percent(tally.wrong, tally.said):>7}"
                f" {percent(tally.rejected, tally.said):>7}"
                f" {f'{false_accepts}/{len(EVERYDAY)}':>9}"
                f" {1000 * tally.seconds / tally.said:8.0f}"
            )
            if wer:
                row += f" {statistics.mean(errors):11.2f}"
                wers.extend(errors)
            print(row, flush=True)
            for name in ("said", "exact", "intent", "wrong", "rejected"):
                setattr(totals, name, getattr(totals, name) + getattr(tally, name))
            false_total += false_accepts
            everyday_total += len(EVERYDAY)
    print(
        f"{'all':10} {'':5} {percent(totals.exact, totals.said):>7}"
        f" {percent(totals.intent, totals.said):>7} {percent(totals.wrong, totals.said):>7}"
        f" {percent(totals.rejected, totals.said):>7}"
        f" {f'{false_total}/{everyday_total}':>9}"
        + (f" {'':8} {statistics.mean(wers):11.2f}" if wers else "")
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--voices", default=",".join(VOICES), help="espeak-ng voice names")
    parser.add_argument("--rates", default=",".join(map(str, RATES)), help="speaking rates")
    parser.add_argument("--nbest", type=int, default=Rejection.nbest)
    parser.add_argument("--snap-paths", type=int, default=Rejection.snap_paths)
    parser.add_argument("--snap-min-words", type=int, default=Rejection.snap_min_words)
    parser.add_argument("--misses", action="store_true", help="print every miss")
    parser.add_argument("--no-wer", action="store_true", help="skip the general model (slow)")
    parser.add_argument("--jsgf", action="store_true", help="a JSGF grammar instead (slow)")
    args = parser.parse_args(argv)
    rejection = Rejection(args.nbest, args.snap_paths, args.snap_min_words)
    run(
        [v for v in args.voices.split(",") if v],
        [float(r) for r in args.rates.split(",") if r],
        rejection,
        args.misses,
        not args.no_wer,
        args.jsgf,
    )


if __name__ == "__main__":
    main()
