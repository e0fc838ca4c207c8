// The Go live page: copy buttons, and the stream's state and preview kept current while the presenter
// starts their encoder (the ingest endpoint is asked every few seconds; keys rotated elsewhere show too).
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
  const live = ingest.keys.some((key) => key.live);
  root.dataset.status = live ? "live" : "offline";
  document.getElementById("go-live-state").textContent = live ? labels.live : labels.offline;
  for (const key of ingest.keys) {
    const badge = root.querySelector(`[data-live-badge="${CSS.escape(key.language)}"]`);
    if (badge) badge.hidden = !key.live;
    const code = document.getElementById(`key-${key.language}`);
    if (code && code.textContent !== key.stream_key) code.textContent = key.stream_key;
  }
  if (ingest.keys.find((key) => key.language === "original")?.live) player.play(preview.dataset.hls);
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
