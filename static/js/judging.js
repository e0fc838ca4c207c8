// Scoring a pitch and the people's choice without reloading the page, so the stage video beside
// the form keeps playing and the scroll position stays.
//
// Progressive enhancement: form.score-form and form.peoples-choice-form post to their page and come
// back without JavaScript. With this module the form is sent to the API instead (with the form's
// CSRF token) and updated in place: the card's state (none, draft, submitted) shows and hides the
// parts marked data-when, and the form's status line says what happened in the reader's language
// (the API's `detail` is already translated).
function csrf(form) {
  return form.querySelector('input[name="csrfmiddlewaretoken"]').value;
}

async function send(form, url, method, body) {
  const response = await fetch(url, {
    method,
    headers: { "X-CSRFToken": csrf(form), "Content-Type": "application/json" },
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = {};
  try {
    data = await response.json();
  } catch {
    // no JSON body: the status line says nothing more than the status
  }
  return { ok: response.ok, data };
}

function showState(form, state) {
  form.dataset.cardState = state;
  for (const part of form.querySelectorAll("[data-when]")) {
    part.hidden = !part.dataset.when.split(" ").includes(state);
  }
}

function say(form, text, failed) {
  const status = form.querySelector("[data-form-status]");
  status.textContent = text;
  status.classList.toggle("error", Boolean(failed));
}

function scoresOf(form) {
  const scores = {};
  for (const input of form.querySelectorAll("input[data-criterion]")) {
    const raw = input.value.trim();
    if (raw !== "") scores[input.dataset.criterion] = Number(raw);
  }
  return scores;
}

async function saveScores(form, action) {
  const wasSubmitted = form.dataset.cardState === "submitted";
  const { ok, data } =
    action === "withdraw"
      ? await send(form, form.dataset.withdrawApi, "POST")
      : await send(form, form.dataset.api, "PUT", {
          scores: scoresOf(form),
          comment: form.querySelector("textarea[name=comment]").value,
          submit: action === "submit",
        });
  if (!ok) return say(form, data.detail || "", true);
  showState(form, data.status);
  if (action === "withdraw") say(form, form.dataset.savedWithdrawn);
  else if (action === "submit" && !wasSubmitted) say(form, form.dataset.savedSubmitted);
  else if (data.status === "submitted") say(form, form.dataset.savedKept);
  else say(form, form.dataset.savedDraft);
}

async function choose(form) {
  const { ok, data } = await send(form, form.dataset.api, "POST", { session_id: Number(form.dataset.session) });
  if (!ok) return say(form, data.detail || "", true);
  form.querySelector("button").hidden = true;
  say(form, form.dataset.chosen);
}

document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form.score-form, form.peoples-choice-form");
  if (!form || !window.fetch) return;
  event.preventDefault();
  if (form.getAttribute("aria-busy") === "true") return;
  form.setAttribute("aria-busy", "true");
  try {
    if (form.classList.contains("score-form")) await saveScores(form, event.submitter?.value || "submit");
    else await choose(form);
  } catch {
    form.submit(); // offline or odd: let the server answer, as it would without JavaScript
  } finally {
    form.removeAttribute("aria-busy");
  }
});
