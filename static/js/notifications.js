// The notification count in the navigation, kept live over the person's own socket (/ws/me/),
// and new notices added to the top of the notification centre when it is open.
//
// The socket only listens. It reconnects after a drop with the rooms' backoff; after each
// (re)connect the count is read once from the API, so a notice that arrived meanwhile is counted.
import { backoffDelay } from "./room-socket.js";

const badge = document.getElementById("notice-count");
const list = document.getElementById("notice-list");

function showCount(count) {
  if (!badge) return;
  badge.textContent = String(count);
  badge.hidden = count === 0;
  badge.dataset.count = String(count);
}

async function refreshCount() {
  try {
    const response = await fetch("/api/me/notifications/?unread=true", { credentials: "same-origin" });
    if (response.ok) showCount((await response.json()).length);
  } catch {
    // offline: the socket's next frame or the next page brings the count
  }
}

function addToList(notice) {
  if (!list || list.querySelector(`[data-notice="${notice.id}"]`)) return;
  const item = document.createElement("li");
  item.className = "notice unread";
  item.dataset.notice = String(notice.id);
  const title = document.createElement("strong");
  title.textContent = notice.title;
  const body = document.createElement("p");
  body.className = "meta";
  body.textContent = notice.body;
  item.append(title, body);
  if (notice.url) {
    const link = document.createElement("a");
    link.href = notice.url;
    link.textContent = list.dataset.openLabel || "Open";
    item.append(link);
  }
  list.querySelector(".empty")?.remove();
  list.prepend(item);
}

let attempt = 0;
function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/ws/me/`);
  ws.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === "me.ready") {
      attempt = 0;
      document.body.dataset.notices = "live";
      refreshCount();
    } else if (frame.type === "notification") {
      showCount(frame.unread);
      addToList(frame.notification);
    }
  });
  ws.addEventListener("close", (event) => {
    document.body.dataset.notices = "offline";
    if (event.code === 4401) return; // signed out: nothing more to hear
    setTimeout(connect, backoffDelay(attempt++));
  });
}

if (badge) connect();
