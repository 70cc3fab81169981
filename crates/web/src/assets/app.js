// The pages' few behaviours, in a file rather than inline so that the Content-Security-Policy can
// refuse every inline script. Loaded (deferred) by every page; each part looks for its elements.

// Buttons marked data-print print the page.
document.addEventListener("click", function (event) {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});

// The settings page's rebuild in the background: poll its status, move the bar, and show the page
// again once it is done.
(function () {
  var section = document.querySelector("[data-rebuild-status]");
  if (!section) return;
  var bar = section.querySelector("progress");
  var poll = function () {
    fetch(section.getAttribute("data-rebuild-status"), { credentials: "same-origin" })
      .then(function (answer) { return answer.json(); })
      .then(function (status) {
        if (bar && status.total > 0) bar.value = Math.floor((status.done * 100) / status.total);
        if (status.state === "running") window.setTimeout(poll, 1000);
        else window.location.reload();
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  };
  window.setTimeout(poll, 1000);
})();
