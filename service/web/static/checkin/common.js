/* What every part of the door scanner shares: the page's texts, the language, the keys of localStorage, the
 * door's state (token, queue of offline scans, what was admitted offline) and small helpers. */

export const T = JSON.parse(document.getElementById("door-texts").textContent);
export const LANG = document.documentElement.lang || "nb";
const LOCALE = { nb: "nb-NO", nn: "nn-NO", en: "en-GB" }[LANG] || "nb-NO";
export const KEY = { token: "moteplass.door.token", queue: "moteplass.door.queue", data: "moteplass.door.offline",
                     seen: "moteplass.door.seen", door: "moteplass.door.info", camera: "moteplass.door.camera" };

export const $ = (id) => document.getElementById(id);

// One object, so that every module sees the same values as they change.
export const state = {
  token: localStorage.getItem(KEY.token),
  door: JSON.parse(localStorage.getItem(KEY.door) || "null"),
  queue: JSON.parse(localStorage.getItem(KEY.queue) || "[]"),
  seen: JSON.parse(localStorage.getItem(KEY.seen) || "{}"),
  recent: [],
  counts: null,
  online: navigator.onLine,
  lastCode: "",
  lastCodeAt: 0,
  walkIns: false,
};

export function fill(text, values) {
  return text.replace(/%\((\w+)\)s/g, (_, name) => (values[name] == null ? "" : String(values[name])));
}

export function clock(iso) {
  return new Date(iso).toLocaleTimeString(LOCALE, { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Oslo" });
}

export function save(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
