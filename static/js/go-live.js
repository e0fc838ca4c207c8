// The Go live page: copy buttons for the server and keys, and the live preview.
import { playAll } from "./stage-player.js";

for (const button of document.querySelectorAll("button.copy")) {
  button.addEventListener("click", async () => {
    const text = document.getElementById(button.dataset.copy)?.textContent ?? "";
    try {
      await navigator.clipboard.writeText(text);
      button.dataset.copied = "true";
    } catch {
      // No clipboard (plain HTTP, old browser): select the text so the presenter can copy it by hand.
      const range = document.createRange();
      range.selectNodeContents(document.getElementById(button.dataset.copy));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    }
  });
}
playAll();
