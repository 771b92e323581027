// The edit page: live totals and execution rates of the funds block, suggested completion
// rates, and adding, removing and reordering indicator rows within their 二级 group.
// The server computes the same figures again (evaluations/money.py, evaluations/completion.py).
(function () {
  "use strict";
  const form = document.getElementById("evaluation-form");
  if (!form) return;

  const FULL_WIDTH = "０１２３４５６７８９．，－＋％";
  const HALF_WIDTH = "0123456789.,-+%";

  function normalise(text) {
    let out = "";
    for (const ch of String(text || "")) {
      const i = FULL_WIDTH.indexOf(ch);
      out += i >= 0 ? HALF_WIDTH[i] : ch;
    }
    return out.replace(/[\s\u00a0]/g, "");
  }

  // Amounts are compared in millionths of 万元 (分) as BigInt, so sums are exact like Decimal.
  function parseAmount(text) {
    const cleaned = normalise(text).replace(/,/g, "");
    if (!/^\d+(\.\d{1,6})?$/.test(cleaned)) return null;
    const [whole, fraction = ""] = cleaned.split(".");
    return BigInt(whole) * 1000000n + BigInt(fraction.padEnd(6, "0"));
  }

  function formatAmount(micro) {
    if (micro === null) return "";
    const whole = micro / 1000000n;
    let fraction = (micro % 1000000n).toString().padStart(6, "0").replace(/0+$/, "");
    fraction = fraction.padEnd(2, "0");
    return whole.toLocaleString("en-US") + "." + fraction;
  }

  // part / whole as a percentage, rounded half up to two decimals.
  function rate(part, whole) {
    if (part === null || whole === null || whole === 0n) return "";
    const hundredths = (part * 20000n + whole) / (2n * whole);
    const text = hundredths.toString().padStart(3, "0");
    return Number(text.slice(0, -2)).toLocaleString("en-US") + "." + text.slice(-2) + "%";
  }

  function updateFunds() {
    let budget = null;
    let actual = null;
    form.querySelectorAll("[data-fund-row]").forEach((row) => {
      const [budgetInput, actualInput] = row.querySelectorAll("input");
      const b = parseAmount(budgetInput.value);
      const a = parseAmount(actualInput.value);
      if (b !== null) budget = (budget || 0n) + b;
      if (a !== null) actual = (actual || 0n) + a;
      row.querySelector("[data-rate]").textContent = rate(a, b);
    });
    form.querySelector('[data-total="budget"]').textContent = formatAmount(budget);
    form.querySelector('[data-total="actual"]').textContent = formatAmount(actual);
    form.querySelector('[data-total="rate"]').textContent = rate(actual, budget);
  }

  // The rules of evaluations/completion.py.
  const AT_LEAST = ["≥", ">=", ">", "＞", "不低于", "不少于", "大于等于"];
  const AT_MOST = ["≤", "<=", "<", "＜", "不高于", "不超过", "小于等于"];
  const QUANTITY = /^(≥|>=|>|＞|≤|<=|<|＜|=|不低于|不少于|大于等于|不高于|不超过|小于等于)?(\d+(?:\.\d+)?)([^\d]*)$/;

  function parseQuantity(text) {
    const cleaned = normalise(text).replace(/,/g, "").replace(/＝/g, "=");
    const match = QUANTITY.exec(cleaned);
    if (!match) return null;
    return { op: match[1] || "", number: Number(match[2]), unit: match[3] };
  }

  function roundHalfUp(value) {
    return (Math.round((value + Number.EPSILON) * 100) / 100).toFixed(2);
  }

  function suggest(targetText, actualText) {
    const wanted = parseQuantity(targetText);
    const got = parseQuantity(actualText);
    if (!wanted || !got || wanted.unit !== got.unit) return null;
    if (AT_MOST.includes(wanted.op)) {
      return got.number <= wanted.number ? "100.00" : roundHalfUp((wanted.number * 100) / got.number);
    }
    if (wanted.number === 0) {
      return got.number === 0 || AT_LEAST.includes(wanted.op) ? "100.00" : null;
    }
    let ratio = (got.number * 100) / wanted.number;
    if (AT_LEAST.includes(wanted.op)) ratio = Math.min(ratio, 100);
    return roundHalfUp(ratio);
  }

  function updateSuggestion(row) {
    const target = row.querySelector('textarea[name$="-target"]');
    const actual = row.querySelector('textarea[name$="-actual"]');
    const box = row.querySelector("[data-suggestion]");
    if (!target || !actual || !box) return;
    const value = suggest(target.value, actual.value);
    // Nothing to suggest once the rate entered is the suggested one, however it was typed.
    const rate = row.querySelector('input[name$="-completion_rate"]');
    const entered = rate ? normalise(rate.value).replace(/%$/, "") : "";
    const same = value !== null && entered !== "" && Number(entered) === Number(value);
    box.hidden = value === null || same;
    box.querySelector("[data-suggested-value]").textContent = value === null ? "" : value;
  }

  const total = form.querySelector('input[name="indicators-TOTAL_FORMS"]');
  const template = document.getElementById("indicator-row-template");

  function renumber() {
    form.querySelectorAll('[data-row] input[name$="-position"]').forEach((input, index) => {
      input.value = index + 1;
    });
  }

  function addRow(categoryId) {
    const index = Number(total.value);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    const body = form.querySelector(`[data-section="${categoryId}"] [data-rows]`);
    body.insertAdjacentHTML("beforeend", html);
    const row = body.lastElementChild;
    row.querySelector('input[name$="-category"]').value = categoryId;
    total.value = index + 1;
    renumber();
    row.querySelector("textarea").focus();
  }

  function moveRow(row, direction) {
    const sibling = direction === "up" ? row.previousElementSibling : row.nextElementSibling;
    if (!sibling) return;
    if (direction === "up") sibling.before(row);
    else sibling.after(row);
    renumber();
    row.querySelector(`[data-move="${direction}"]`).focus();
  }

  form.addEventListener("input", (event) => {
    if (event.target.closest("[data-funds]")) updateFunds();
    const row = event.target.closest("[data-row]");
    if (row) updateSuggestion(row);
  });

  form.addEventListener("change", (event) => {
    if (event.target.matches('input[name$="-DELETE"]') && event.target.checked) {
      event.target.closest("[data-row]").hidden = true;
    }
  });

  form.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-row]");
    if (add) addRow(add.dataset.addRow);
    const move = event.target.closest("[data-move]");
    if (move) moveRow(move.closest("[data-row]"), move.dataset.move);
    const use = event.target.closest("[data-use-suggestion]");
    if (use) {
      const row = use.closest("[data-row]");
      row.querySelector('input[name$="-completion_rate"]').value =
        row.querySelector("[data-suggested-value]").textContent;
      updateSuggestion(row);
    }
  });

  // Warn before leaving with unsaved changes.
  let dirty = false;
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("submit", () => { dirty = false; });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) event.preventDefault();
  });

  updateFunds();
  form.querySelectorAll("[data-row]").forEach(updateSuggestion);
  renumber();
})();
