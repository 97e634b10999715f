// Parts of a page marked data-refresh (the dashboard's numbers, the doors' counts, a sending's figures) refresh on
// their own, every data-refresh-seconds (30 unless told), without reloading the page and without moving focus.
// A part whose new content holds an element marked data-refresh-done (the work is finished) stops refreshing.
(function () {
  var boxes = document.querySelectorAll("[data-refresh]");
  Array.prototype.forEach.call(boxes, function (box) {
    var url = box.getAttribute("data-refresh");
    var every = 1000 * (parseInt(box.getAttribute("data-refresh-seconds"), 10) || 30);
    function refresh() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (!response.ok || response.redirected) { throw new Error("signed out"); }
          return response.text();
        })
        .then(function (html) {
          if (!box.contains(document.activeElement)) { box.innerHTML = html; }
          if (box.querySelector("[data-refresh-done]")) {
            box.removeAttribute("data-refresh");
            box.dispatchEvent(new CustomEvent("refresh-done", { bubbles: true }));
            return;
          }
          window.setTimeout(refresh, every);
        })
        .catch(function () { /* signed out or offline: stop; a reload shows why */ });
    }
    window.setTimeout(refresh, every);
  });
})();
