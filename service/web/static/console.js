// The dashboard's numbers refresh every 30 seconds without reloading the page (and without moving focus).
(function () {
  var box = document.getElementById("dashboard-table");
  if (!box) { return; }
  var url = box.getAttribute("data-refresh");
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) { throw new Error("signed out"); }
        return response.text();
      })
      .then(function (html) {
        if (box.contains(document.activeElement)) { return; }
        box.innerHTML = html;
      })
      .then(function () { window.setTimeout(refresh, 30000); })
      .catch(function () { /* signed out or offline: stop; a reload shows why */ });
  }
  window.setTimeout(refresh, 30000);
})();
