// Files that take a while to make (name badges, certificates, exports) and actions that take a while (the group
// placement): when the work takes more than a second, say so next to the link or button instead of leaving a page
// that just waits. A marked link (data-busy) is fetched here, showing how much has arrived (of Content-Length when
// the server gives it), then saved under the server's file name; on any failure the browser follows the link as
// it would have without this script. A marked form (data-busy) shows its busy text while the next page loads.
// The texts come from the page (data-busy, data-done, data-failed), in the page's language.
(function () {
  var SHOW_AFTER = 1000;

  function statusFor(element) {
    var status = document.createElement("span");
    status.className = "busy-status";
    status.setAttribute("role", "status");
    element.insertAdjacentElement("afterend", status);
    return status;
  }

  function size(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " kB";
  }

  function fileName(response, fallback) {
    var header = response.headers.get("Content-Disposition") || "";
    var star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) { return decodeURIComponent(star[1]); }
    var plain = /filename="?([^";]+)"?/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  function readAll(response, onChunk) {
    if (!response.body || !response.body.getReader) { return response.blob(); }
    var reader = response.body.getReader();
    var chunks = [];
    var received = 0;
    function next() {
      return reader.read().then(function (step) {
        if (step.done) { return new Blob(chunks, { type: response.headers.get("Content-Type") || "" }); }
        chunks.push(step.value);
        received += step.value.length;
        onChunk(received);
        return next();
      });
    }
    return next();
  }

  Array.prototype.forEach.call(document.querySelectorAll("a[data-busy]"), function (link) {
    var status = statusFor(link);
    link.addEventListener("click", function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
      if (link.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
      event.preventDefault();
      var busy = link.getAttribute("data-busy");
      var received = 0;
      var total = 0;
      var shown = false;
      function show() {
        shown = true;
        var amount = total ? Math.floor((100 * received) / total) + " %" : (received ? size(received) : "");
        status.textContent = amount ? busy + " " + amount : busy;
      }
      var timer = window.setTimeout(show, SHOW_AFTER);
      link.setAttribute("aria-busy", "true");
      fetch(link.href, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok || response.redirected) { throw new Error("not a file"); }
          total = parseInt(response.headers.get("Content-Length"), 10) || 0;
          return readAll(response, function (bytes) { received = bytes; if (shown) { show(); } })
            .then(function (blob) { return { blob: blob, name: fileName(response, link.getAttribute("download") || "") }; });
        })
        .then(function (file) {
          var save = document.createElement("a");
          save.href = URL.createObjectURL(file.blob);
          save.download = file.name;
          document.body.appendChild(save);
          save.click();
          save.remove();
          window.setTimeout(function () { URL.revokeObjectURL(save.href); }, 60000);
          window.clearTimeout(timer);
          link.removeAttribute("aria-busy");
          status.textContent = shown ? link.getAttribute("data-done") : "";
        })
        .catch(function () {
          window.clearTimeout(timer);
          link.removeAttribute("aria-busy");
          status.textContent = link.getAttribute("data-failed") || "";
          window.location.href = link.href;
        });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("form[data-busy]"), function (form) {
    var status = statusFor(form);
    form.addEventListener("submit", function () {
      var buttons = form.querySelectorAll("button[type=submit]");
      Array.prototype.forEach.call(buttons, function (button) { button.setAttribute("aria-disabled", "true"); });
      window.setTimeout(function () { status.textContent = form.getAttribute("data-busy"); }, SHOW_AFTER);
    });
  });
})();
