/* The check-in API with the door's token: requests with a time limit, pairing, and the door's status. */

import { $, KEY, LANG, T, save, state } from "./common.js";
import { render, setOnline, unpair } from "./ui.js";

const REQUEST_TIMEOUT_MS = 3000;

export function api(method, path, body) {
  const controller = new AbortController();
  const timer = setTimeout(() => { controller.abort(); }, REQUEST_TIMEOUT_MS);
  const options = { method, headers: { Authorization: "Bearer " + state.token }, signal: controller.signal };
  if (body) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
  return fetch(path, options).then((response) => {
    clearTimeout(timer);
    if (response.status === 401) { unpair(); throw new Error("unpaired"); }
    return response;
  }, (error) => { clearTimeout(timer); setOnline(false); throw error; });
}

export async function pair(code) {
  const response = await fetch("/api/v1/doors/pair", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ code }),
  });
  if (!response.ok) { $("door-unpaired").textContent = T.pairing_failed; return; }
  const paired = await response.json();
  state.token = paired.token;
  state.door = paired.door;
  localStorage.setItem(KEY.token, state.token);
  save(KEY.door, state.door);
  localStorage.removeItem(KEY.queue); localStorage.removeItem(KEY.seen); localStorage.removeItem(KEY.data);
  state.queue = []; state.seen = {};
}

// The event, the door, the counts and the last scans (with this device's scans still waiting to upload first).
export async function refresh() {
  if (!state.token) { return; }
  try {
    const response = await api("GET", "/api/v1/door");
    if (!response.ok) { return; }
    const status = await response.json();
    state.door = status.door;
    save(KEY.door, state.door);
    state.counts = status.counts;
    state.walkIns = status.event.allow_walk_ins === true;
    $("door-event").textContent = status.event.title[LANG] || status.event.title.nb;
    $("door-name").textContent = "· " + status.door.name;
    const pending = state.queue.map((entry) => ({
      result: entry.local, attendee: null, admission: null, scanned_at: entry.body.scanned_at,
      offline: true, duplicate: false, pending: true,
    }));
    state.recent = pending.concat(status.recent).slice(0, 10);
    setOnline(true);
    render();
  } catch { /* offline: keep what is shown */ }
}
