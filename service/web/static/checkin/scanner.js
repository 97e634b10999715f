/* Reading tickets: the camera (BarcodeDetector, or the jsQR decoder loaded only where the browser has none), a
 * keyboard-wedge scanner or typed code, and the name search; each scan goes to the API, or is decided on this
 * device and queued while the network is down. */

import { $, KEY, T, state } from "./common.js";
import { api } from "./api.js";
import { decideOffline, enqueue } from "./offline.js";
import { answerShown, closeAnswer, remember, setOnline, show, showHits, showProblem } from "./ui.js";

const SAME_CODE_MS = 4000;
const JSQR = "/static/vendor/jsQR.js";
let stream = null, detector = null, jsQR = null;

export async function scan(body, startedAt) {
  body.nonce = crypto.randomUUID();
  body.scanned_at = new Date().toISOString();
  let answer = null;
  if (state.online) {
    try {
      const response = await api("POST", "/api/v1/checkins", body);
      if (response.status === 429) { showProblem(T.too_many, startedAt); return; }
      if (!response.ok) { showProblem(T.invalid, startedAt); return; }  // refused as input: nothing to queue
      answer = await response.json();
    } catch { if (!state.token) { return; } }
  }
  if (!answer) {
    if (!body.code) { return; }
    answer = await decideOffline(body.code, body.scanned_at);
    body.offline = true;
    enqueue(body, answer.result);
    setOnline(false);
  }
  show(answer, startedAt);
  remember(answer);
}

export function handleCode(text, source) {
  const startedAt = performance.now();
  const code = String(text || "").trim().toUpperCase();
  if (!code || !state.token) { return; }
  if (source === "camera") {
    if (answerShown()) { return; }
    if (code === state.lastCode && startedAt - state.lastCodeAt < SAME_CODE_MS) { return; }
  }
  state.lastCode = code; state.lastCodeAt = startedAt;
  scan({ code }, startedAt);
}

/* ---- camera ---- */

// The 257 KB decoder as a classic script (it sets window.jsQR), fetched once and only when it is needed.
function loadJsQR() {
  if (window.jsQR) { return Promise.resolve(window.jsQR); }
  return new Promise((resolve) => {
    const script = document.createElement("script");
    script.src = JSQR;
    script.addEventListener("load", () => { resolve(window.jsQR || null); });
    script.addEventListener("error", () => { script.remove(); resolve(null); });
    document.head.appendChild(script);
  });
}

export function cameraOn() { return stream !== null; }

export async function startCamera() {
  const button = $("door-camera-button");
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
    const video = $("door-video");
    video.srcObject = stream;
    await video.play();
    if ("BarcodeDetector" in window) {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.indexOf("qr_code") >= 0) { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); }
    }
    if (!detector && !jsQR) { jsQR = await loadJsQR(); }
    button.textContent = T.stop_camera;
    localStorage.setItem(KEY.camera, "on");
    $("door-camera-error").hidden = true;
    tick();
  } catch {
    $("door-camera-error").textContent = T.camera_failed;
    $("door-camera-error").hidden = false;
  }
}

export function stopCamera() {
  if (stream) { stream.getTracks().forEach((track) => { track.stop(); }); }
  stream = null;
  $("door-camera-button").textContent = T.start_camera;
  localStorage.setItem(KEY.camera, "off");
}

const canvas = document.createElement("canvas"), context = canvas.getContext("2d", { willReadFrequently: true });
async function tick() {
  if (!stream) { return; }
  const video = $("door-video");
  if (video.readyState >= 2 && !answerShown()) {
    let text = null;
    if (detector) {
      const found = await detector.detect(video);
      text = found.length ? found[0].rawValue : null;
    } else if (jsQR) {
      const scale = Math.min(1, 640 / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const result = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      text = result ? result.data : null;
    }
    if (text) { handleCode(text, "camera"); }
  }
  setTimeout(tick, 100);
}

/* ---- keyboard-wedge scanner ---- */
let wedge = "", wedgeAt = 0;
export function onKey(event) {
  const target = event.target;
  if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) { return; }
  // The next scan starts while the answer is up: close it, and keep the keystrokes coming here.
  if (answerShown() && event.key !== "Enter") { closeAnswer(true); }
  const now = performance.now();
  if (now - wedgeAt > 300) { wedge = ""; }
  wedgeAt = now;
  if (event.key === "Enter" && wedge.length >= 8) { handleCode(wedge, "keyboard"); wedge = ""; event.preventDefault(); }
  else if (event.key.length === 1) { wedge += event.key; }
}

/* ---- name search ---- */
export async function search(text) {
  const list = $("door-search-results");
  const response = await api("GET", "/api/v1/door/search?q=" + encodeURIComponent(text));
  list.textContent = "";
  if (response.status === 429) { list.textContent = T.too_many; return; }
  if (!response.ok) { return; }
  showHits(await response.json(), (hit) => { scan({ registration_id: hit.registration_id }, performance.now()); });
}
