/* Service worker of the door scanner: keeps the page and its scripts so the scanner opens without a network
   (every module door.js imports, and jsQR.js, which the page loads only where the browser has no BarcodeDetector).
   The API is never cached: scans and data go to the network, and the page decides offline on its own. */
var CACHE = "moteplass-door-v3";
var ASSETS = [
  "/door",
  "/static/checkin/door.js",
  "/static/checkin/common.js",
  "/static/checkin/api.js",
  "/static/checkin/offline.js",
  "/static/checkin/scanner.js",
  "/static/checkin/ui.js",
  "/static/checkin/walkin.js",
  "/static/checkin/door.css",
  "/static/checkin/door.webmanifest",
  "/static/checkin/icon.svg",
  "/static/vendor/jsQR.js",
  "/static/vendor/designsystemet.css",
  "/static/vendor/designsystemet-theme.css",
  "/static/site.css"
];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) {
      return caches.delete(name);
    }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) {
    return;
  }
  var path = url.pathname;
  if (ASSETS.indexOf(path) < 0) {
    return;
  }
  // Network first, so a new version is used at once; the kept copy when the network is down.
  event.respondWith(fetch(event.request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(path, copy); });
    }
    return response;
  }).catch(function () { return caches.match(path); }));
});
