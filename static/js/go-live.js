// The Go live page: copy buttons, and the stream's state (offline, backstage, on air) and preview kept
// current while the presenter starts their encoder (the ingest endpoint is asked every few seconds;
// keys rotated elsewhere show too). The preview plays in the backstage, before attendees see anything.
import { Player } from "./stage-player.js";

const REFRESH_MS = 4000;
const root = document.getElementById("go-live");
const labels = JSON.parse(document.getElementById("go-live-labels").textContent);
const preview = document.getElementById("go-live-preview");
const player = new Player(preview);

for (const button of document.querySelectorAll("button.copy")) {
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    try {
      await navigator.clipboard.writeText(source.textContent);
      button.dataset.copied = "true";
    } catch {
      // No clipboard (plain HTTP, an old browser): select the text so the presenter can copy it by hand.
      const range = document.createRange();
      range.selectNodeContents(source);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    }
  });
}

function show(ingest) {
  // "offline", "backstage" (a preview only the company and organisers see) or "on_air".
  root.dataset.status = ingest.status;
  document.getElementById("go-live-state").textContent = labels[ingest.status] ?? labels.offline;
  const onAir = document.getElementById("on-air-form");
  if (onAir) onAir.hidden = ingest.status !== "backstage";
  for (const key of ingest.keys) {
    const badge = root.querySelector(`[data-live-badge="${CSS.escape(key.language)}"]`);
    if (badge) badge.hidden = !key.live;
    const code = document.getElementById(`key-${key.language}`);
    if (code && code.textContent !== key.stream_key) code.textContent = key.stream_key;
  }
  const original = ingest.keys.find((key) => key.language === "original");
  if (original?.live) player.play(original.preview_url);
  else player.stop();
}

async function refresh() {
  try {
    const response = await fetch(root.dataset.ingestUrl, { credentials: "same-origin" });
    if (response.ok) show(await response.json());
  } catch {
    // Offline for a moment: the next round tries again.
  }
  setTimeout(refresh, REFRESH_MS);
}
refresh();
