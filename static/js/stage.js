// The room's stage: the live stream in the viewer's language channel, told by the room socket.
//
// room.js passes on `room.state` (whose `stage` is the stage's state) and every `stage.state` as
// DOM events on #room; this module draws the player from them. The viewer starts on their own
// language when that channel is live, else the original; a channel they pick is remembered in
// localStorage per room. When the stream stops, the room's replays are fetched again until the new
// one is ready, so "Watch the replay" appears without a reload.
import { Player } from "./stage-player.js";

const REPLAY_POLL_MS = 5000;
const REPLAY_POLL_FOR_MS = 3 * 60 * 1000;

const root = document.getElementById("stage");
const room = document.getElementById("room");
const labels = JSON.parse(document.getElementById("stage-labels").textContent);
const $ = (id) => document.getElementById(id);
const video = $("stage-video");
let embed = $("stage-embed");
const player = new Player(video);
const choiceKey = `summit-stage-channel:${root.dataset.roomKey}`;

const stage = {
  status: "offline",
  streams: [],
  defaultLanguage: root.dataset.defaultLanguage || "",
  wasLive: false,
  replayIds: new Set(JSON.parse($("stage-replay-ids").textContent)),
  pollUntil: 0,
  pollTimer: null,
};

function savedChoice() {
  try {
    return localStorage.getItem(choiceKey);
  } catch {
    return null; // private browsing may refuse storage
  }
}

function saveChoice(language) {
  try {
    localStorage.setItem(choiceKey, language);
  } catch {
    // The choice still holds for this visit.
  }
}

/** The stream this viewer watches: their pick, else their language, else the original, else any live one. */
function chosenStream() {
  const live = stage.streams.filter((stream) => stream.live);
  const find = (language) => live.find((stream) => stream.language === language);
  return find(stage.choice ?? savedChoice()) ?? find(stage.defaultLanguage) ?? find("original") ?? live[0] ?? null;
}

function drawChannels(current) {
  const group = $("stage-channels");
  group.replaceChildren();
  const live = stage.streams.filter((stream) => stream.live);
  group.hidden = live.length < 2;
  for (const stream of live) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "channel";
    button.dataset.language = stream.language;
    button.textContent = labels.languages[stream.language] ?? stream.label;
    button.setAttribute("aria-pressed", String(stream === current));
    button.addEventListener("click", () => {
      stage.choice = stream.language;
      saveChoice(stream.language);
      draw();
    });
    group.append(button);
  }
}

function draw() {
  const current = chosenStream();
  root.dataset.status = stage.status;
  root.dataset.channel = current?.language ?? "";
  drawChannels(current);
  $("stage-offline").hidden = Boolean(current);
  if (current?.kind !== "embed") {
    embed?.remove();
    embed = null;
  }
  if (!current) {
    player.stop();
    video.hidden = true;
    return;
  }
  if (current.kind === "embed") {
    player.stop();
    video.hidden = true;
    if (!embed) {
      embed = document.createElement("iframe");
      embed.id = "stage-embed";
      embed.title = labels.stream;
      embed.allow = "autoplay; fullscreen";
      embed.referrerPolicy = "strict-origin-when-cross-origin";
      $("stage-screen").append(embed);
    }
    if (embed.getAttribute("src") !== current.url) embed.src = current.url;
    return;
  }
  video.hidden = false;
  player.play(current.url, { live: true }).then((playing) => {
    if (playing === false) $("stage-offline").textContent = labels.not_supported;
  });
}

function apply(state) {
  if (!state) return;
  const hadLive = stage.status === "live";
  stage.status = state.status;
  stage.streams = state.streams ?? [];
  if (state.default_language) stage.defaultLanguage = state.default_language;
  if (state.recordings) showReplays(state.recordings);
  if (hadLive && state.status !== "live") watchForReplay();
  draw();
}

// --- replays -------------------------------------------------------------------------------

function showReplays(recordings) {
  const list = $("stage-replays");
  for (const recording of recordings) {
    if (stage.replayIds.has(recording.id)) continue;
    stage.replayIds.add(recording.id);
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = recording.page_url;
    link.className = "replay";
    // Two replays of one session differ by their language: the label says which.
    const language = labels.languages[recording.language] || recording.language;
    link.textContent = labels.watch_replay_in.replace("%(language)s", language);
    const when = document.createElement("time");
    when.dateTime = recording.started_at;
    when.textContent = ` · ${new Date(recording.started_at).toLocaleString(document.documentElement.lang || "en", {
      dateStyle: "medium", timeStyle: "short", timeZone: room?.dataset.tz || undefined,
    })}`;
    item.append(link, when);
    list.prepend(item);
  }
  $("stage-replays-block").hidden = stage.replayIds.size === 0;
}

async function fetchReplays() {
  try {
    const response = await fetch(root.dataset.stageUrl, { credentials: "same-origin" });
    if (response.ok) showReplays((await response.json()).recordings);
  } catch {
    // Offline for a moment: the next round tries again.
  }
}

function watchForReplay() {
  stage.pollUntil = Date.now() + REPLAY_POLL_FOR_MS;
  const known = stage.replayIds.size;
  clearTimeout(stage.pollTimer);
  const round = async () => {
    await fetchReplays();
    if (stage.replayIds.size === known && Date.now() < stage.pollUntil) {
      stage.pollTimer = setTimeout(round, REPLAY_POLL_MS);
    }
  };
  stage.pollTimer = setTimeout(round, REPLAY_POLL_MS);
}

// --- from the room socket ------------------------------------------------------------------

room?.addEventListener("room:state", (event) => apply(event.detail.stage));
room?.addEventListener("room:event", (event) => {
  if (event.detail.type === "stage.state") apply(event.detail);
});
apply(JSON.parse($("stage-state").textContent));
