/* Møteplass door scanner: pairs from the link's fragment, scans with the camera (BarcodeDetector, or jsQR where
 * the browser has none) or a keyboard-wedge scanner, answers full-screen, and decides scans on its own while the
 * network is down (service/checkin/offline.py describes the sealed data), queueing them for upload. */
(function () {
  "use strict";

  var T = JSON.parse(document.getElementById("door-texts").textContent);
  var LANG = document.documentElement.lang || "nb";
  var LOCALE = { nb: "nb-NO", nn: "nn-NO", en: "en-GB" }[LANG] || "nb-NO";
  var KEY = { token: "moteplass.door.token", queue: "moteplass.door.queue", data: "moteplass.door.offline",
              seen: "moteplass.door.seen", door: "moteplass.door.info", camera: "moteplass.door.camera" };
  var ANSWER_MS = 2500, SAME_CODE_MS = 4000, REQUEST_TIMEOUT_MS = 3000;
  var $ = function (id) { return document.getElementById(id); };

  var token = localStorage.getItem(KEY.token);
  var door = JSON.parse(localStorage.getItem(KEY.door) || "null");
  var queue = JSON.parse(localStorage.getItem(KEY.queue) || "[]");
  var seen = JSON.parse(localStorage.getItem(KEY.seen) || "{}");
  var offlineData = null, offlineMap = null;
  var recent = [], counts = null, online = navigator.onLine, uploading = false;
  var answerTimer = null, lastCode = "", lastCodeAt = 0, stream = null, detector = null;

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name] == null ? "" : String(values[name]); });
  }
  function clock(iso) {
    return new Date(iso).toLocaleTimeString(LOCALE, { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Oslo" });
  }
  function save(key, value) { localStorage.setItem(key, JSON.stringify(value)); }

  /* ---- network ---- */
  function api(method, path, body) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    var options = { method: method, headers: { Authorization: "Bearer " + token }, signal: controller.signal };
    if (body) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    return fetch(path, options).then(function (response) {
      clearTimeout(timer);
      if (response.status === 401) { unpair(); throw new Error("unpaired"); }
      return response;
    }, function (error) { clearTimeout(timer); setOnline(false); throw error; });
  }

  function setOnline(value) {
    online = value;
    var node = $("door-network");
    node.dataset.online = String(value);
    node.textContent = (value ? T.online : T.offline) + (queue.length ? " · " + fill(T.waiting, { n: queue.length }) : "");
    document.body.dataset.queue = String(queue.length);
  }

  function unpair() {
    token = null;
    localStorage.removeItem(KEY.token);
    $("door-app").hidden = true;
    $("door-unpaired").hidden = false;
  }

  /* ---- hashing and unsealing (same as service/checkin/offline.py) ---- */
  var encoder = new TextEncoder();
  function b64(bytes) { return btoa(String.fromCharCode.apply(null, new Uint8Array(bytes))); }
  function unb64(text) { return Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); }); }
  function sha256(bytes) { return crypto.subtle.digest("SHA-256", bytes); }
  function concat(parts) {
    var size = parts.reduce(function (n, p) { return n + p.length; }, 0), out = new Uint8Array(size), at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }
  async function lookupOf(code) { return b64(await sha256(encoder.encode("moteplass-lookup:" + code))); }
  async function unseal(code, salt, sealed) {
    var key = new Uint8Array(await sha256(encoder.encode("moteplass-seal:" + code)));
    var plain = new Uint8Array(sealed.length);
    for (var block = 0; block * 32 < sealed.length; block++) {
      var counter = new Uint8Array([block >>> 24, (block >>> 16) & 255, (block >>> 8) & 255, block & 255]);
      var stream = new Uint8Array(await sha256(concat([key, salt, counter])));
      for (var i = 0; i < 32 && block * 32 + i < sealed.length; i++) {
        plain[block * 32 + i] = sealed[block * 32 + i] ^ stream[i];
      }
    }
    return JSON.parse(new TextDecoder().decode(plain));
  }
  function useOfflineData(data) {
    offlineData = data;
    offlineMap = new Map(data.entries.map(function (entry) { return [entry[0], entry[1]]; }));
  }

  async function decideOffline(code, scannedAt) {
    if (!offlineMap) { return { result: "invalid", attendee: null, admission: null, local: true }; }
    var lookup = await lookupOf(code), sealed = offlineMap.get(lookup);
    if (!sealed) { return { result: "invalid", attendee: null, admission: null, local: true }; }
    var entry = await unseal(code, unb64(offlineData.salt), unb64(sealed));
    var attendee = { name: entry.n, organisation: entry.o || "", group: entry.g || null };
    if (entry.s !== "confirmed") { return { result: entry.s, attendee: attendee, admission: null, local: true }; }
    var first = seen[lookup] || (entry.a ? { at: entry.a, door: entry.d } : null);
    if (first) { return { result: "already_checked_in", attendee: attendee, admission: first, local: true }; }
    seen[lookup] = { at: scannedAt, door: door ? door.name : "" };
    save(KEY.seen, seen);
    return { result: "admitted", attendee: attendee, admission: seen[lookup], local: true };
  }

  /* ---- scanning ---- */
  async function scan(body, startedAt) {
    body.nonce = crypto.randomUUID();
    body.scanned_at = new Date().toISOString();
    var answer = null;
    if (online) {
      try {
        var response = await api("POST", "/api/v1/checkins", body);
        if (response.status === 429) { showProblem(T.too_many, startedAt); return; }
        if (!response.ok) { showProblem(T.invalid, startedAt); return; }  // refused as input: nothing to queue
        answer = await response.json();
      } catch (error) { if (!token) { return; } }
    }
    if (!answer) {
      if (!body.code) { return; }
      answer = await decideOffline(body.code, body.scanned_at);
      body.offline = true;
      queue.push({ body: body, local: answer.result });
      save(KEY.queue, queue);
      setOnline(false);
    }
    show(answer, startedAt);
    remember(answer);
  }

  function handleCode(text, source) {
    var startedAt = performance.now();
    var code = String(text || "").trim().toUpperCase();
    if (!code || !token) { return; }
    if (source === "camera") {
      if (!$("door-answer").hidden) { return; }
      if (code === lastCode && startedAt - lastCodeAt < SAME_CODE_MS) { return; }
    }
    lastCode = code; lastCodeAt = startedAt;
    scan({ code: code }, startedAt);
  }

  /* ---- the answer ---- */
  function show(answer, startedAt) {
    var ok = answer.result === "admitted";
    var node = $("door-answer");
    var detail = ok ? "" : reason(answer);
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
    requestAnimationFrame(function () {
      var ms = Math.round(performance.now() - startedAt);
      node.dataset.ms = String(ms);
      document.body.dataset.answers = String(Number(document.body.dataset.answers || "0") + 1);
      signal(ok);  // after the answer is drawn: starting the audio device can take a while the first time
    });
    clearTimeout(answerTimer);
    answerTimer = setTimeout(function () { closeAnswer(); }, ANSWER_MS);
  }

  // Why a scan was not admitted: with the first admission's time and door when known.
  function reason(scan) {
    if (scan.result === "already_checked_in" && scan.admission) {
      return fill(T.already_checked_in_at, { time: clock(scan.admission.at), door: scan.admission.door });
    }
    return T[scan.result] || T.invalid;
  }

  // Organisation, and at a workshop the group the person is placed in.
  function describe(attendee) {
    var parts = [attendee.organisation || ""];
    if (attendee.group) { parts.push(fill(T.group, { group: attendee.group[LANG] || attendee.group.nb })); }
    return parts.filter(Boolean).join(" · ");
  }

  function showProblem(text, startedAt) {
    show({ result: "invalid", attendee: null, admission: null }, startedAt);
    $("door-answer-detail").textContent = text;
  }

  function closeAnswer(keepFocus) {
    clearTimeout(answerTimer);
    $("door-answer").hidden = true;
    lastCodeAt = performance.now();
    if (keepFocus !== true) { $("door-code").focus(); }
  }

  var audio = null;
  function signal(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [0, ok ? null : 0.25].forEach(function (delay) {
        if (delay === null) { return; }
        var tone = audio.createOscillator(), gain = audio.createGain();
        tone.frequency.value = ok ? 880 : 220;
        gain.gain.value = 0.2;
        tone.connect(gain); gain.connect(audio.destination);
        tone.start(audio.currentTime + delay); tone.stop(audio.currentTime + delay + 0.18);
      });
    } catch (error) { /* no sound on this device */ }
    if (navigator.vibrate) { navigator.vibrate(ok ? 120 : [200, 100, 200]); }
  }

  /* ---- counts and the last scans ---- */
  function remember(answer) {
    if (answer.result === "admitted" && counts) { counts.checked_in += 1; }
    recent.unshift({ result: answer.result, attendee: answer.attendee, admission: answer.admission,
                     scanned_at: new Date().toISOString(), offline: !!answer.local, duplicate: false,
                     pending: !!answer.local });
    recent = recent.slice(0, 10);
    render();
  }

  function render() {
    if (counts) { $("door-counts").textContent = fill(T.counts, { checked: counts.checked_in, expected: counts.expected }); }
    var list = $("door-recent");
    list.textContent = "";
    recent.forEach(function (scan) {
      var item = document.createElement("li");
      item.dataset.result = scan.result;
      item.dataset.duplicate = String(scan.duplicate);
      var what = scan.result === "admitted" ? "✓" : "✕ " + reason(scan);
      item.textContent = clock(scan.scanned_at) + " " + what + (scan.attendee ? " " + scan.attendee.name : "");
      if (scan.duplicate) {
        var flag = document.createElement("strong");
        flag.className = "door-duplicate";
        flag.textContent = " ⚠ " + T.duplicate;
        item.appendChild(flag);
      }
      list.appendChild(item);
    });
    setOnline(online);
  }

  async function refresh() {
    if (!token) { return; }
    try {
      var response = await api("GET", "/api/v1/door");
      if (!response.ok) { return; }
      var status = await response.json();
      door = status.door;
      save(KEY.door, door);
      counts = status.counts;
      $("door-event").textContent = status.event.title[LANG] || status.event.title.nb;
      $("door-name").textContent = "· " + status.door.name;
      var pending = queue.map(function (entry) {
        return { result: entry.local, attendee: null, admission: null, scanned_at: entry.body.scanned_at,
                 offline: true, duplicate: false, pending: true };
      });
      recent = pending.concat(status.recent).slice(0, 10);
      setOnline(true);
      render();
    } catch (error) { /* offline: keep what is shown */ }
  }

  async function refreshOfflineData() {
    if (!token || !online) { return; }
    try {
      var response = await api("GET", "/api/v1/door/offline");
      if (!response.ok) { return; }
      var data = await response.json();
      useOfflineData(data);
      localStorage.setItem(KEY.data, JSON.stringify(data));
      if (!queue.length) { seen = {}; save(KEY.seen, seen); }  // the new data knows every uploaded admission
    } catch (error) { /* keep the last data */ }
  }

  async function upload() {
    if (uploading || !token || !queue.length) { return; }
    uploading = true;
    try {
      while (queue.length) {
        var response = await api("POST", "/api/v1/checkins", queue[0].body);
        if (!response.ok && response.status !== 422) { break; }
        queue.shift();
        save(KEY.queue, queue);
      }
      setOnline(true);
      await refresh();
      await refreshOfflineData();
    } catch (error) { /* still offline */ } finally { uploading = false; }
  }

  /* ---- camera ---- */
  async function startCamera() {
    var button = $("door-camera-button");
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
      var video = $("door-video");
      video.srcObject = stream;
      await video.play();
      if ("BarcodeDetector" in window) {
        var formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.indexOf("qr_code") >= 0) { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); }
      }
      button.textContent = T.stop_camera;
      localStorage.setItem(KEY.camera, "on");
      $("door-camera-error").hidden = true;
      tick();
    } catch (error) {
      $("door-camera-error").textContent = T.camera_failed;
      $("door-camera-error").hidden = false;
    }
  }

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    $("door-camera-button").textContent = T.start_camera;
    localStorage.setItem(KEY.camera, "off");
  }

  var canvas = document.createElement("canvas"), context = canvas.getContext("2d", { willReadFrequently: true });
  async function tick() {
    if (!stream) { return; }
    var video = $("door-video");
    if (video.readyState >= 2 && $("door-answer").hidden) {
      var text = null;
      if (detector) {
        var found = await detector.detect(video);
        text = found.length ? found[0].rawValue : null;
      } else if (window.jsQR) {
        var scale = Math.min(1, 640 / video.videoWidth);
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var result = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        text = result ? result.data : null;
      }
      if (text) { handleCode(text, "camera"); }
    }
    setTimeout(tick, 100);
  }

  /* ---- name search ---- */
  async function search(text) {
    var list = $("door-search-results");
    var response = await api("GET", "/api/v1/door/search?q=" + encodeURIComponent(text));
    list.textContent = "";
    if (response.status === 429) { list.textContent = T.too_many; return; }
    if (!response.ok) { return; }
    var hits = await response.json();
    if (!hits.length) { var none = document.createElement("li"); none.textContent = T.none_found; list.appendChild(none); }
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      var label = hit.attendee.name + (hit.attendee.organisation ? ", " + hit.attendee.organisation : "");
      if (hit.admission) { label += " · " + fill(T.checked_in_at, { time: clock(hit.admission.at) }); }
      item.appendChild(document.createTextNode(label + " "));
      var button = document.createElement("button");
      button.type = "button";
      button.className = "ds-button";
      button.dataset.size = "sm";
      button.textContent = T.check_in;
      button.setAttribute("aria-label", T.check_in + ": " + hit.attendee.name);
      button.addEventListener("click", function () {
        list.textContent = "";
        $("door-search").value = "";
        scan({ registration_id: hit.registration_id }, performance.now());
      });
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  /* ---- wiring ---- */
  var wedge = "", wedgeAt = 0;
  function onKey(event) {
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) { return; }
    // The next scan starts while the answer is up: close it, and keep the keystrokes coming here.
    if (!$("door-answer").hidden && event.key !== "Enter") { closeAnswer(true); }
    var now = performance.now();
    if (now - wedgeAt > 300) { wedge = ""; }
    wedgeAt = now;
    if (event.key === "Enter" && wedge.length >= 8) { handleCode(wedge, "keyboard"); wedge = ""; event.preventDefault(); }
    else if (event.key.length === 1) { wedge += event.key; }
  }

  async function pair(code) {
    var response = await fetch("/api/v1/doors/pair", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ code: code })
    });
    if (!response.ok) { $("door-unpaired").textContent = T.pairing_failed; return; }
    var paired = await response.json();
    token = paired.token;
    door = paired.door;
    localStorage.setItem(KEY.token, token);
    save(KEY.door, door);
    localStorage.removeItem(KEY.queue); localStorage.removeItem(KEY.seen); localStorage.removeItem(KEY.data);
    queue = []; seen = {};
  }

  async function start() {
    var match = location.hash.match(/pair=([A-Za-z0-9]+)/);
    if (match) {
      history.replaceState(null, "", location.pathname + location.search);
      await pair(match[1]);
    }
    if (!token) { $("door-unpaired").hidden = false; return; }
    $("door-app").hidden = false;
    var stored = localStorage.getItem(KEY.data);
    if (stored) { useOfflineData(JSON.parse(stored)); }
    $("door-code-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var input = $("door-code");
      handleCode(input.value, "keyboard");
      input.value = "";
    });
    $("door-search-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var text = $("door-search").value.trim();
      if (text.length >= 3) { search(text); }
    });
    $("door-answer-next").addEventListener("click", function () { closeAnswer(); });
    $("door-answer").addEventListener("click", function (event) { if (event.target === this) { closeAnswer(); } });
    $("door-camera-button").addEventListener("click", function () { if (stream) { stopCamera(); } else { startCamera(); } });
    document.addEventListener("keydown", onKey);
    window.addEventListener("online", function () { setOnline(true); upload(); });
    window.addEventListener("offline", function () { setOnline(false); });
    setOnline(navigator.onLine);
    await refresh();
    await refreshOfflineData();
    await upload();
    setInterval(function () { if (navigator.onLine) { upload(); refresh(); } }, 10000);
    setInterval(refreshOfflineData, 60000);
    if (localStorage.getItem(KEY.camera) === "on") { startCamera(); }
    $("door-code").focus();
    document.body.dataset.ready = "true";
  }

  if ("serviceWorker" in navigator) { navigator.serviceWorker.register("/door-sw.js", { scope: "/door" }).catch(function () {}); }
  start();
})();
