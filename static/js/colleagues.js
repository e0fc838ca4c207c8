// The meeting page's "Who sits in this meeting": a person of a company side brings colleagues of their
// company into the meeting and its call, or takes them out again, through the calls API
// (POST /api/meetings/{id}/colleagues/ {user_id}, DELETE …/colleagues/{user_id}/). The API's answer is
// the list of everyone sitting in the meeting; its refusals carry a translated `detail` (the call is
// full, not a member of your company…), shown as they are.
const root = document.getElementById("colleagues");
const labels = JSON.parse(document.getElementById("colleague-labels").textContent);
const list = root.querySelector("[data-colleague-list]");
const form = root.querySelector("[data-colleague-form]");
const choice = root.querySelector("[data-colleague-choice]");
const status = root.querySelector("[data-colleague-status]");
const csrf = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_all, key) => values[key] ?? "");

// Everyone the person could bring, by id (the select's options, and whoever they take out again).
const team = new Map([...choice.options].map((option) => [Number(option.value), option.textContent]));
const removable = new Set([...root.querySelectorAll("[data-colleague-remove]")].map((b) => Number(b.dataset.colleagueRemove)));
for (const id of removable) team.set(id, list.querySelector(`li[data-user-id="${id}"]`).firstChild.textContent.trim());

function say(text, failed = false) {
  status.textContent = text;
  status.classList.toggle("error", failed);
}

function show(seats) {
  const seated = new Set(seats.map((seat) => seat.user_id));
  list.replaceChildren(...seats.map(({ user_id: id, name }) => {
    const item = document.createElement("li");
    item.dataset.userId = String(id);
    item.append(name);
    if (removable.has(id)) {
      const button = Object.assign(document.createElement("button"), { type: "button", className: "link", textContent: labels.remove });
      button.dataset.colleagueRemove = String(id);
      item.append(" ", button);
    }
    return item;
  }));
  choice.replaceChildren(...[...team].filter(([id]) => !seated.has(id)).map(([id, name]) => new Option(name, String(id))));
  form.hidden = !choice.options.length;
}

async function ask(url, method, body) {
  form.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(url, {
      method,
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/json" },
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    return { ok: response.ok, data };
  } catch {
    return { ok: false, data: { detail: labels.failed } };
  } finally {
    form.removeAttribute("aria-busy");
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = Number(choice.value);
  if (!id) return;
  const name = team.get(id) ?? "";
  const { ok, data } = await ask(root.dataset.api, "POST", { user_id: id });
  if (!ok) return say(typeof data.detail === "string" ? data.detail : labels.failed, true);
  removable.add(id);
  show(data);
  say(fill(labels.added, { name }));
});

list.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-colleague-remove]");
  if (!button) return;
  const id = Number(button.dataset.colleagueRemove);
  const { ok, data } = await ask(`${root.dataset.api}${id}/`, "DELETE");
  if (!ok) return say(typeof data.detail === "string" ? data.detail : labels.failed, true);
  removable.delete(id);
  show(data);
  say(fill(labels.removed, { name: team.get(id) ?? "" }));
});

form.hidden = !choice.options.length;
