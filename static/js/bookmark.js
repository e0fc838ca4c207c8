// Add to / remove from my agenda without reloading the page or losing the scroll position.
//
// Progressive enhancement: each form.bookmark-form works on its own (it posts and comes back to
// #session-N). With this module it is sent to the API instead (POST or DELETE data-api, with the
// form's CSRF token) and every copy of that session's button on the page is updated in place.
function setState(api, on) {
  for (const form of document.querySelectorAll(`form.bookmark-form[data-api="${CSS.escape(api)}"]`)) {
    const button = form.querySelector("button");
    button.classList.toggle("on", on);
    button.setAttribute("aria-pressed", String(on));
    button.textContent = on ? button.dataset.labelOn : button.dataset.labelOff;
    form.querySelector('input[name="action"]').value = on ? "remove" : "add";
  }
}

document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form.bookmark-form");
  if (!form || !window.fetch) return;
  event.preventDefault();
  if (form.getAttribute("aria-busy") === "true") return;
  const adding = form.querySelector('input[name="action"]').value !== "remove";
  form.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(form.dataset.api, {
      method: adding ? "POST" : "DELETE",
      headers: { "X-CSRFToken": form.querySelector('input[name="csrfmiddlewaretoken"]').value },
      credentials: "same-origin",
    });
    if (response.ok) {
      setState(form.dataset.api, adding);
    } else {
      form.submit(); // let the server say what went wrong, as it would without JavaScript
    }
  } catch {
    form.submit();
  } finally {
    form.removeAttribute("aria-busy");
  }
});
