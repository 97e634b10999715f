/* Deciding scans while the network is down: the sealed data (hashing and unsealing exactly as
 * service/checkin/offline.py does), what this door admitted offline, and the queue of scans to upload. */

import { KEY, save, state } from "./common.js";
import { api, refresh } from "./api.js";
import { setOnline } from "./ui.js";

const encoder = new TextEncoder();
let offlineData = null, offlineMap = null;
let uploading = false;

function b64(bytes) { return btoa(String.fromCharCode.apply(null, new Uint8Array(bytes))); }
function unb64(text) { return Uint8Array.from(atob(text), (c) => c.charCodeAt(0)); }
function sha256(bytes) { return crypto.subtle.digest("SHA-256", bytes); }
function concat(parts) {
  const size = parts.reduce((n, p) => n + p.length, 0), out = new Uint8Array(size);
  let at = 0;
  parts.forEach((p) => { out.set(p, at); at += p.length; });
  return out;
}
async function lookupOf(code) { return b64(await sha256(encoder.encode("moteplass-lookup:" + code))); }
async function unseal(code, salt, sealed) {
  const key = new Uint8Array(await sha256(encoder.encode("moteplass-seal:" + code)));
  const plain = new Uint8Array(sealed.length);
  for (let block = 0; block * 32 < sealed.length; block++) {
    const counter = new Uint8Array([block >>> 24, (block >>> 16) & 255, (block >>> 8) & 255, block & 255]);
    const stream = new Uint8Array(await sha256(concat([key, salt, counter])));
    for (let i = 0; i < 32 && block * 32 + i < sealed.length; i++) {
      plain[block * 32 + i] = sealed[block * 32 + i] ^ stream[i];
    }
  }
  return JSON.parse(new TextDecoder().decode(plain));
}

function useOfflineData(data) {
  offlineData = data;
  offlineMap = new Map(data.entries.map((entry) => [entry[0], entry[1]]));
}

// The sealed data kept from the last visit, so the door decides offline from its first scan.
export function loadOfflineData() {
  const stored = localStorage.getItem(KEY.data);
  if (stored) { useOfflineData(JSON.parse(stored)); }
}

export async function decideOffline(code, scannedAt) {
  if (!offlineMap) { return { result: "invalid", attendee: null, admission: null, local: true }; }
  const lookup = await lookupOf(code), sealed = offlineMap.get(lookup);
  if (!sealed) { return { result: "invalid", attendee: null, admission: null, local: true }; }
  const entry = await unseal(code, unb64(offlineData.salt), unb64(sealed));
  const attendee = { name: entry.n, organisation: entry.o || "", group: entry.g || null };
  if (entry.s !== "confirmed") { return { result: entry.s, attendee, admission: null, local: true }; }
  const seen = state.seen;
  const first = seen[lookup] || (entry.a ? { at: entry.a, door: entry.d } : null);
  if (first) { return { result: "already_checked_in", attendee, admission: first, local: true }; }
  seen[lookup] = { at: scannedAt, door: state.door ? state.door.name : "" };
  save(KEY.seen, seen);
  return { result: "admitted", attendee, admission: seen[lookup], local: true };
}

export function enqueue(body, local) {
  state.queue.push({ body, local });
  save(KEY.queue, state.queue);
}

export async function refreshOfflineData() {
  if (!state.token || !state.online) { return; }
  try {
    const response = await api("GET", "/api/v1/door/offline");
    if (!response.ok) { return; }
    const data = await response.json();
    useOfflineData(data);
    localStorage.setItem(KEY.data, JSON.stringify(data));
    // The new data knows every uploaded admission.
    if (!state.queue.length) { state.seen = {}; save(KEY.seen, state.seen); }
  } catch { /* keep the last data */ }
}

export async function upload() {
  if (uploading || !state.token || !state.queue.length) { return; }
  uploading = true;
  try {
    while (state.queue.length) {
      const response = await api("POST", "/api/v1/checkins", state.queue[0].body);
      if (!response.ok && response.status !== 422) { break; }
      state.queue.shift();
      save(KEY.queue, state.queue);
    }
    setOnline(true);
    await refresh();
    await refreshOfflineData();
  } catch { /* still offline */ } finally { uploading = false; }
}
