// KinBridge demo web chat: plain JS talking to the sandbox's client API on 127.0.0.1.
// The page's own words (its chrome) live in /web/i18n.json: Chinese first, English on the toggle.
// The bot's words come from the bot itself, in each person's language.
"use strict";
const DEMO_ZONE = "Asia/Shanghai";
const state = {
  lang: localStorage.getItem("kinbridge.lang") === "en" ? "en" : "zh", words: {},
  personas: [], current: null, botId: null, bot: null, lastJson: "", messages: [],
  firstText: {}, clock: null,
};
const $ = (id) => document.getElementById(id);
const t = (key) => (state.words[state.lang] || {})[key] || (state.words.zh || {})[key] || key;
const locale = () => (state.lang === "zh" ? "zh-CN" : "en-GB");

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const resp = await fetch(path, opts);
  if (!resp.ok) throw new Error(`${path}: ${resp.status}`);
  return resp.json();
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k.startsWith("on")) node[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

// ---- the chrome's language ---------------------------------------------------------------
function applyChrome() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  for (const n of document.querySelectorAll("[data-i18n]")) n.textContent = t(n.dataset.i18n);
  for (const n of document.querySelectorAll("[data-i18n-title]")) n.title = t(n.dataset.i18nTitle);
  for (const n of document.querySelectorAll("[data-i18n-placeholder]"))
    n.placeholder = t(n.dataset.i18nPlaceholder);
  renderPersonas();
  renderClock();
  if (state.messages.length || state.current) render(state.messages);
}

$("lang").onclick = () => {
  state.lang = state.lang === "zh" ? "en" : "zh";
  localStorage.setItem("kinbridge.lang", state.lang);
  applyChrome();
};

// ---- time, always in someone's own zone ---------------------------------------------------
function zoneOf(p) { return (p && p.tz) || DEMO_ZONE; }
function fmt(date, zone, opts) {
  return new Intl.DateTimeFormat(locale(), { timeZone: zone, ...opts }).format(date);
}
function hhmm(date, zone) { return fmt(date, zone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }); }
function dayKey(date, zone) { return fmt(date, zone, { year: "numeric", month: "2-digit", day: "2-digit" }); }
function dayNumber(date, zone) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit",
                                                   day: "2-digit" }).format(date).split("-");
  return Date.UTC(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2])) / 86400000;
}
function longDay(date, zone) { return fmt(date, zone, { month: "long", day: "numeric", weekday: "long" }); }

/** "明天 19:00" / "周日 11月29日 20:00（迪拜时间）": where a jump lands, in the target's own zone. */
function landing(target, zone, now) {
  const diff = dayNumber(target, zone) - dayNumber(now, zone);
  const day = diff === 0 ? t("today") : diff === 1 ? t("tomorrow") : diff === 2 ? t("after_tomorrow")
    : fmt(target, zone, { weekday: "short", month: "short", day: "numeric" });
  const zoneName = zone === DEMO_ZONE ? "" : (state.lang === "zh" ? `（${t("zone_" + zone)}）` : ` (${t("zone_" + zone)})`);
  return `${day} ${hhmm(target, zone)}${zoneName}`;
}

// ---- people -------------------------------------------------------------------------------
async function loadPersonas() {
  const data = await api("/sandbox/personas");
  state.personas = data.personas;
  state.botId = data.bot_id;
  state.bot = data.bot || null;
  if (state.bot) {
    $("bot-name").textContent = state.bot.name;
    $("bot-avatar").src = state.bot.avatar;
  }
  renderPersonas();
  const wanted = Number(new URLSearchParams(location.search).get("as"));
  if (wanted) choose(wanted);
  else if (state.current) choose(state.current.id, false);
}

function noteOf(p) { return (state.lang === "zh" ? p.note_zh : p.note_en) || p.note || ""; }

function renderPersonas() {
  for (const [listId, group] of [["personas", "persona"], ["villagers", "villager"]]) {
    const list = $(listId);
    list.innerHTML = "";
    for (const p of state.personas.filter((x) => (x.group || "persona") === group)) {
      const zone = zoneOf(p) === DEMO_ZONE ? null : el("em", { class: "zone" }, t("zone_" + zoneOf(p)));
      const item = el("li", { "data-user": p.id, onclick: () => choose(p.id) },
                      el("span", { class: "initial" }, p.name.slice(0, 1)),
                      el("div", { class: "who" }, el("b", {}, p.name, zone), el("span", {}, noteOf(p))));
      item.classList.toggle("active", !!state.current && state.current.id === p.id);
      list.append(item);
    }
  }
  $("villagers-box").hidden = !state.personas.some((p) => p.group === "villager");
}

function choose(userId, show = true) {
  state.current = state.personas.find((p) => p.id === userId) || { id: userId, name: String(userId) };
  for (const li of document.querySelectorAll(".personas li"))
    li.classList.toggle("active", Number(li.dataset.user) === userId);
  $("who").textContent = state.current.name;
  state.lastJson = "";
  state.messages = [];
  $("messages").innerHTML = "";
  history.replaceState(null, "", `?as=${userId}`);
  if (show) document.body.classList.replace("show-list", "show-chat");
  refresh();
}

$("back").onclick = () => {
  document.body.classList.replace("show-chat", "show-list");
  history.replaceState(null, "", location.pathname);
};

// ---- messages -----------------------------------------------------------------------------
function fileUrl(fileId) { return `/sandbox/files/${encodeURIComponent(fileId)}`; }
function size(bytes) {
  if (!bytes && bytes !== 0) return "";
  return bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${(bytes / 1024).toFixed(1)} KB`
    : `${(bytes / 1048576).toFixed(1)} MB`;
}
function seconds(s) { return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`; }

function openLarge(src) {
  const box = $("lightbox");
  box.querySelector("img").src = src;
  box.hidden = false;
}
$("lightbox").onclick = () => { $("lightbox").hidden = true; };

function bubbleFor(m) {
  const mine = m.from && m.from.id !== state.botId;
  const bubble = el("div", { class: `msg ${mine ? "me" : "bot"}`, "data-message-id": m.message_id });
  const origin = m.forward_origin && m.forward_origin.sender_user;
  if (origin) bubble.append(el("div", { class: "fwd" }, `${t("forwarded")} ${origin.first_name}`));
  if (m.photo) {
    const src = fileUrl(m.photo[m.photo.length - 1].file_id);
    bubble.append(el("img", { class: "photo", src, alt: "photo", onclick: () => openLarge(src) }));
  }
  if (m.document) {
    const name = m.document.file_name || "file";
    bubble.append(el("a", { class: "doc", href: fileUrl(m.document.file_id), download: name, title: t("download") },
                     el("span", { class: "doc-icon" }, "📄"),
                     el("span", { class: "doc-text" }, el("b", {}, name), el("small", {}, size(m.document.file_size)))));
  }
  if (m.voice) {
    bubble.append(el("div", { class: "voice" },
                     el("audio", { controls: "", preload: "metadata", src: fileUrl(m.voice.file_id) }),
                     el("small", { class: "voice-len" }, `🎙 ${seconds(m.voice.duration || 0)}`)));
  }
  if (m.sticker) bubble.append(el("div", { class: "sticker" }, m.sticker.emoji || "🙂"));
  const text = m.text || m.caption || "";
  if (text) bubble.append(el("div", { class: "text" }, text));
  const key = `${state.current.id}:${m.message_id}`;  // "edited" when the words changed
  if (!(key in state.firstText)) state.firstText[key] = text;
  const edited = state.firstText[key] !== text;
  const when = hhmm(new Date(m.date * 1000), zoneOf(state.current));
  bubble.append(el("div", { class: "meta" }, (edited ? `${t("edited")} ` : "") + when));
  return bubble;
}

function render(messages) {
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  box.innerHTML = "";
  let replyKeyboard = null;
  let lastDay = null;
  const zone = zoneOf(state.current);
  for (const m of messages) {
    const date = new Date(m.date * 1000);
    const day = dayKey(date, zone);
    if (day !== lastDay) {
      box.append(el("div", { class: "day", "data-day": day }, el("span", {}, longDay(date, zone))));
      lastDay = day;
    }
    box.append(bubbleFor(m));
    const markup = m.reply_markup || {};
    if (markup.inline_keyboard && markup.inline_keyboard.length) {
      const kb = el("div", { class: "keyboard" });
      for (const row of markup.inline_keyboard) {
        const r = el("div", { class: "row" });
        for (const b of row) {
          r.append(el("button", { type: "button", "data-callback": b.callback_data || "",
                                  onclick: () => press(m.message_id, b.callback_data) }, b.text));
        }
        kb.append(r);
      }
      box.append(kb);
    }
    if (markup.keyboard) replyKeyboard = markup.keyboard;
    else if (markup.remove_keyboard) replyKeyboard = null;
  }
  const first = messages.length === 0;
  if (first) box.append(el("div", { class: "empty" }, t("empty")));
  $("start").hidden = !first;
  $("composer").hidden = first;
  const rk = $("reply-keyboard");
  rk.innerHTML = "";
  for (const row of replyKeyboard || [])
    for (const b of row) rk.append(el("button", { type: "button", onclick: () => say(b.text || b) }, b.text || b));
  if (atBottom || !state.rendered) box.scrollTop = box.scrollHeight;
  state.rendered = true;
}

async function refresh() {
  if (!state.current) return;
  const id = state.current.id;
  try {
    const messages = await api(`/sandbox/chats/${id}/messages?after=0`);
    if (!state.current || state.current.id !== id) return;
    const json = JSON.stringify(messages);
    if (json !== state.lastJson) {
      state.lastJson = json; state.messages = messages; state.rendered = false; render(messages);
    }
  } catch (e) { console.warn(e); }
}

function me() {
  return { user_id: state.current.id, first_name: state.current.name,
           language_code: state.current.language_code || "zh-hans" };
}
async function say(text) {
  if (!text.trim() || !state.current) return;
  await api("/sandbox/send", { ...me(), text });
  refresh();
}
async function press(messageId, data) {
  await api("/sandbox/press", { user_id: state.current.id, message_id: messageId, data });
  refresh();
}

$("composer").onsubmit = (ev) => { ev.preventDefault(); const v = $("text").value; $("text").value = ""; say(v); };
$("start").onclick = () => say("/start");
$("voice").onclick = async () => { await api("/sandbox/voice", me()); refresh(); };
$("photo").onclick = async () => { await api("/sandbox/photo", me()); refresh(); };

// ---- the demo clock -----------------------------------------------------------------------
const RELATIVE = { hour: ["⏱", "jump_hour"], day: ["☀️", "jump_day"], week: ["⏩", "jump_week"] };

function renderClock() {
  const c = state.clock;
  if (!c) return;
  const now = new Date(c.now);
  $("now").textContent = `${t("demo_time")}: ${longDay(now, DEMO_ZONE)} ${hhmm(now, DEMO_ZONE)}`;
  const box = $("jumps");
  box.innerHTML = "";
  for (const j of c.jumps || []) {
    const [icon, key] = RELATIVE[j.id] || [j.icon || "⏩", null];
    const label = key ? t(key) : (j.label || {})[state.lang] || j.id;
    const target = new Date(j.target);
    const b = el("button", { type: "button", id: `jump-${j.id}`, "data-jump": j.id, "data-target": j.target,
                             "data-zone": j.zone },
                 el("span", { class: "jump-label" }, `${icon} ${label}`),
                 el("span", { class: "lands" }, `${t("lands")} ${landing(target, j.zone, now)}`));
    b.onclick = async () => {
      for (const x of box.querySelectorAll("button")) x.disabled = true;
      try { state.clock = await api("/sandbox/clock", { jump: j.id }); } finally { renderClock(); }
      document.body.classList.remove("clock-open");
    };
    box.append(b);
  }
}

async function clock() {
  try { state.clock = await api("/sandbox/clock"); renderClock(); } catch (e) { console.warn(e); }
}

$("clock-open").onclick = () => document.body.classList.add("clock-open");
$("clock-close").onclick = () => document.body.classList.remove("clock-open");

let resetArmed = null;
$("reset").onclick = async () => {
  const button = $("reset");
  if (!resetArmed) {
    button.querySelector("span").textContent = t("reset_confirm");
    button.classList.add("armed");
    resetArmed = setTimeout(() => { resetArmed = null; button.classList.remove("armed"); applyChrome(); }, 5000);
    return;
  }
  clearTimeout(resetArmed);
  resetArmed = null;
  button.disabled = true;
  button.querySelector("span").textContent = t("resetting");
  try {
    state.clock = await api("/sandbox/demo/reset", {});
    state.firstText = {};
    state.lastJson = "";
    await loadPersonas();
  } finally {
    button.disabled = false;
    button.classList.remove("armed");
    document.body.classList.remove("clock-open");
    applyChrome();
    refresh();
  }
};

(async () => {
  try { state.words = await api("/web/i18n.json"); } catch (e) { console.warn(e); }
  applyChrome();
  await loadPersonas();
  await clock();
  document.body.classList.add("ready");
  setInterval(refresh, 700);
  setInterval(clock, 5000);
})();
