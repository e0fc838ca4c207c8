// The live room page: chat, questions, reactions and presence over the room's websocket.
//
// Everything people write is put on the page with textContent, never as HTML. The page's
// strings come translated from the server (the #room-labels JSON), times are shown in the
// viewer's time zone (data-tz) and language (<html lang>).
import { RoomSocket } from "./room-socket.js";

const CHAT_KEEP = 500;
const NEAR_BOTTOM_PX = 48;
const REACTION_GAP_MS = 250;
const MODERATING_ROLES = ["moderator", "organiser", "speaker"];
const STATUS_ORDER = { approved: 0, pending: 0, answered: 1, dismissed: 2 };

const root = document.getElementById("room");
const labels = JSON.parse(document.getElementById("room-labels").textContent);
const lang = document.documentElement.lang || "en";
const plural = new Intl.PluralRules(lang);
const clock = new Intl.DateTimeFormat(lang, {
  hour: "2-digit", minute: "2-digit", timeZone: root.dataset.tz || undefined,
});

const $ = (id) => document.getElementById(id);
const chatScroll = $("chat-scroll");
const chatLog = $("chat-log");
const questionList = $("questions");

const state = {
  me: null,
  messages: new Map(), // seq -> li, the chat as drawn
  questions: new Map(), // id -> {data, seq, li}
  votedIds: new Set(),
  voteGuesses: [], // question ids whose vote we toggled before the server confirmed
  lastReaction: 0,
  reactions: new Map(), // emoji -> clicks counted since the page joined
};

// --- helpers --------------------------------------------------------------------

function counted(forms, count) {
  const form = forms[plural.select(count)] ?? forms.other;
  return form.replace("%(count)s", count.toLocaleString(lang));
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function formatTime(iso) {
  const date = iso ? new Date(iso) : new Date();
  return Number.isNaN(date.getTime()) ? "" : clock.format(date);
}

let errorTimer;
function showError(text) {
  const box = $("room-error");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => { box.hidden = true; }, 8000);
}

// --- own votes: the server's word when it gives one, else what this browser did ---------

const votesKey = () => `summit-votes:${root.dataset.roomKey}:${state.me?.id}`;

function loadVotes() {
  try {
    state.votedIds = new Set(JSON.parse(localStorage.getItem(votesKey()) || "[]"));
  } catch {
    state.votedIds = new Set();
  }
}

function saveVotes() {
  try {
    localStorage.setItem(votesKey(), JSON.stringify([...state.votedIds]));
  } catch {
    // Private browsing may refuse storage; the votes still show for this visit.
  }
}

/** `voted` is in the room's snapshot and in the echo of one's own vote; absent, this browser's memory stands. */
function serverVoted(question) {
  return typeof question.voted === "boolean" ? question.voted : undefined;
}

// --- connection status ----------------------------------------------------------

function onStatus(status) {
  root.dataset.connection = status;
  const text = { connecting: labels.connecting, live: labels.live, reconnecting: labels.reconnecting }[status]
    ?? labels[status] ?? status;
  $("room-status-text").textContent = text;
  $("room-retry").hidden = status !== "reconnecting";
  $("room-signin").hidden = status !== "signed_out";
  const final = ["signed_out", "forbidden", "not_found"].includes(status);
  for (const control of root.querySelectorAll("form button, form input, form textarea, .reaction")) {
    control.disabled = final;
  }
}

// --- chat -----------------------------------------------------------------------

function isNearBottom() {
  return chatScroll.scrollHeight - chatScroll.scrollTop - chatScroll.clientHeight < NEAR_BOTTOM_PX;
}

// Whether the reader follows the chat: true until they scroll up, true again once back at the bottom.
// Kept from their scrolling, not measured when a message arrives, so a resized window keeps it.
let following = true;

function scrollToEnd() {
  chatScroll.scrollTop = chatScroll.scrollHeight;
  following = true;
  $("chat-jump").hidden = true;
}

/** Runs `change` and keeps the reader where they were: at the bottom if they were, else still. */
function keepingScroll(change) {
  change();
  if (following) scrollToEnd();
  else $("chat-jump").hidden = false;
}

function authorLine(author) {
  const line = el("p", "who");
  const isMe = author && state.me && author.id === state.me.id;
  line.append(el("strong", null, author?.name || labels.anonymous));
  if (author?.organisation) line.append(el("span", "org", ` · ${author.organisation}`));
  if (isMe) line.append(el("span", "me", ` (${labels.you})`));
  return line;
}

function messageItem(message) {
  const li = el("li", "message");
  li.dataset.seq = message.seq;
  if (message.client_id) li.dataset.clientId = message.client_id;
  if (state.me && message.author?.id === state.me.id) li.classList.add("mine");
  const head = authorLine(message.author);
  const time = el("time", "time", formatTime(message.created_at));
  if (message.created_at) time.dateTime = message.created_at;
  head.append(" ", time);
  li.append(head, el("p", "body", message.body));
  return li;
}

/** Draws a stored message once, in seq order, replacing its "sending…" copy if it was ours. */
function addMessage(message) {
  if (message.client_id) sendingItem(message.client_id)?.remove();
  if (typeof message.seq !== "number" || state.messages.has(message.seq)) return;
  const li = messageItem(message);
  state.messages.set(message.seq, li);
  keepingScroll(() => {
    // A replayed older message goes above newer ones already shown; all go above those still sending.
    const later = [...chatLog.children].find((item) => !item.dataset.seq || Number(item.dataset.seq) > message.seq);
    chatLog.insertBefore(li, later ?? null);
    while (state.messages.size > CHAT_KEEP) {
      const oldest = chatLog.querySelector("li[data-seq]");
      state.messages.delete(Number(oldest.dataset.seq));
      oldest.remove();
    }
  });
}

function addSending(frame) {
  const li = el("li", "message mine sending");
  li.dataset.clientId = frame.client_id;
  const head = authorLine(state.me ?? { name: labels.you });
  head.append(" ", el("span", "time", labels.sending));
  li.append(head, el("p", "body", frame.body));
  chatLog.append(li);
  scrollToEnd(); // writing means rejoining the conversation
}

function sendingItem(clientId) {
  return chatLog.querySelector(`li.sending[data-client-id="${CSS.escape(clientId)}"]`);
}

function markNotSent(clientId) {
  const li = sendingItem(clientId);
  if (!li) return;
  li.classList.replace("sending", "failed");
  li.querySelector(".time").textContent = labels.not_sent;
}

chatScroll.addEventListener("scroll", () => {
  following = isNearBottom();
  if (following) $("chat-jump").hidden = true;
});
new ResizeObserver(() => {
  if (following) chatScroll.scrollTop = chatScroll.scrollHeight;
}).observe(chatScroll);

$("chat-jump").addEventListener("click", () => {
  scrollToEnd();
  $("chat-body").focus();
});

$("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("chat-body");
  const body = input.value.trim();
  if (!body) return;
  const frame = { type: "chat.send", body, client_id: crypto.randomUUID() };
  addSending(frame);
  socket.send(frame);
  input.value = "";
});

// --- questions ------------------------------------------------------------------

const canModerate = () => Boolean(state.me?.can_moderate ?? MODERATING_ROLES.includes(state.me?.role));

function questionVisible(question) {
  return question.status !== "dismissed" || canModerate();
}

function compareQuestions(a, b) {
  return (Number(Boolean(b.data.is_pinned)) - Number(Boolean(a.data.is_pinned)))
    || ((STATUS_ORDER[a.data.status] ?? 0) - (STATUS_ORDER[b.data.status] ?? 0))
    || ((b.data.votes ?? 0) - (a.data.votes ?? 0))
    || (a.data.id - b.data.id);
}

function moderationButton(question, action, text) {
  const button = el("button", `moderate ${action}`, text);
  button.type = "button";
  button.dataset.action = action;
  button.dataset.questionId = question.id;
  return button;
}

function drawQuestion(entry) {
  const question = entry.data;
  const li = entry.li ?? el("li");
  entry.li = li;
  li.replaceChildren();
  li.className = `question status-${question.status}${question.is_pinned ? " pinned" : ""}`;
  li.dataset.questionId = question.id;

  const voted = state.votedIds.has(question.id);
  const vote = el("button", "vote");
  vote.type = "button";
  vote.dataset.action = "vote";
  vote.dataset.questionId = question.id;
  vote.setAttribute("aria-pressed", String(voted));
  const voteLabel = voted ? labels.unvote : labels.vote;
  vote.title = voteLabel;
  vote.setAttribute("aria-label", `${voteLabel} (${counted(labels.votes, question.votes ?? 0)})`);
  vote.append(el("span", "arrow", "▲"), el("span", "votes", String(question.votes ?? 0)));
  vote.disabled = !["approved", "answered"].includes(question.status); // what the server takes votes on

  const text = el("div", "text");
  text.append(el("p", "body", question.body));
  const who = authorLine(question.author);
  // An anonymous question shows its author only to them and to staff: the badge says the others do not see it.
  for (const [flag, label] of [[question.is_anonymous && question.author, labels.anonymous],
    [question.is_pinned, labels.pinned], [question.status === "pending", labels.pending],
    [question.status === "answered", labels.answered], [question.status === "dismissed", labels.dismissed]]) {
    if (flag) who.append(" ", el("span", "badge", label));
  }
  text.append(who);
  li.append(vote, text);

  if (canModerate()) {
    const tools = el("div", "moderation");
    if (question.status === "pending") tools.append(moderationButton(question, "approve", labels.approve));
    if (question.status !== "answered") tools.append(moderationButton(question, "answer", labels.answer));
    if (question.status !== "dismissed") tools.append(moderationButton(question, "dismiss", labels.dismiss));
    tools.append(moderationButton(question, "pin", question.is_pinned ? labels.unpin : labels.pin));
    li.append(tools);
  }
}

/**
 * Runs `change` to the questions, then puts them in order. Questions are redrawn in place, so the
 * button a keyboard user was on is focused again afterwards.
 */
function updateQuestions(change) {
  if (!questionList) return;
  const focused = document.activeElement;
  const focusKey = questionList.contains(focused) && focused.dataset.action
    ? [focused.dataset.questionId, focused.dataset.action] : null;
  change();
  const shown = [...state.questions.values()].filter((entry) => questionVisible(entry.data));
  shown.sort(compareQuestions);
  const wanted = shown.map((entry) => entry.li);
  if (wanted.length !== questionList.children.length || wanted.some((li, i) => questionList.children[i] !== li)) {
    questionList.replaceChildren(...wanted);
  }
  $("questions-empty").hidden = shown.length > 0;
  if (focusKey && !questionList.contains(document.activeElement)) {
    questionList.querySelector(`[data-question-id="${focusKey[0]}"][data-action="${focusKey[1]}"]`)?.focus();
  }
}

/**
 * Records a question as of `seq` and returns its entry to draw; an older version than the one
 * known (a replay) changes nothing and returns null.
 */
function applyQuestion(question, seq) {
  if (question.id === undefined) return null;
  const entry = state.questions.get(question.id) ?? { seq: -1 };
  if (typeof seq === "number" && seq <= entry.seq) return null;
  entry.data = { ...entry.data, ...question };
  entry.seq = typeof seq === "number" ? seq : entry.seq;
  // The server tells only the voter whether they now vote for it: this frame is addressed to us.
  const voted = serverVoted(question);
  if (voted !== undefined) {
    if (voted) state.votedIds.add(question.id);
    else state.votedIds.delete(question.id);
    saveVotes();
  }
  state.questions.set(question.id, entry);
  return entry;
}

/** Vote counts are not room events: `question.voted` answers the voter, `question.votes` tells the room. */
function applyVotes(id, votes, voted) {
  const entry = state.questions.get(id);
  if (!entry) return;
  entry.data = { ...entry.data, votes };
  if (typeof voted === "boolean") {
    if (voted) state.votedIds.add(id);
    else state.votedIds.delete(id);
    saveVotes();
  }
  drawQuestion(entry);
}

function redrawQuestions() {
  updateQuestions(() => {
    for (const entry of state.questions.values()) drawQuestion(entry);
  });
}

questionList?.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const id = Number(button.dataset.questionId);
  if (button.dataset.action === "vote") {
    if (state.votedIds.has(id)) state.votedIds.delete(id);
    else state.votedIds.add(id);
    state.voteGuesses.push(id);
    saveVotes();
    socket.send({ type: "question.vote", question_id: id });
    redrawQuestions();
  } else {
    socket.send({ type: "question.moderate", question_id: id, action: button.dataset.action });
  }
});

$("question-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const body = $("question-body").value.trim();
  if (!body) return;
  const anonymous = $("question-anonymous").checked;
  socket.send({ type: "question.ask", body, anonymous, client_id: crypto.randomUUID() });
  $("question-body").value = "";
});

// --- reactions and presence ---------------------------------------------------------

/** A `reaction` frame counts the clicks of one short window; the button shows the total since joining. */
function showReaction(emoji, count) {
  const button = root.querySelector(`.reaction[data-emoji="${CSS.escape(emoji)}"]`);
  if (!button || typeof count !== "number") return;
  const total = (state.reactions.get(emoji) ?? 0) + count;
  state.reactions.set(emoji, total);
  button.querySelector("[data-count]").textContent = total.toLocaleString(lang);
  button.classList.remove("burst");
  void button.offsetWidth; // restarts the CSS animation
  button.classList.add("burst");
}

for (const button of root.querySelectorAll(".reaction")) {
  button.addEventListener("click", () => {
    const now = Date.now();
    if (now - state.lastReaction < REACTION_GAP_MS) return;
    state.lastReaction = now;
    socket.send({ type: "reaction.send", emoji: button.dataset.emoji });
  });
}

function showPresence(count) {
  if (typeof count === "number") $("room-presence").textContent = counted(labels.presence, count);
}

// --- frames from the server -------------------------------------------------------------

function onState(frame, { resumed }) {
  const firstMe = !state.me;
  state.me = frame.you ?? state.me;
  if (firstMe) loadVotes();
  root.dataset.role = state.me?.role ?? "";
  // The snapshot is as of last_seq: replayed question events older than that change nothing.
  const asOf = frame.last_seq ?? 0;
  updateQuestions(() => {
    for (const question of frame.questions ?? []) applyQuestion(question, Math.max(asOf, question.seq ?? 0));
    // All of them: who this person is (a moderator?) decides what each question shows.
    for (const entry of state.questions.values()) drawQuestion(entry);
  });
  for (const message of frame.messages ?? []) addMessage(message);
  if (!resumed) scrollToEnd();
  showPresence(frame.presence?.count);
  // Other parts of the page (the stage player) read their share of the state from this event.
  root.dispatchEvent(new CustomEvent("room:state", { detail: frame }));
}

function onEvent(frame) {
  switch (frame.type) {
    case "chat.message":
      addMessage(frame);
      break;
    case "question.created":
    case "question.updated":
      if (serverVoted(frame) !== undefined) state.voteGuesses = state.voteGuesses.filter((id) => id !== frame.id);
      updateQuestions(() => {
        const entry = applyQuestion(frame, frame.seq);
        if (entry) drawQuestion(entry);
      });
      break;
    case "question.voted":
      state.voteGuesses = state.voteGuesses.filter((id) => id !== frame.question_id);
      updateQuestions(() => applyVotes(frame.question_id, frame.votes, frame.voted));
      break;
    case "question.votes":
      updateQuestions(() => {
        for (const { id, votes } of frame.questions ?? []) applyVotes(id, votes);
      });
      break;
    case "presence":
      showPresence(frame.count);
      break;
    case "reaction":
      showReaction(frame.emoji, frame.count);
      break;
    default:
      // Frames of other parts of the page, such as `stage.state` for the stage player.
      root.dispatchEvent(new CustomEvent("room:event", { detail: frame }));
      break;
  }
}

function onError(frame, pendingFrame) {
  if (pendingFrame?.type === "chat.send" && !["unavailable", "rate_limited"].includes(frame.code)) {
    markNotSent(pendingFrame.client_id);
  }
  if (!frame.client_id && state.voteGuesses.length) {
    // A refused vote carries no client_id: undo the oldest vote still unconfirmed.
    const id = state.voteGuesses.shift();
    if (state.votedIds.has(id)) state.votedIds.delete(id);
    else state.votedIds.add(id);
    saveVotes();
    redrawQuestions();
  }
  showError(frame.detail || labels.errors[frame.code] || labels.errors.invalid);
}

const socket = new RoomSocket(root.dataset.wsPath, { onState, onEvent, onStatus, onError });
$("room-retry").addEventListener("click", () => socket.reconnectNow());
socket.connect();
