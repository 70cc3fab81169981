// The plan page's quota form: the difference between the quotas typed and the plan, live. A
// file rather than inline, so that the Content-Security-Policy can refuse every inline script.

(function () {
  var form = document.getElementById('quota-form');
  var out = document.getElementById('difference');
  var line = document.getElementById('quota-difference');
  if (!form || !out || !line) return;
  var plan = Number(line.dataset.plan);
  var template = out.textContent;
  function cents(text) {
    var n = Number(String(text).trim().replace(/\s/g, '').replace(',', '.'));
    return isFinite(n) ? Math.round(n * 100) : 0;
  }
  function update() {
    var total = 0;
    form.querySelectorAll('input.quota').forEach(function (input) { total += cents(input.value); });
    var diff = total - plan;
    var sign = diff > 0 ? '+' : (diff < 0 ? '−' : '');
    var amount = (Math.abs(diff) / 100).toLocaleString(document.documentElement.lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    out.textContent = sign + amount;
    out.className = diff === 0 ? '' : 'below';
  }
  form.addEventListener('input', update);
  if (template === undefined) update();
})();
