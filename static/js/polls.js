// The room's polls panel: the polls of the session live now, their results as they move, and
// (for moderators, organisers and the session's speakers) a form to open one and a button to close it.
//
// room.js hands it the room's frames as `room:state` and `room:event` events on #room, and sends
// what it writes as `room:send` events: `room.state` (the polls with this person's own ballot),
// `poll.created` / `poll.updated` (persisted, with seq), `poll.results` (live counts, a few a second
// at most) and `poll.voted` (this person's ballot as stored). Text people wrote goes on the page
// with textContent only. Results are <meter> elements with their counts written out beside them,
// so they read the same to a screen reader; live counts are not announced (they change too often),
// a closed poll and one's own recorded vote are. A poll comes in this person's language where it was
// written in it (the server picks); the form writes it in each language of the summit.

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class PollsPanel {
  /**
   * @param {HTMLElement} root  the #room-panel-polls section
   * @param {object} labels  translated strings (labels.polls of the room page)
   * @param {string} lang  the page's language, for numbers and plurals
   * @param {(frame: object) => void} send  writes a frame to the room's socket
   */
  constructor(root, labels, lang, send) {
    this.root = root;
    this.labels = labels;
    this.lang = lang;
    this.plural = new Intl.PluralRules(lang);
    this.send = send;
    this.polls = new Map(); // id -> {data, seq, ballot, li}
    this.canRun = false;
    this.creating = null; // client_id of the poll this person is opening
    this.list = root.querySelector("#polls");
    this.empty = root.querySelector("#polls-empty");
    this.announce = root.querySelector("#polls-announce");
    this.form = root.querySelector("#poll-form");
    this.form?.addEventListener("submit", (event) => this.create(event));
    // A language's options said to be mismatched are fine again as soon as they are edited.
    this.form?.addEventListener("input", (event) => event.target.setCustomValidity?.(""));
    this.list.addEventListener("submit", (event) => this.vote(event));
    this.list.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-close-poll]");
      if (button) this.send({ type: "poll.close", poll_id: Number(button.dataset.closePoll) });
      const change = event.target.closest("button[data-change-vote]");
      if (change) this.editBallot(Number(change.dataset.changeVote));
    });
  }

  counted(forms, count) {
    const form = forms[this.plural.select(count)] ?? forms.other;
    return form.replace("%(count)s", count.toLocaleString(this.lang));
  }

  // --- frames ---

  onState(frame) {
    const me = frame.you ?? {};
    this.canRun = Boolean(me.can_moderate);
    if (this.form) this.form.hidden = !this.canRun;
    const asOf = frame.last_seq ?? 0;
    for (const poll of frame.polls ?? []) {
      this.apply(poll, asOf, poll.ballot ?? null);
    }
    this.redraw();
  }

  /** Returns true when the frame was a poll frame (handled here). */
  onEvent(frame) {
    switch (frame.type) {
      case "poll.created":
      case "poll.updated": {
        const known = this.polls.get(frame.id);
        const wasOpen = known?.data.status === "open";
        this.apply(frame, frame.seq, undefined);
        this.draw(this.polls.get(frame.id));
        // The form is emptied once the server has the poll: a refused one keeps what was typed.
        if (frame.client_id && frame.client_id === this.creating) {
          this.form.reset();
          this.creating = null;
        }
        if (wasOpen && frame.status === "closed") this.say(this.labels.closed_announce.replace("%(question)s", frame.question));
        return true;
      }
      case "poll.results": {
        const entry = this.polls.get(frame.id);
        if (!entry) return true;
        const votes = new Map(frame.options.map((option) => [option.id, option.votes]));
        for (const option of entry.data.options) {
          if (votes.has(option.id)) option.votes = votes.get(option.id);
        }
        entry.data.voters = frame.voters;
        this.drawCounts(entry);
        return true;
      }
      case "poll.voted": {
        const entry = this.polls.get(frame.poll_id);
        if (!entry) return true;
        entry.ballot = frame.option_ids;
        entry.editing = false;
        this.draw(entry);
        this.say(this.labels.voted_announce);
        return true;
      }
      default:
        return false;
    }
  }

  apply(poll, seq, ballot) {
    const entry = this.polls.get(poll.id) ?? { seq: -1, ballot: null, editing: false };
    if (typeof seq === "number" && seq < entry.seq) return;
    entry.data = { ...entry.data, ...poll, options: poll.options.map((o) => ({ ...o })) };
    entry.seq = typeof seq === "number" ? seq : entry.seq;
    if (ballot !== undefined) entry.ballot = ballot;
    this.polls.set(poll.id, entry);
  }

  say(text) {
    if (this.announce) this.announce.textContent = text;
  }

  // --- drawing ---

  redraw() {
    for (const entry of this.polls.values()) this.draw(entry);
  }

  draw(entry) {
    const poll = entry.data;
    const li = entry.li ?? el("li", "poll");
    li.replaceChildren();
    li.dataset.pollId = poll.id;
    li.classList.toggle("closed", poll.status === "closed");
    const open = poll.status === "open";
    const voting = open && (entry.ballot === null || entry.editing);

    const form = el("form", "poll-ballot");
    form.dataset.pollId = poll.id;
    const fieldset = el("fieldset");
    const legend = el("legend", "poll-question", poll.question);
    if (!open) legend.append(" ", el("span", "badge", this.labels.closed));
    fieldset.append(legend);
    if (voting) {
      fieldset.append(el("p", "meta", poll.multiple ? this.labels.choose_several : this.labels.choose_one));
    }
    const chosen = new Set(entry.ballot ?? []);
    const options = el("ul", "poll-options");
    for (const option of poll.options) {
      const row = el("li", "poll-option");
      row.dataset.optionId = option.id;
      const id = `poll-${poll.id}-option-${option.id}`;
      if (voting) {
        const input = el("input");
        input.type = poll.multiple ? "checkbox" : "radio";
        input.name = `poll-${poll.id}`;
        input.value = option.id;
        input.id = id;
        input.checked = chosen.has(option.id);
        const label = el("label", "poll-label", option.label);
        label.htmlFor = id;
        label.id = `${id}-label`;
        row.append(input, label);
      } else {
        const label = el("span", "poll-label", option.label);
        label.id = `${id}-label`;
        if (chosen.has(option.id)) label.append(" ", el("span", "badge mine", this.labels.your_choice));
        row.append(label);
      }
      const meter = el("meter", "poll-bar");
      meter.min = 0;
      meter.setAttribute("aria-labelledby", `${id}-label`);
      const count = el("span", "poll-count");
      row.append(meter, count);
      options.append(row);
    }
    fieldset.append(options);
    const voters = el("p", "poll-voters meta");
    fieldset.append(voters);
    if (voting) {
      const submit = el("button", "", entry.ballot === null ? this.labels.vote : this.labels.save_vote);
      submit.type = "submit";
      fieldset.append(submit);
    }
    form.append(fieldset);
    li.append(form);

    const actions = el("div", "poll-actions");
    if (open && !voting) {
      const change = el("button", "link", this.labels.change_vote);
      change.type = "button";
      change.dataset.changeVote = poll.id;
      actions.append(change);
    }
    if (open && this.canRun) {
      const close = el("button", "secondary", this.labels.close);
      close.type = "button";
      close.dataset.closePoll = poll.id;
      actions.append(close);
    }
    if (actions.childElementCount) li.append(actions);

    if (!entry.li) {
      entry.li = li;
      this.list.prepend(li); // newest first
    }
    this.drawCounts(entry);
    this.empty.hidden = this.polls.size > 0;
  }

  drawCounts(entry) {
    const poll = entry.data;
    if (!entry.li) return;
    const voters = poll.voters ?? 0;
    for (const option of poll.options) {
      const row = entry.li.querySelector(`.poll-option[data-option-id="${option.id}"]`);
      if (!row) continue;
      const meter = row.querySelector("meter");
      meter.max = Math.max(voters, 1);
      meter.value = option.votes;
      const share = voters ? Math.round((100 * option.votes) / voters) : 0;
      row.querySelector(".poll-count").textContent =
        `${this.counted(this.labels.votes, option.votes)} (${share.toLocaleString(this.lang)} %)`;
    }
    entry.li.querySelector(".poll-voters").textContent = this.counted(this.labels.voters, voters);
  }

  editBallot(id) {
    const entry = this.polls.get(id);
    if (!entry) return;
    entry.editing = true;
    this.draw(entry);
    entry.li.querySelector("input")?.focus();
  }

  // --- sending ---

  vote(event) {
    const form = event.target.closest("form.poll-ballot");
    if (!form) return;
    event.preventDefault();
    const id = Number(form.dataset.pollId);
    const optionIds = [...form.querySelectorAll("input:checked")].map((input) => Number(input.value));
    if (!optionIds.length) {
      this.say(this.labels.choose_first);
      return;
    }
    this.send({ type: "poll.vote", poll_id: id, option_ids: optionIds });
  }

  /**
   * The form has one question and one list of options per summit language (.poll-language, the main
   * language first). Only the first is required; what is written in the others goes as texts keyed by
   * language code, option N of a language being the translation of option N of the first.
   */
  create(event) {
    event.preventDefault();
    const written = [...this.form.querySelectorAll(".poll-language")].map((group) => {
      const textarea = group.querySelector("textarea");
      textarea.setCustomValidity("");
      return {
        code: group.dataset.language,
        textarea,
        question: group.querySelector("input").value.trim(),
        options: textarea.value.split("\n").map((line) => line.trim()).filter(Boolean),
      };
    });
    const [first, ...others] = written;
    const translated = others.filter((language) => language.question || language.options.length);
    for (const language of translated) {
      if (language.options.length && language.options.length !== first.options.length) {
        language.textarea.setCustomValidity(this.labels.same_options);
        language.textarea.reportValidity();
        return;
      }
    }
    let question = first.question;
    let options = first.options;
    if (translated.length) {
      // Texts keyed by language; a language left empty is left out, and reads the first one's text.
      const texts = (pick) => Object.fromEntries(
        written.map((language) => [language.code, pick(language)]).filter(([, text]) => text),
      );
      question = texts((language) => language.question);
      options = first.options.map((_label, index) => texts((language) => language.options[index]));
    }
    const multiple = this.form.querySelector("#poll-multiple").checked;
    this.creating = crypto.randomUUID();
    this.send({ type: "poll.create", question, options, multiple, client_id: this.creating });
  }
}

const room = document.getElementById("room");
const pollsRoot = document.getElementById("room-panel-polls");
if (room && pollsRoot) {
  const labels = JSON.parse(document.getElementById("room-labels").textContent).polls;
  const send = (frame) => room.dispatchEvent(new CustomEvent("room:send", { detail: frame }));
  const panel = new PollsPanel(pollsRoot, labels, document.documentElement.lang || "en", send);
  room.addEventListener("room:state", (event) => panel.onState(event.detail));
  room.addEventListener("room:event", (event) => panel.onEvent(event.detail));
}
