// Length limits shown as you type: "<count> of <max> characters used" under each field with data-counter.
(function () {
  "use strict";
  function update(field) {
    var counter = document.getElementById(field.id + "-count");
    if (!counter) return;
    counter.textContent = counter.dataset.template.replace("{count}", String(field.value.length));
  }
  document.querySelectorAll("[data-counter]").forEach(function (field) {
    field.addEventListener("input", function () { update(field); });
    if (field.value) update(field);
  });
})();
