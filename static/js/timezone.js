// Tells the server the browser's time zone once, so times are shown in it by default,
// and makes selects marked data-autosubmit submit their form on change.
const COOKIE = "summit_tz";
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

if (browserZone && !document.cookie.split("; ").some((c) => c.startsWith(`${COOKIE}=`))) {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${COOKIE}=${encodeURIComponent(browserZone)}; path=/; max-age=31536000; SameSite=Lax${secure}`;
  if (!sessionStorage.getItem("summit_tz_reloaded")) {
    sessionStorage.setItem("summit_tz_reloaded", "1");
    location.reload();
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
