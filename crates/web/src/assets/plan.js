// The plan page's quota form: the difference between the quotas typed and the plan, live. A
// file rather than inline, so that the Content-Security-Policy can refuse every inline script.

(function () {
  var form = document.getElementById('quota-form');
  var out = document.getElementById('difference');
  var line = document.getElementById('quota-difference');
  if (!form || !out || !line) return;
  var plan = Number(line.dataset.plan);
  // The quotas of the reps on the plan's other pages.
  var others = Number(line.dataset.others || 0);
  var template = out.textContent;
  // Amounts are read as the server reads them (Lang::parse_money): the page language's grouping
  // and decimal mark, and a plain 1250.50 in every language.
  var sample = (12345.6).toLocaleString(document.documentElement.lang);
  var group = sample.charAt(2), decimal = sample.charAt(6);
  function cents(text) {
    var t = String(text).replace(/[\s\u00a0\u202f$€£]/g, '');
    var at = t.lastIndexOf(decimal);
    var whole = at >= 0 ? t.slice(0, at) : t, fraction = at >= 0 ? t.slice(at + 1) : '';
    var plain = /^(\d+)\.(\d{1,2})$/.exec(t);
    if (at < 0 && plain) { whole = plain[1]; fraction = plain[2]; }
    var n = Number(whole.split(group).join('') + (fraction ? '.' + fraction : ''));
    return isFinite(n) ? Math.round(n * 100) : 0;
  }
  function update() {
    var total = others;
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
