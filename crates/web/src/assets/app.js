// The pages' few behaviours, in a file rather than inline so that the Content-Security-Policy can
// refuse every inline script. Loaded (deferred) by every page; each part looks for its elements.

// Buttons marked data-print print the page.
document.addEventListener("click", function (event) {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});
