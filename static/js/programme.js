// The editor's time inputs hold wall time in the organiser's zone; beside each, the same moment in the
// other party's zone (e.g. Asia/Shanghai) follows as it is typed. Without JavaScript the server shows it.

function offsetMs(utcMs, zone) {
  // How far `zone` is ahead of UTC at the instant `utcMs`.
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return wall - Math.floor(utcMs / 1000) * 1000;
}

function wallTimeToUtc(value, zone) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!match) return null;
  const wall = Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5]);
  const first = wall - offsetMs(wall, zone);
  return wall - offsetMs(first, zone);  // second pass: right across a clock change
}

function show(output) {
  const input = document.getElementById(output.htmlFor.value);
  if (!input) return;
  const utc = wallTimeToUtc(input.value, output.dataset.ownZone);
  output.value = utc === null ? "" : new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    timeZone: output.dataset.otherZone, weekday: "short", day: "numeric", month: "short",
    hour: "2-digit", minute: "2-digit",
  }).format(new Date(utc));
}

for (const output of document.querySelectorAll("output[data-other-zone]")) {
  const input = document.getElementById(output.htmlFor.value);
  if (!input) continue;
  input.addEventListener("input", () => show(output));
  if (input.value) show(output);
}
