// The site menu folds on a phone, so the header takes one line of the first screen, not half of it.
// Without JavaScript the menu stays open (everything reachable); on wide screens it is always open.
const menu = document.querySelector("details.site-menu");
const phone = window.matchMedia("(max-width: 40rem)");

function fit() {
  if (menu) menu.open = !phone.matches;
}

fit();
phone.addEventListener("change", fit);
