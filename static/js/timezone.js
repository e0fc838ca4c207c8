// Times in the reader's zone from the very first page, without loading it twice.
//
// The server renders times in the zone it knows (the person's saved zone, the summit_tz cookie,
// else the server's). On a first visit it cannot know the browser's, so this script stores it in
// the cookie for every later page and rewrites this page's times in place: each
// <time datetime="…" data-local="time|end|day|datetime"> is formatted again with Intl in the page's
// language, and elements marked data-zone-label say which zone that now is.
// It also makes selects marked data-autosubmit submit their form on change.
const COOKIE = "summit_tz";
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

function storedZone() {
  const entry = document.cookie.split("; ").find((c) => c.startsWith(`${COOKIE}=`));
  return entry ? decodeURIComponent(entry.slice(COOKIE.length + 1)) : null;
}

const FORMATS = {
  time: { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  // A session's end is always a bare time, as the server writes it: one ending after midnight
  // reads "23:30–00:30" on the first visit and after registering alike.
  end: { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  day: { weekday: "long", month: "long", day: "numeric" },
  datetime: { weekday: "long", year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23" },
  short: { weekday: "long", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
};

function dayKey(date, zone) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" })
    .format(date);
}

// A time whose local day is not its heading's day (the zone moved it across midnight) shows its day too.
function relocalise(zone) {
  const lang = document.documentElement.lang || undefined;
  for (const el of document.querySelectorAll("time[data-local]")) {
    const when = new Date(el.getAttribute("datetime"));
    if (Number.isNaN(when.getTime())) continue;
    let kind = el.dataset.local;
    const heading = el.closest("[data-day]");
    if (kind === "time" && heading && dayKey(when, zone) !== dayKey(new Date(heading.dataset.day), zone)) {
      kind = "short";
    }
    el.textContent = new Intl.DateTimeFormat(lang, { ...FORMATS[kind], timeZone: zone }).format(when);
  }
  for (const el of document.querySelectorAll("[data-zone-label]")) el.textContent = zone;
  for (const select of document.querySelectorAll("select[name=tz]")) {
    if (![...select.options].some((option) => option.value === zone)) select.add(new Option(zone, zone), 0);
    select.value = zone;
  }
  document.documentElement.dataset.timezone = zone;
}

if (browserZone && storedZone() === null) {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${COOKIE}=${encodeURIComponent(browserZone)}; path=/; max-age=31536000; SameSite=Lax${secure}`;
  // Only pages the server rendered without knowing any zone are rewritten: a signed-in person's saved
  // zone, or a zone picked on the page (?tz=), is what they asked for.
  if (document.body.dataset.zoneSource === "default") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => relocalise(browserZone));
    else relocalise(browserZone);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[data-browser-timezone]")) {
    if (!input.value && browserZone) input.value = browserZone;
  }
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }
});
