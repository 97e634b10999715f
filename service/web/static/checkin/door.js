/* Møteplass door scanner: pairs from the link's fragment, scans with the camera (BarcodeDetector, or jsQR where
 * the browser has none) or a keyboard-wedge scanner, answers full-screen, and decides scans on its own while the
 * network is down (service/checkin/offline.py describes the sealed data), queueing them for upload.
 *
 * The parts: common.js (texts, state, helpers), api.js (the check-in API), offline.js (sealed data and the queue),
 * scanner.js (camera, wedge, name search), ui.js (what is shown). This module wires them to the page. */

import { $, KEY, state } from "./common.js";
import { pair, refresh } from "./api.js";
import { loadOfflineData, refreshOfflineData, upload } from "./offline.js";
import { cameraOn, handleCode, onKey, search, startCamera, stopCamera } from "./scanner.js";
import { closeAnswer, setOnline } from "./ui.js";
import { walkIn } from "./walkin.js";

async function start() {
  const match = location.hash.match(/pair=([A-Za-z0-9]+)/);
  if (match) {
    history.replaceState(null, "", location.pathname + location.search);
    await pair(match[1]);
  }
  if (!state.token) { $("door-unpaired").hidden = false; return; }
  $("door-app").hidden = false;
  loadOfflineData();
  $("door-code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("door-code");
    handleCode(input.value, "keyboard");
    input.value = "";
  });
  $("door-search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("door-search").value.trim();
    if (text.length >= 3) { search(text); }
  });
  $("door-walk-in-form").addEventListener("submit", (event) => { event.preventDefault(); walkIn(event.target); });
  $("door-answer-next").addEventListener("click", () => { closeAnswer(); });
  $("door-answer").addEventListener("click", (event) => {
    if (event.target === event.currentTarget) { closeAnswer(); }
  });
  $("door-camera-button").addEventListener("click", () => { if (cameraOn()) { stopCamera(); } else { startCamera(); } });
  document.addEventListener("keydown", onKey);
  window.addEventListener("online", () => { setOnline(true); upload(); });
  window.addEventListener("offline", () => { setOnline(false); });
  setOnline(navigator.onLine);
  await refresh();
  await refreshOfflineData();
  await upload();
  setInterval(() => { if (navigator.onLine) { upload(); refresh(); } }, 10000);
  setInterval(refreshOfflineData, 60000);
  if (localStorage.getItem(KEY.camera) === "on") { startCamera(); }
  $("door-code").focus();
  document.body.dataset.ready = "true";
}

if ("serviceWorker" in navigator) { navigator.serviceWorker.register("/door-sw.js", { scope: "/door" }).catch(() => {}); }
start();
