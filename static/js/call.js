// The meeting room's video call: a full mesh of WebRTC connections (at most 4 people), signalled over
// the room's socket, relayed when needed by the platform's own TURN server.
//
// room.js hands this module the room's frames as `room:state` / `room:event` events on #room and
// writes what it sends (`room:send`). Signalling is not trickled: a description is sent once its ICE
// candidates are gathered, so a join costs one frame per person, well inside the socket's rate limit.
// For each pair the person with the smaller id offers; the other answers. A dropped socket does not
// drop the pictures: a peer missing from `call.peers` keeps its connection while it still carries
// media, and is closed only when it fails or its person pressed Leave. `?ice=relay` forces every
// connection through TURN. A line that stays weak drops the call to sound only (call-line.js decides):
// the page stops sending its video and asks the others to stop sending theirs to it, until the person
// turns the camera back on.
import { initialLine, judgeLine, resumeVideo } from "./call-line.js";

const root = document.getElementById("call");
const room = document.getElementById("room");
const labels = JSON.parse(document.getElementById("call-labels").textContent);
const me = Number(root.dataset.me);
const relayOnly = new URLSearchParams(location.search).get("ice") === "relay";
const GATHER_MS = 3000; // longest wait for ICE candidates before a description goes anyway
const GRACE_MS = 20000; // how long a connection to someone missing from call.peers is kept
const RESTART_AFTER_MS = 2500; // a connection "disconnected" this long restarts ICE
const STATS_MS = 2000;
const CAMERA = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15 } };
const VIDEO_MAX_BPS = 500_000; // per connection: what a TURN server carries per person and direction, audio aside

const $ = (selector) => root.querySelector(selector);
const note = $("[data-call-note]");
const grid = $("[data-call-grid]");
const localVideo = $("video[data-call-local]");
const buttons = {
  join: $("[data-call-join]"), mute: $("[data-call-mute]"), camera: $("[data-call-camera]"),
  share: $("[data-call-share]"), leave: $("[data-call-leave]"),
};
const cameraChoice = $("[data-call-camera-choice]");
const micChoice = $("[data-call-mic-choice]");
const statsBody = $("[data-call-stats]");
const lineNote = $("[data-call-line]");
const videoBack = $("[data-call-video-back]");

const state = {
  local: new MediaStream(),
  camera: null, // the camera's video track
  mic: null,
  screen: null,
  joined: false,
  ice: null, // {ice_servers, expires_at}
  peers: new Map(), // user id -> Peer
  names: new Map(),
  peersAt: 0, // `at` of the newest call.peers heard
  line: initialLine(), // call-line.js's view of this person's line
  audioOnly: false, // the line was weak: no video goes out, and the others were asked to send none
};

const send = (frame) => room.dispatchEvent(new CustomEvent("room:send", { detail: frame }));
const say = (text) => { note.textContent = text; };
const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_all, key) => values[key] ?? "");

// --- own camera and microphone ------------------------------------------------------------

async function getMedia() {
  // 640×360 at 15 frames a second: a picture per person that a phone decodes three times over in a mesh of four.
  const camera = { ...CAMERA, ...(cameraChoice.value ? { deviceId: { exact: cameraChoice.value } } : {}) };
  const mic = micChoice.value ? { deviceId: { exact: micChoice.value } } : true;
  try {
    return { stream: await navigator.mediaDevices.getUserMedia({ audio: mic, video: camera }), message: "" };
  } catch {
    try {
      return { stream: await navigator.mediaDevices.getUserMedia({ audio: mic }), message: labels.audio_only };
    } catch {
      return { stream: new MediaStream(), message: labels.listen_only };
    }
  }
}

async function preview() {
  const { stream, message } = await getMedia();
  for (const track of state.local.getTracks()) {
    track.stop();
    state.local.removeTrack(track);
  }
  state.camera = stream.getVideoTracks()[0] ?? null;
  state.mic = stream.getAudioTracks()[0] ?? null;
  for (const track of stream.getTracks()) state.local.addTrack(track);
  localVideo.srcObject = state.local;
  root.dataset.media = state.camera ? "camera" : state.mic ? "audio" : "none";
  localVideo.closest("figure").classList.toggle("no-picture", !state.camera);
  say(message);
  await listDevices();
  meterLevel();
  for (const peer of state.peers.values()) peer.sendTracks();
}

async function listDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  for (const [select, kind, track] of [[cameraChoice, "videoinput", state.camera], [micChoice, "audioinput", state.mic]]) {
    const chosen = track?.getSettings().deviceId ?? select.value;
    select.replaceChildren();
    for (const device of devices.filter((found) => found.kind === kind)) {
      const option = new Option(device.label || device.deviceId.slice(0, 8), device.deviceId);
      option.selected = device.deviceId === chosen;
      select.append(option);
    }
    if (!select.options.length) select.append(new Option(labels.no_camera, ""));
  }
}

let meterFrame;
function meterLevel() {
  cancelAnimationFrame(meterFrame);
  const meter = $("[data-call-level]");
  if (!state.mic) return;
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  context.createMediaStreamSource(new MediaStream([state.mic])).connect(analyser);
  const samples = new Uint8Array(analyser.fftSize);
  const draw = () => {
    analyser.getByteTimeDomainData(samples);
    let peak = 0;
    for (const sample of samples) peak = Math.max(peak, Math.abs(sample - 128) / 128);
    meter.value = state.mic.enabled ? peak : 0;
    meterFrame = requestAnimationFrame(draw);
  };
  draw();
}

// --- credentials from the platform's TURN server ---------------------------------------------

async function credentials() {
  const fresh = state.ice && Date.parse(state.ice.expires_at) - Date.now() > 10 * 60 * 1000;
  if (fresh) return state.ice;
  const answer = await fetch(root.dataset.credentialsUrl, { credentials: "same-origin" });
  if (!answer.ok) {
    const body = await answer.json().catch(() => ({}));
    throw new Error(typeof body.detail === "string" ? body.detail : labels.no_credentials);
  }
  state.ice = await answer.json();
  return state.ice;
}

function configuration() {
  return { iceServers: state.ice.ice_servers, iceTransportPolicy: relayOnly ? "relay" : "all" };
}

// The answering side's video sender comes from the offer: its cap is set once it has an encoding.
function capVideo(sender) {
  const parameters = sender.getParameters();
  const [encoding] = parameters.encodings ?? [];
  if (!encoding || encoding.maxBitrate === VIDEO_MAX_BPS) return;
  encoding.maxBitrate = VIDEO_MAX_BPS;
  sender.setParameters(parameters).catch(() => {});
}

// --- one connection per other person ----------------------------------------------------------

class Peer {
  constructor(id) {
    this.id = id;
    this.offers = me < id; // the smaller id offers, the other answers
    this.remote = new MediaStream();
    this.figure = document.createElement("figure");
    this.figure.className = "call-tile";
    this.video = document.createElement("video");
    Object.assign(this.video, { autoplay: true, playsInline: true });
    this.video.dataset.callRemote = "";
    this.video.dataset.userId = String(id);
    this.caption = document.createElement("figcaption");
    this.askedAudioOnly = false; // their line is weak: they asked for no video from here
    this.figure.append(this.video, this.caption);
    grid.append(this.figure);
    this.video.srcObject = this.remote;
    this.rename();
    this.open(null);
  }

  rename() {
    const name = state.names.get(this.id) ?? "";
    this.caption.textContent = this.askedAudioOnly ? fill(labels.sound_only, { name }) : name;
  }

  open(pcId) {
    this.pc?.close();
    this.pcId = pcId ?? crypto.randomUUID();
    this.pc = new RTCPeerConnection(configuration());
    for (const track of this.remote.getTracks()) this.remote.removeTrack(track);
    this.pc.ontrack = (event) => {
      this.remote.addTrack(event.track);
      this.video.srcObject = this.remote;
    };
    this.pc.onconnectionstatechange = () => this.watch();
    this.pc.oniceconnectionstatechange = () => this.watch();
    if (this.offers) {
      this.pc.addTransceiver("audio", { direction: "sendrecv" });
      this.pc.addTransceiver("video", { direction: "sendrecv", sendEncodings: [{ maxBitrate: VIDEO_MAX_BPS }] });
      this.sendTracks();
    }
  }

  sendTracks() {
    for (const transceiver of this.pc.getTransceivers()) {
      const kind = transceiver.receiver.track.kind;
      const noVideo = state.audioOnly || this.askedAudioOnly;
      const track = kind === "audio" ? state.mic : noVideo ? null : state.screen ?? state.camera;
      transceiver.direction = "sendrecv";
      transceiver.sender.replaceTrack(track ?? null);
      if (kind === "video") capVideo(transceiver.sender);
    }
    this.figure.dataset.sending = state.audioOnly || this.askedAudioOnly ? "audio" : "video";
  }

  async describe() {
    const pc = this.pc;
    if (pc.iceGatheringState !== "complete") {
      await new Promise((done) => {
        const timer = setTimeout(done, GATHER_MS);
        pc.addEventListener("icegatheringstatechange", () => {
          if (pc.iceGatheringState === "complete") { clearTimeout(timer); done(); }
        });
      });
    }
    if (pc !== this.pc) return;
    send({ type: "call.signal", to: this.id, data: { description: pc.localDescription.toJSON(), pc: this.pcId } });
  }

  async offer(iceRestart = false) {
    if (!this.offers || this.offering) return;
    this.offering = true;
    try {
      if (iceRestart) {
        await credentials();
        this.pc.setConfiguration(configuration());
      }
      await this.pc.setLocalDescription(await this.pc.createOffer({ iceRestart }));
      await this.describe();
    } finally {
      this.offering = false;
    }
  }

  async heard(data) {
    if (typeof data.audio_only === "boolean") { // their line is weak (or well again): video to them stops (or resumes)
      this.askedAudioOnly = data.audio_only;
      this.figure.dataset.theirLine = data.audio_only ? "weak" : "video";
      this.rename();
      this.sendTracks();
      return;
    }
    const description = data.description;
    if (!description || !["offer", "answer"].includes(description.type)) return;
    if (description.type === "offer") {
      if (this.offers) return; // roles are fixed by id: an offer here is stale
      if (data.pc !== this.pcId) this.open(data.pc); // a new connection of theirs (they reloaded)
      await this.pc.setRemoteDescription(description);
      this.sendTracks();
      await this.pc.setLocalDescription(await this.pc.createAnswer());
      for (const transceiver of this.pc.getTransceivers()) {
        if (transceiver.receiver.track.kind === "video") capVideo(transceiver.sender);
      }
      await this.describe();
    } else if (this.pc.signalingState === "have-local-offer" && data.pc === this.pcId) {
      await this.pc.setRemoteDescription(description);
    }
  }

  watch() {
    const connection = this.pc.connectionState;
    this.figure.dataset.connection = connection;
    clearTimeout(this.restartTimer);
    if (connection === "connected") {
      this.rename();
      if (state.audioOnly && !this.toldAudioOnly) this.tellLine();
      return;
    }
    if (connection === "failed" || this.pc.iceConnectionState === "disconnected") {
      this.caption.textContent = fill(labels.reconnecting, { name: state.names.get(this.id) ?? "" });
      const wait = connection === "failed" ? 0 : RESTART_AFTER_MS;
      this.restartTimer = setTimeout(() => this.offer(true), wait);
    }
  }

  tellLine() {
    this.toldAudioOnly = state.audioOnly;
    send({ type: "call.signal", to: this.id, data: { audio_only: state.audioOnly } });
  }

  // Still missing from call.peers after the grace: closed, unless its pictures still flow.
  expire() {
    this.graceTimer = null;
    if (this.carriesMedia()) this.graceTimer = setTimeout(() => this.expire(), GRACE_MS);
    else this.close();
  }

  carriesMedia() {
    return this.pc.connectionState === "connected";
  }

  close() {
    clearTimeout(this.restartTimer);
    clearTimeout(this.graceTimer);
    this.pc.close();
    this.figure.remove();
    state.peers.delete(this.id);
  }
}

function peer(id) {
  return state.peers.get(id) ?? state.peers.set(id, new Peer(id)).get(id);
}

// --- the call's frames ----------------------------------------------------------------------

function onPeers(frame) {
  if (!state.joined) return;
  if (frame.at < state.peersAt) return; // overtaken on the way by a list read later
  state.peersAt = frame.at;
  const present = new Set();
  for (const { user_id: id, name } of frame.peers ?? []) {
    state.names.set(id, name);
    if (id === me) continue;
    present.add(id);
    const found = state.peers.get(id);
    if (found) {
      clearTimeout(found.graceTimer);
      found.graceTimer = null;
      found.rename();
      if (found.offers && ["failed", "disconnected"].includes(found.pc.connectionState)) found.offer(true);
    } else if (me < id) {
      peer(id).offer();
    }
  }
  for (const found of [...state.peers.values()]) {
    if (present.has(found.id)) continue;
    if (frame.left === found.id) found.close();
    else found.graceTimer ??= setTimeout(() => found.expire(), GRACE_MS);
  }
  const others = [...present].length;
  say(others ? labels.in_call : labels.alone);
}

function onEvent(frame) {
  if (frame.type === "call.peers") onPeers(frame);
  else if (frame.type === "call.signal" && state.joined && Number.isInteger(frame.from)) {
    peer(frame.from).heard(frame.data ?? {}).catch((error) => console.warn("call signal", error));
  } else if (frame.type === "call.waiting" && !state.joined) {
    say(fill(labels.waiting, { name: frame.name }));
  } else if (frame.type === "call.ended") {
    leave(labels.ended);
  }
}

// --- the buttons ------------------------------------------------------------------------------

function showJoined(joined) {
  state.joined = joined;
  buttons.join.hidden = joined;
  for (const name of ["mute", "camera", "share", "leave"]) buttons[name].hidden = !joined;
  buttons.camera.disabled = !state.camera;
  buttons.mute.disabled = !state.mic;
  root.dataset.joined = joined ? "yes" : "no";
}

async function join() {
  buttons.join.disabled = true;
  say(labels.joining);
  try {
    await credentials();
  } catch (error) {
    say(error.message);
    buttons.join.disabled = false;
    return;
  }
  buttons.join.disabled = false;
  showJoined(true);
  send({ type: "call.join" });
}

function leave(message = labels.left) {
  if (state.joined) send({ type: "call.leave" });
  state.peersAt = 0;
  for (const found of [...state.peers.values()]) found.close();
  stopSharing();
  state.line = initialLine();
  state.audioOnly = false;
  showLine();
  showJoined(false);
  say(message);
}

function toggle(button, track, onLabel, offLabel) {
  if (!track) return;
  track.enabled = !track.enabled;
  button.setAttribute("aria-pressed", String(!track.enabled));
  button.textContent = track.enabled ? onLabel : offLabel;
}

async function share() {
  if (state.audioOnly) backToVideo(); // sharing a screen is asking for a picture
  if (state.screen) {
    stopSharing();
    return;
  }
  try {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true });
    state.screen = stream.getVideoTracks()[0];
  } catch {
    say(labels.share_failed);
    return;
  }
  state.screen.addEventListener("ended", stopSharing);
  localVideo.srcObject = new MediaStream([state.screen]);
  buttons.share.textContent = labels.stop_share;
  root.dataset.sharing = "yes";
  for (const found of state.peers.values()) found.sendTracks();
}

function stopSharing() {
  if (!state.screen) return;
  state.screen.stop();
  state.screen = null;
  localVideo.srcObject = state.local;
  buttons.share.textContent = labels.share;
  root.dataset.sharing = "no";
  for (const found of state.peers.values()) found.sendTracks();
}

// --- the connection panel: round trip, loss and bitrate per person ------------------------------

async function measure() {
  const rows = [];
  const samples = [];
  for (const found of state.peers.values()) {
    const report = await found.pc.getStats();
    let pair = null;
    let frames = 0, lost = 0, received = 0, bytes = 0, width = 0, remoteLoss = 0;
    const byId = new Map();
    report.forEach((entry) => byId.set(entry.id, entry));
    report.forEach((entry) => {
      if (entry.type === "transport" && entry.selectedCandidatePairId) pair = byId.get(entry.selectedCandidatePairId);
      if (entry.type === "inbound-rtp") {
        lost += entry.packetsLost ?? 0;
        received += entry.packetsReceived ?? 0;
        bytes += entry.bytesReceived ?? 0;
        if (entry.kind === "video") { frames = entry.framesDecoded ?? 0; width = entry.frameWidth ?? 0; }
      }
      // What the other side reports of the packets it gets from here (fraction lost, 0 to 1).
      if (entry.type === "remote-inbound-rtp") remoteLoss = Math.max(remoteLoss, entry.fractionLost ?? 0);
    });
    const now = performance.now();
    const kbps = found.lastBytes === undefined ? 0 : ((bytes - found.lastBytes) * 8) / (now - found.lastAt);
    const newlyLost = lost - (found.lastLost ?? lost);
    const newlyReceived = received - (found.lastReceived ?? received);
    const loss = Math.max(remoteLoss, newlyLost + newlyReceived > 0 ? newlyLost / (newlyLost + newlyReceived) : 0);
    found.lastBytes = bytes;
    found.lastAt = now;
    found.lastLost = lost;
    found.lastReceived = received;
    const outgoing = pair?.availableOutgoingBitrate;
    if (found.pc.connectionState === "connected" && pair?.currentRoundTripTime !== undefined) {
      // What could be sent counts only where video is meant to go: with sound only the estimate stays low.
      const sendsVideo = outgoing !== undefined && !found.askedAudioOnly;
      samples.push({ loss, rttMs: pair.currentRoundTripTime * 1000, outgoingKbps: sendsVideo ? outgoing / 1000 : null });
    }
    const route = pair ? byId.get(pair.localCandidateId)?.candidateType ?? "" : "";
    Object.assign(found.video.dataset, { framesDecoded: String(frames), candidateType: route, frameWidth: String(width) });
    const rtt = pair?.currentRoundTripTime === undefined ? "–" : `${Math.round(pair.currentRoundTripTime * 1000)} ms`;
    const lossShown = received + lost ? `${((100 * lost) / (received + lost)).toFixed(1)} %` : "–";
    const canSend = outgoing === undefined ? "–" : `${Math.round(outgoing / 1000)} kbit/s`;
    rows.push([state.names.get(found.id) ?? "", rtt, lossShown, `${Math.round(kbps)} kbit/s`, canSend, route]);
  }
  if (samples.length) judge(samples);
  statsBody.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement("tr");
    for (const cell of cells) tr.append(Object.assign(document.createElement("td"), { textContent: cell }));
    return tr;
  }));
}

// --- a weak line: sound only until the person turns the camera back on ---------------------------

// The best of this person's connections: when even that one is weak, the weak line is theirs.
function judge(samples) {
  const known = samples.map((sample) => sample.outgoingKbps).filter((kbps) => kbps !== null);
  const best = {
    at: performance.now(),
    loss: Math.min(...samples.map((sample) => sample.loss)),
    rttMs: Math.min(...samples.map((sample) => sample.rttMs)),
    outgoingKbps: known.length ? Math.max(...known) : null,
  };
  if (!state.joined || !(state.camera || state.screen)) return; // no picture to drop
  const wasRecovered = state.line.recovered;
  state.line = judgeLine(state.line, best);
  if (state.line.switched) {
    state.audioOnly = true;
    for (const found of state.peers.values()) { found.sendTracks(); found.tellLine(); }
    showLine(labels.weak);
  } else if (state.line.recovered && !wasRecovered) {
    showLine(labels.better);
  }
}

function backToVideo() {
  state.line = resumeVideo(state.line);
  state.audioOnly = false;
  for (const found of state.peers.values()) { found.sendTracks(); found.tellLine(); }
  showLine();
}

function showLine(text = "") {
  lineNote.hidden = !state.audioOnly;
  lineNote.querySelector("[data-call-line-text]").textContent = text;
  root.dataset.line = state.audioOnly ? "sound-only" : "video";
}

// --- wiring ---------------------------------------------------------------------------------

buttons.join.addEventListener("click", join);
buttons.leave.addEventListener("click", () => leave());
buttons.mute.addEventListener("click", () => toggle(buttons.mute, state.mic, labels.mute, labels.unmute));
buttons.camera.addEventListener("click", () => toggle(buttons.camera, state.camera, labels.camera_off, labels.camera_on));
buttons.share.addEventListener("click", share);
videoBack.addEventListener("click", backToVideo);
cameraChoice.addEventListener("change", preview);
micChoice.addEventListener("change", preview);
room.addEventListener("room:event", (event) => onEvent(event.detail));
// A socket that came back (room.state again): take the seat again; pictures still flowing stay as they are.
room.addEventListener("room:state", () => {
  if (state.joined) send({ type: "call.join" });
});
// A network change (Wi-Fi to a phone's hotspot): every connection this page offers restarts ICE.
const restartAll = () => { for (const found of state.peers.values()) if (found.offers) found.offer(true); };
window.addEventListener("online", restartAll);
navigator.connection?.addEventListener?.("change", restartAll);
setInterval(() => { measure().catch(() => {}); }, STATS_MS);
showLine();
showJoined(false);
preview();
