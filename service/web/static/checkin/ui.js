/* What the door shows: the network line, the full-screen answer with its sound, the counts and the last scans. */

import { $, LANG, KEY, T, clock, fill, state } from "./common.js";

const ANSWER_MS = 2500;
let answerTimer = null;
let audio = null;

export function setOnline(value) {
  state.online = value;
  const node = $("door-network");
  node.dataset.online = String(value);
  node.textContent = (value ? T.online : T.offline)
    + (state.queue.length ? " · " + fill(T.waiting, { n: state.queue.length }) : "");
  document.body.dataset.queue = String(state.queue.length);
  // Walk-ins are registered online only (a seat must be free), and only where the event allows them.
  $("door-walk-in").hidden = !(value && state.walkIns);
}

export function unpair() {
  state.token = null;
  localStorage.removeItem(KEY.token);
  $("door-app").hidden = true;
  $("door-unpaired").hidden = false;
}

// Why a scan was not admitted: with the first admission's time and door when known.
function reason(scan) {
  if (scan.result === "already_checked_in" && scan.admission) {
    return fill(T.already_checked_in_at, { time: clock(scan.admission.at), door: scan.admission.door });
  }
  return T[scan.result] || T.invalid;
}

export function show(answer, startedAt) {
  const ok = answer.result === "admitted";
  const node = $("door-answer");
  let detail = ok ? "" : reason(answer);
  if (answer.local) { detail = (detail ? detail + " · " : "") + T.offline_decided; }
  node.dataset.result = answer.result;
  node.dataset.ok = String(ok);
  node.querySelector(".door-answer-symbol").textContent = ok ? "✓" : "✕";
  $("door-answer-title").textContent = ok ? fill(T.admitted, { name: answer.attendee.name })
    : (answer.attendee ? answer.attendee.name + ": " + T.not_admitted : T.not_admitted);
  $("door-answer-org").textContent = answer.attendee ? describe(answer.attendee) : "";
  $("door-answer-detail").textContent = detail;
  node.hidden = false;
  $("door-answer-next").focus();
  requestAnimationFrame(() => {
    const ms = Math.round(performance.now() - startedAt);
    node.dataset.ms = String(ms);
    document.body.dataset.answers = String(Number(document.body.dataset.answers || "0") + 1);
    signal(ok);  // after the answer is drawn: starting the audio device can take a while the first time
  });
  clearTimeout(answerTimer);
  answerTimer = setTimeout(() => { closeAnswer(); }, ANSWER_MS);
}

// Organisation, and at a workshop the group the person is placed in.
function describe(attendee) {
  const parts = [attendee.organisation || ""];
  if (attendee.group) { parts.push(fill(T.group, { group: attendee.group[LANG] || attendee.group.nb })); }
  return parts.filter(Boolean).join(" · ");
}

export function showProblem(text, startedAt) {
  show({ result: "invalid", attendee: null, admission: null }, startedAt);
  $("door-answer-detail").textContent = text;
}

export function answerShown() { return !$("door-answer").hidden; }

export function closeAnswer(keepFocus) {
  clearTimeout(answerTimer);
  $("door-answer").hidden = true;
  state.lastCodeAt = performance.now();
  if (keepFocus !== true) { $("door-code").focus(); }
}

function signal(ok) {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    [0, ok ? null : 0.25].forEach((delay) => {
      if (delay === null) { return; }
      const tone = audio.createOscillator(), gain = audio.createGain();
      tone.frequency.value = ok ? 880 : 220;
      gain.gain.value = 0.2;
      tone.connect(gain); gain.connect(audio.destination);
      tone.start(audio.currentTime + delay); tone.stop(audio.currentTime + delay + 0.18);
    });
  } catch { /* no sound on this device */ }
  if (navigator.vibrate) { navigator.vibrate(ok ? 120 : [200, 100, 200]); }
}

/* ---- counts and the last scans ---- */
export function remember(answer) {
  if (answer.result === "admitted" && state.counts) { state.counts.checked_in += 1; }
  state.recent.unshift({ result: answer.result, attendee: answer.attendee, admission: answer.admission,
                         scanned_at: new Date().toISOString(), offline: !!answer.local, duplicate: false,
                         pending: !!answer.local });
  state.recent = state.recent.slice(0, 10);
  render();
}

export function render() {
  const counts = state.counts;
  if (counts) { $("door-counts").textContent = fill(T.counts, { checked: counts.checked_in, expected: counts.expected }); }
  const list = $("door-recent");
  list.textContent = "";
  state.recent.forEach((scan) => {
    const item = document.createElement("li");
    item.dataset.result = scan.result;
    item.dataset.duplicate = String(scan.duplicate);
    // "HH:MM ✓ name", "HH:MM ✕ name – reason", or "HH:MM ✕ reason" when nobody is known.
    const name = scan.attendee ? scan.attendee.name : "";
    const why = scan.result === "admitted" ? "" : reason(scan);
    const what = scan.result === "admitted" ? "✓ " + name : "✕ " + (name ? name + " – " + why : why);
    item.textContent = clock(scan.scanned_at) + " " + what.trim();
    if (scan.duplicate) {
      const flag = document.createElement("strong");
      flag.className = "door-duplicate";
      flag.textContent = " ⚠ " + T.duplicate;
      item.appendChild(flag);
    }
    list.appendChild(item);
  });
  setOnline(state.online);
}

// The hits of a name search, each with a button that checks the person in.
export function showHits(hits, checkIn) {
  const list = $("door-search-results");
  list.textContent = "";
  if (!hits.length) { const none = document.createElement("li"); none.textContent = T.none_found; list.appendChild(none); }
  hits.forEach((hit) => {
    const item = document.createElement("li");
    let label = hit.attendee.name + (hit.attendee.organisation ? ", " + hit.attendee.organisation : "");
    if (hit.admission) { label += " · " + fill(T.checked_in_at, { time: clock(hit.admission.at) }); }
    item.appendChild(document.createTextNode(label + " "));
    const button = document.createElement("button");
    button.type = "button";
    button.className = "ds-button";
    button.dataset.size = "sm";
    button.textContent = T.check_in;
    button.setAttribute("aria-label", T.check_in + ": " + hit.attendee.name);
    button.addEventListener("click", () => {
      list.textContent = "";
      $("door-search").value = "";
      checkIn(hit);
    });
    item.appendChild(button);
    list.appendChild(item);
  });
}
