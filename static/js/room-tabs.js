// On a phone the video stays on top and chat, questions and polls are tabs under it (WAI-ARIA tabs:
// arrow keys, Home and End move between them). On wide screens, and without JavaScript, the panels
// are all shown, side by side or stacked, and the tab list stays hidden.
const tablist = document.querySelector(".room-tabs");
const phone = window.matchMedia("(max-width: 59.99rem)");

if (tablist) {
  const tabs = [...tablist.querySelectorAll("[role=tab]")];
  const panelOf = (tab) => document.getElementById(tab.getAttribute("aria-controls"));
  for (const tab of tabs) {
    const panel = panelOf(tab);
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", tab.id);
  }

  function select(chosen, focus = false) {
    for (const tab of tabs) {
      const on = tab === chosen;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      panelOf(tab).hidden = phone.matches && !on;
    }
    if (focus) chosen.focus();
  }

  function fit() {
    tablist.hidden = !phone.matches;
    document.getElementById("room")?.classList.toggle("tabbed", phone.matches);
    select(tabs.find((tab) => tab.getAttribute("aria-selected") === "true") || tabs[0]);
  }

  tablist.addEventListener("click", (event) => {
    const tab = event.target.closest("[role=tab]");
    if (tab) select(tab);
  });
  tablist.addEventListener("keydown", (event) => {
    const at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    select(tabs[(next + tabs.length) % tabs.length], true);
  });
  fit();
  phone.addEventListener("change", fit);
}
