// Plays an HLS address in a <video>: hls.js (vendored, loaded only when needed) where the browser
// has Media Source Extensions, the browser's own HLS otherwise (Safari, iOS).
//
// hls.js runs without its web worker so the page's Content-Security-Policy needs no worker-src. How
// far behind the live edge it plays follows the summit's STAGE_LATENCY profile, which the page puts on
// the video as data-latency (docs/stage.md, "Latency"; measured by bench/stage_latency.py):
// - "low" (1 s fragments): 1 s behind the newest segment's end, caught up by playing up to 1.5× faster
//   after a stall, and by a jump past 3 s: about 2 s glass to glass, a playlist request a second per viewer.
// - "cdn" (2 s fragments): three fragments behind, gentle catch-up: more buffer for a cache in between.
// nginx-rtmp cuts whole segments (no LL-HLS parts), so lowLatencyMode stays off.
export const LIVE_PROFILES = {
  low: { liveSyncDuration: 1, liveMaxLatencyDuration: 3, maxLiveSyncPlaybackRate: 1.5 },
  cdn: { liveSyncDurationCount: 3, liveMaxLatencyDurationCount: 6, maxLiveSyncPlaybackRate: 1.1 },
};

const HLS_MODULE = new URL("../vendor/hls.js/hls.min.mjs", import.meta.url).href;
const HLS_TYPE = "application/vnd.apple.mpegurl";
const RETRY_MS = 1500;
let hlsModule = null;

async function loadHls() {
  hlsModule ??= import(HLS_MODULE).then((module) => module.default);
  return hlsModule;
}

export class Player {
  constructor(video) {
    this.video = video;
    this.hls = null;
    this.url = null;
  }

  /** Start `url` (a playlist), live or on demand; calling again with the same address changes nothing. */
  async play(url, { live = true } = {}) {
    if (url === this.url) return;
    this.stop();
    this.url = url;
    const Hls = window.MediaSource || window.ManagedMediaSource ? await loadHls() : null;
    if (this.url !== url) return; // another play() or stop() came first
    if (Hls && Hls.isSupported()) {
      this.hls = new Hls({
        enableWorker: false,
        lowLatencyMode: false,
        ...(live ? (LIVE_PROFILES[this.video.dataset.latency] ?? LIVE_PROFILES.low) : {}),
        manifestLoadingMaxRetry: live ? 6 : 2,
        levelLoadingMaxRetry: live ? 6 : 2,
      });
      this.hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
          this.hls?.recoverMediaError();
          return;
        }
        // A live playlist asked for before its first segment, or a network blip: start over shortly.
        setTimeout(() => {
          if (this.url !== url) return;
          this.url = null;
          this.play(url, { live });
        }, RETRY_MS);
      });
      this.hls.loadSource(url);
      this.hls.attachMedia(this.video);
    } else if (this.video.canPlayType(HLS_TYPE)) {
      this.video.src = url;
    } else {
      this.url = null;
      return false;
    }
    this.video.play().catch(() => {
      // Autoplay refused (sound): the controls are there for the viewer to start it.
    });
    return true;
  }

  stop() {
    this.url = null;
    if (this.hls) {
      this.hls.destroy();
      this.hls = null;
    }
    this.video.removeAttribute("src");
    this.video.load();
  }
}

/** Every `<video data-hls="…">` on the page plays its address (replay pages, the Go live preview). */
export function playAll(root = document) {
  for (const video of root.querySelectorAll("video[data-hls]")) {
    new Player(video).play(video.dataset.hls, { live: video.dataset.live === "true" });
  }
}
