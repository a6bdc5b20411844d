// The simulator page: one simulated Echo on the server (harness/simulator), shown and heard here.
// The server keeps the device and its clock; this page sends what the runner does, polls the
// state, renders the screen with apl.js from the document the skill sent, and plays the coach's
// words and the player's tracks.
"use strict";

(() => {
  const POLL_MS = 500;
  const LISTEN_SECONDS = 8; // harness.device.MIC_OPEN_SECONDS
  const VIEWPORTS = {
    "show-5": { width: 960, height: 480, shape: "rectangle", dpi: 160 },
    "show-8": { width: 1280, height: 800, shape: "rectangle", dpi: 160 },
    "show-10": { width: 1280, height: 800, shape: "rectangle", dpi: 160 },
    "show-15": { width: 1920, height: 1080, shape: "rectangle", dpi: 160 },
    "show-21": { width: 1920, height: 1080, shape: "rectangle", dpi: 160 },
    spot: { width: 480, height: 480, shape: "round", dpi: 160 },
    none: null,
  };
  // What runners say, each a sample of the interaction model (interaction_model/).
  const PHRASES = [
    "open upper body coach", "start the bodyweight workout", "start the dumbbell workout",
    "skip the warm up", "next set", "repeat that", "how do I do this", "too hard",
    "make it harder", "how many sets are left", "pause", "resume", "skip this exercise",
    "what can I say", "stop", "alexa, next",
  ];
  const $ = (id) => document.getElementById(id);

  const sim = {
    id: null,
    nextEntry: 0,
    shownVersion: 0,
    screen: null,
    last: null, // the last state from the server
    busy: Promise.resolve(),
    errors: [],
  };
  window.simulator = sim; // for the browser tests and the curious

  // -- the server --

  async function api(path, options = {}) {
    const response = await fetch(`api/${path}`, options);
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw Object.assign(new Error(body.error || `HTTP ${response.status}`), { status: response.status });
    return body;
  }

  const post = (path, body) =>
    api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });

  function runner() {
    let name = localStorage.getItem("ubc-runner");
    if (!name) {
      name = `runner-${Math.random().toString(36).slice(2, 10)}`;
      localStorage.setItem("ubc-runner", name);
    }
    return name;
  }

  // The locales the skill speaks (skill.locales.SPOKEN), from the server, so a new one needs no
  // change here; `wanted` if it is one of them.
  async function loadLocales(wanted) {
    const { locales, default: fallback } = await api("locales");
    $("locale").replaceChildren(...locales.map((locale) => new Option(localeName(locale), locale)));
    $("locale").value = locales.includes(wanted) ? wanted : fallback;
  }

  function localeName(locale) {
    try {
      return `${new Intl.DisplayNames(["en"], { type: "language" }).of(locale)} (${locale})`;
    } catch {
      return locale; // a browser without Intl.DisplayNames
    }
  }

  // A new device (and session) for the chosen screen, player and locale, queued behind whatever
  // is in flight, so that no answer from the old device lands on the new one.
  function newDevice() {
    return queue(async () => {
      const viewport = $("viewport").value;
      const handsFree = $("hands-free").checked;
      const locale = $("locale").value || undefined; // none loaded: the server's default
      const { id } = await post("devices", { viewport, handsFree, locale, runner: runner() });
      Object.assign(sim, { id, nextEntry: 0, shownVersion: 0, gone: false });
      $("transcript").replaceChildren();
      stopAudio();
      showScreen(null);
      $("device-buttons").hidden = !handsFree;
      await refresh();
    });
  }

  // Requests run one at a time, in order; a failure is shown and the queue goes on.
  function queue(work) {
    sim.busy = sim.busy.then(work).catch((error) => note(`error: ${error.message}`, "error"));
    return sim.busy;
  }

  // What the runner does. Speaking to Alexa, a button or staying silent stops its speech at once.
  function act(path, body) {
    $("speech").pause();
    return queue(async () => apply(sim.id, await post(`devices/${sim.id}/${path}?${query()}`, body)));
  }

  // What the page has: the transcript up to nextEntry, the document of shownVersion.
  const query = () => `since=${sim.nextEntry}&screen=${sim.shownVersion}`;

  async function refresh() {
    if (!sim.id || sim.gone) return;
    const id = sim.id;
    try {
      apply(id, await api(`devices/${id}?${query()}`));
    } catch (error) {
      // A device the server no longer has (restarted, or too many pages): say so once.
      if (error.status === 404) sim.gone = true;
      note(`error: ${error.message}`, "error");
    }
  }

  // -- what the server says --

  function apply(id, state) {
    if (id !== sim.id) return; // an answer about a device this page has left
    if (state.nextEntry < sim.nextEntry) return; // an older answer, overtaken
    sim.last = state;
    let spoken = null;
    for (const entry of state.entries) {
      if (entry.number < sim.nextEntry) continue;
      addEntry(entry);
      if (entry.audio) spoken = entry.audio;
    }
    sim.nextEntry = state.nextEntry;
    if (spoken) speak(spoken); // a newer answer cuts an older one off, as Alexa does
    if (state.shown && state.shown.document && state.shown.version !== sim.shownVersion) {
      sim.shownVersion = state.shown.version;
      showScreen(state.shown);
    }
    showStatus(state);
    followPlayer(state.player);
  }

  function addEntry(entry) {
    const who = { runner: "You", coach: "Coach", reprompt: "Coach (reprompt)", player: "Player" }[entry.kind];
    const item = document.createElement("li");
    item.className = entry.kind;
    item.dataset.number = entry.number;
    if (who) item.append(span("who", `${who}:`));
    item.append(document.createTextNode(entry.text));
    if (entry.detail) item.append(span("detail", entry.detail));
    if (entry.audio) {
      const replay = document.createElement("button");
      replay.type = "button";
      replay.className = "replay";
      replay.textContent = "play";
      replay.title = "Hear it again";
      replay.addEventListener("click", () => speak(entry.audio));
      item.append(replay);
    }
    if (entry.kind === "error") sim.errors.push(entry.text);
    $("transcript").append(item);
    item.scrollIntoView({ block: "nearest" });
  }

  function note(text, kind = "note") {
    addEntry({ number: -1, kind, text });
  }

  function span(className, text) {
    const element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function showStatus(state) {
    const session = state.session;
    $("locale-status").textContent = localeName(state.locale);
    $("session-status").textContent = session.open ? `open (${session.id.slice(-8)})` : "closed";
    $("mic-status").textContent = microphone(session.listeningMs);
    showPlayer(state.player);
    const reminders = state.reminders || [];
    $("reminders-status").textContent = reminders.length ? reminders.join("; ") : "none";
    $("session-state").textContent = JSON.stringify(
      { deviceSeconds: state.deviceSeconds, session: session, player: state.player }, null, 2);
  }

  // The microphone opens when the coach stops talking and listens for 8 s.
  function microphone(listeningMs) {
    if (listeningMs === null) return "off";
    const seconds = Math.ceil(listeningMs / 1000);
    if (seconds > LISTEN_SECONDS) return `opens when the coach has finished (in ${seconds - LISTEN_SECONDS} s)`;
    return `listening, closes in ${seconds} s`;
  }

  // -- the screen --

  function showScreen(shown) {
    const host = $("screen");
    if (sim.screen) sim.screen.destroy();
    sim.screen = null;
    host.replaceChildren();
    const viewport = VIEWPORTS[$("viewport").value];
    $("no-screen").hidden = viewport !== null;
    if (!viewport) {
      host.style.height = "0";
      return;
    }
    const scale = Math.min(1, ($("screen-frame").clientWidth - 28) / viewport.width);
    host.style.transform = `scale(${scale})`;
    host.style.width = `${viewport.width}px`;
    host.style.height = `${viewport.height * scale}px`;
    if (!shown) return;
    sim.screen = window.APL.render(host, shown.document, shown.datasources, {
      viewport,
      onSendEvent: (args) => act("touch", { argument: String(args[0]) }),
    });
    for (const warning of sim.screen.warnings) note(`screen: ${warning}`, "error");
  }

  function showPlayer(player) {
    const audio = $("player");
    let text = "no AudioPlayer on this device";
    if (player) text = player.activity.toLowerCase();
    if (player && player.url) {
      text += `: ${player.title || player.token}`;
      if (player.sounding && audio.duration) text += ` (${clock(audio.currentTime)} of ${clock(audio.duration)})`;
    }
    $("player-status").textContent = text;
  }

  const clock = (seconds) =>
    `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, "0")}`;

  // -- sound --

  function speak(url) {
    const speech = $("speech");
    speech.src = url;
    speech.play().catch(() => {}); // a page not yet clicked may not play sound
  }

  function stopAudio() {
    for (const id of ["speech", "player"]) {
      $(id).pause();
      $(id).removeAttribute("src");
    }
  }

  // The device's player, as the server's clock has it: the track and where it is now. It waits
  // while the coach is speaking, as the device holds it.
  function followPlayer(player) {
    const audio = $("player");
    if (!player || !player.sounding || !player.url) {
      if (!audio.paused) audio.pause();
      return;
    }
    const wanted = new URL(player.url, location.href).href;
    const start = () => {
      if (!$("speech").paused) return;
      audio.currentTime = player.offsetMs / 1000;
      audio.play().catch(() => {});
    };
    if (audio.src !== wanted) {
      audio.src = wanted;
      setTimeout(start, player.startsInMs);
    } else if (audio.paused && player.startsInMs === 0) {
      start();
    }
  }

  // -- speaking into the microphone --

  function wav(samples, rate) {
    const view = new DataView(new ArrayBuffer(44 + samples.length * 2));
    const text = (at, s) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
    text(0, "RIFF"); view.setUint32(4, 36 + samples.length * 2, true); text(8, "WAVE");
    text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true);
    view.setUint16(22, 1, true); view.setUint32(24, rate, true); view.setUint32(28, rate * 2, true);
    view.setUint16(32, 2, true); view.setUint16(34, 16, true);
    text(36, "data"); view.setUint32(40, samples.length * 2, true);
    samples.forEach((s, i) => view.setInt16(44 + i * 2, Math.max(-1, Math.min(1, s)) * 0x7fff, true));
    return new Blob([view], { type: "audio/wav" });
  }

  const recording = { wanted: false, stream: null, context: null, chunks: [] };

  async function startTalking() {
    if (!navigator.mediaDevices) {
      note("The microphone needs this page on localhost or HTTPS.");
      return;
    }
    recording.wanted = true;
    $("speech").pause(); // the runner talks over the coach
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      note(`No microphone: ${error.message}`);
      return;
    }
    if (!recording.wanted) { // let go before the microphone was ready
      stream.getTracks().forEach((track) => track.stop());
      return;
    }
    recording.stream = stream;
    recording.context = new AudioContext();
    const source = recording.context.createMediaStreamSource(recording.stream);
    // ScriptProcessor: deprecated, but needs no module file and is enough for a few seconds.
    const tap = recording.context.createScriptProcessor(4096, 1, 1);
    recording.chunks = [];
    tap.onaudioprocess = (event) => recording.chunks.push(new Float32Array(event.inputBuffer.getChannelData(0)));
    source.connect(tap);
    tap.connect(recording.context.destination);
    $("talk").classList.add("recording");
  }

  async function stopTalking() {
    recording.wanted = false;
    if (!recording.stream) return;
    $("talk").classList.remove("recording");
    recording.stream.getTracks().forEach((track) => track.stop());
    const rate = recording.context.sampleRate;
    await recording.context.close();
    recording.stream = null;
    const samples = Float32Array.from(recording.chunks.flatMap((chunk) => [...chunk]));
    if (samples.length < rate / 4) return note("Hold the button while you speak.");
    queue(async () => {
      const id = sim.id;
      const state = await api(`devices/${id}/listen?${query()}`, {
        method: "POST", headers: { "Content-Type": "audio/wav" }, body: wav(samples, rate),
      });
      apply(id, state);
    });
  }

  // -- the page --

  function setUp() {
    for (const phrase of PHRASES) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = phrase;
      button.dataset.say = phrase;
      button.addEventListener("click", () => act("say", { text: phrase }));
      $("phrases").append(button);
    }
    $("say-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const text = $("say-text").value.trim();
      if (text) act("say", { text });
      $("say-text").value = "";
    });
    $("silence").addEventListener("click", () => act("silence"));
    for (const button of document.querySelectorAll("[data-press]")) {
      button.addEventListener("click", () => act("press", { button: button.dataset.press }));
    }
    $("talk").addEventListener("pointerdown", startTalking);
    $("talk").addEventListener("pointerup", stopTalking);
    $("talk").addEventListener("pointerleave", stopTalking);
    $("viewport").addEventListener("change", newDevice);
    $("hands-free").addEventListener("change", newDevice);
    $("locale").addEventListener("change", newDevice);
    $("new-runner").addEventListener("click", () => {
      localStorage.removeItem("ubc-runner");
      newDevice();
    });
    $("speech").addEventListener("ended", () => sim.last && followPlayer(sim.last.player));
    const params = new URLSearchParams(location.search);
    if (params.has("device")) $("viewport").value = params.get("device");
    if (params.get("handsFree") === "1") $("hands-free").checked = true;
    queue(() => loadLocales(params.get("locale")));
    newDevice();
    setInterval(() => queue(refresh), POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", setUp);
})();
