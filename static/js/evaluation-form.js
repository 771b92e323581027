// The edit page: live totals and execution rates of the funds block, numbers marked as the
// server would refuse them, suggested completion rates, the scores of a scored layout, adding,
// removing (and undoing) and reordering indicator rows within their 二级 group, and focus on the
// first error of a save.
// The server computes and checks the same again (evaluations/money.py, evaluations/forms.py,
// evaluations/completion.py, evaluations/scoring.py).
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

  // Numbers are read as evaluations/money.py reads them: full-width forms made half-width,
  // spaces dropped, then its grammar, exactly (BigInt digits, never a float), so that the page
  // refuses what the server refuses and says it in the same words. Exponent notation is
  // refused with a message of its own.
  const NUMBER = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;
  const EXPONENT = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+$/;
  const rules = form.dataset;

  function numberText(text) {
    let out = "";
    for (const ch of String(text || "")) {
      const i = FULL_WIDTH.indexOf(ch);
      out += i >= 0 ? HALF_WIDTH[i] : ch;
    }
    return out.replace(/[ \u00a0]/g, "").trim();
  }

  // {negative, digits, exponent}: the value is ±digits × 10^exponent; digits "" is zero.
  function readNumber(text) {
    if (!NUMBER.test(text)) return null;
    const [whole, fraction = ""] = text.replace(/^[+-]/, "").split(".");
    const digits = (whole + fraction).replace(/^0+/, "");
    return {
      negative: text.startsWith("-") && digits !== "",
      digits,
      exponent: -fraction.length,
    };
  }

  // Whether number is more than limit × 10^-scale (limit a non-negative BigInt).
  function exceeds(number, limit, scale) {
    if (number.digits === "") return false;
    const shift = number.exponent + scale;
    const size = number.digits.length + shift;
    const limitSize = limit.toString().length;
    if (size !== limitSize) return size > limitSize;
    // Same number of whole digits: the shift is bounded by what was typed.
    const value = BigInt(number.digits);
    return shift >= 0 ? value * 10n ** BigInt(shift) > limit : value > limit * 10n ** BigInt(-shift);
  }

  function micro(text) {
    const [whole, fraction = ""] = text.split(".");
    return BigInt(whole) * 1000000n + BigInt(fraction.padEnd(6, "0"));
  }

  const MAX_MICRO = micro(rules.amountMax);
  const MAX_DECIMALS = Number(rules.amountDecimals);

  // {value} in millionths of 万元 (null when blank), or {error}: parse_amount's rules.
  function readAmount(text) {
    const cleaned = numberText(text).replace(/,/g, "");
    if (!cleaned) return { value: null };
    if (EXPONENT.test(cleaned)) return { error: rules.amountExponent };
    const number = readNumber(cleaned);
    if (!number) return { error: rules.amountInvalid };
    if (number.negative) return { error: rules.amountNegative };
    if (exceeds(number, MAX_MICRO, 6)) return { error: rules.amountTooLarge };
    if (-number.exponent > MAX_DECIMALS) return { error: rules.amountTooPrecise };
    if (number.digits === "") return { value: 0n };
    return { value: BigInt(number.digits) * 10n ** BigInt(number.exponent + 6) };
  }

  // PercentField's rules: one % sign may follow; from 0 to 10000.
  function percentError(text) {
    let cleaned = numberText(text);
    if (cleaned.endsWith("%")) cleaned = cleaned.slice(0, -1);
    if (!cleaned) return null;
    if (EXPONENT.test(cleaned)) return rules.percentExponent;
    const number = readNumber(cleaned);
    if (!number) return rules.percentInvalid;
    if (number.negative || exceeds(number, 10000n, 0)) return rules.percentRange;
    return null;
  }

  // The same marks as the server's field tag: is-invalid, aria-invalid, a message it describes.
  function mark(input, message) {
    const id = `${input.id}_error`;
    let feedback = document.getElementById(id);
    if (!message) {
      if (feedback) feedback.remove();
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
      if (input.getAttribute("aria-describedby") === id) input.removeAttribute("aria-describedby");
      return;
    }
    if (!feedback) {
      feedback = document.createElement("div");
      feedback.className = "invalid-feedback d-block";
      feedback.id = id;
      input.after(feedback);
    }
    feedback.textContent = message;
    input.classList.add("is-invalid");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
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

  // A refused amount is not counted as nothing: what depends on it shows a dash.
  const UNKNOWN = "—";

  function add(sum, read) {
    if (sum === UNKNOWN || read.error) return UNKNOWN;
    return read.value === null ? sum : (sum || 0n) + read.value;
  }

  function shown(value, text) {
    return value === UNKNOWN ? UNKNOWN : text(value);
  }

  // PointsField's rules (evaluations/points.py): from 0 to the maximum, two decimals at most.
  const POINTS_MAX = BigInt(String(rules.pointsMax || "1000").split(".")[0]);

  function pointsError(text) {
    const cleaned = numberText(text);
    if (!cleaned) return null;
    if (EXPONENT.test(cleaned)) return rules.pointsExponent;
    const number = readNumber(cleaned);
    if (!number) return rules.pointsInvalid;
    if (number.negative || exceeds(number, POINTS_MAX, 0)) return rules.pointsRange;
    const places = -number.exponent - (number.digits.match(/0*$/)[0].length);
    if (places > 2) return rules.pointsTooPrecise;
    return null;
  }

  // Typed points as a Number, or null when blank or refused.
  function readPoints(text) {
    const cleaned = numberText(text);
    if (!cleaned || pointsError(text)) return null;
    return Number(cleaned);
  }

  // The funds block's totals, as millionths of 万元 (null: nothing; UNKNOWN: a refused amount).
  let fundTotals = { budget: null, actual: null };

  function updateFunds() {
    const totals = {};
    form.querySelectorAll("[data-fund-row]").forEach((row) => {
      const read = {};
      row.querySelectorAll("input[data-fund]").forEach((input) => {
        read[input.dataset.fund] = readAmount(input.value);
        totals[input.dataset.fund] = add(totals[input.dataset.fund] ?? null, read[input.dataset.fund]);
      });
      const a = read.actual || { value: null };
      const b = read.budget || { value: null };
      row.querySelector("[data-rate]").textContent =
        a.error || b.error ? UNKNOWN : rate(a.value, b.value);
    });
    Object.entries(totals).forEach(([name, value]) => {
      const output = form.querySelector(`[data-total="${name}"]`);
      if (output) output.textContent = shown(value, formatAmount);
    });
    const budget = totals.budget ?? null;
    const actual = totals.actual ?? null;
    form.querySelector('[data-total="rate"]').textContent =
      budget === UNKNOWN || actual === UNKNOWN ? UNKNOWN : rate(actual, budget);
    fundTotals = { budget, actual };
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

  // Scores of a scored layout, by the rules of evaluations/scoring.py, which the page passes
  // as data (the year's rules as settings): the budget score from the funds, each row's
  // computed score beside the one entered (never written over it), the total and the grade.
  const scoring = rules.scoring ? JSON.parse(rules.scoring) : null;
  const NATURES = ["≥", "≤", "=", "定性"];
  const NATURE_VARIANTS = { "≧": "≥", ">=": "≥", "≦": "≤", "<=": "≤", "═": "=", "＝": "=" };

  function cents(value) {
    return Math.round((value + Number.EPSILON) * 100) / 100;
  }

  function budgetScore() {
    const { budget, actual } = fundTotals;
    if (budget === UNKNOWN || actual === UNKNOWN) return UNKNOWN;
    if (actual === null || budget === null || budget === 0n) return null;
    // min(rate, 100%) × weight in hundredths of a point, rounded half up, exactly.
    const part = actual < budget ? actual : budget;
    const numerator = part * micro(scoring.execution_weight) * 100n;
    const denominator = budget * 1000000n;
    return Number((2n * numerator + denominator) / (2n * denominator)) / 100;
  }

  function executionRate() {
    const { budget, actual } = fundTotals;
    if (budget === UNKNOWN || actual === UNKNOWN || actual === null || !budget) return null;
    return Number(actual) / Number(budget);
  }

  function natureOf(nature, target) {
    const trimmed = String(nature || "").trim();
    const declared = NATURE_VARIANTS[trimmed] || trimmed;
    if (NATURES.includes(declared)) return declared;
    const quantity = parseQuantity(target);
    return quantity && AT_MOST.includes(quantity.op) ? "≤" : "≥";
  }

  // [T, A] when both read as one number of the same unit; a negative actual counts as nothing.
  function measures(target, actual) {
    let text = String(actual || "").trimStart();
    const negative = text.startsWith("-") || text.startsWith("－");
    if (negative) text = text.slice(1);
    const wanted = parseQuantity(target);
    const got = parseQuantity(text);
    if (!wanted || !got || wanted.unit !== got.unit) return null;
    return [wanted.number, negative ? 0 : got.number];
  }

  function indicatorScore(nature, target, actual, weight) {
    const kind = natureOf(nature, target);
    const found = measures(target, actual);
    if (weight === null || kind === "定性" || !found) return null;
    const [goal, value] = found;
    if (kind === "≤") {
      if (value <= goal) return cents(weight);
      if (scoring.less_is_better === "linear") {
        return goal === 0 ? 0 : cents(Math.max(0, weight * (1 - (value - goal) / goal)));
      }
      return cents((weight * goal) / value);
    }
    if (goal === 0) return kind === "=" ? cents(value <= 0 ? weight : 0) : cents(weight);
    return cents(weight * Math.min(value / goal, 1));
  }

  function totalScore(parts) {
    const present = parts.filter((part) => part !== null);
    if (!present.length) return null;
    let sum = cents(present.reduce((a, b) => a + b, 0));
    const rate = executionRate();
    if (rate !== null) {
      const caps = scoring.caps.map(([below, highest]) => [Number(below), Number(highest)]);
      caps.sort((a, b) => a[0] - b[0]);
      const cap = caps.find(([below]) => rate < below);
      if (cap) sum = Math.min(sum, cap[1]);
    }
    return sum;
  }

  function gradeOf(score) {
    if (score === null) return "";
    const grades = scoring.grades.map(([lowest, name]) => [Number(lowest), name]);
    grades.sort((a, b) => b[0] - a[0]);
    const found = grades.find(([lowest]) => score >= lowest);
    return found ? found[1] : "";
  }

  function points(value) {
    return value === null ? "" : value === UNKNOWN ? UNKNOWN : value.toFixed(2);
  }

  function entry(row, selector) {
    const input = row.querySelector(selector);
    return input ? input.value : "";
  }

  function updateScores() {
    if (!scoring) return;
    const budget = budgetScore();
    const budgetOutput = form.querySelector("[data-budget-score]");
    if (budgetOutput) budgetOutput.textContent = points(budget);
    const below = scoring.execution_reason_below;
    const notice = form.querySelector("[data-execution-reason-needed]");
    if (notice) {
      const rate = executionRate();
      notice.hidden = !(below !== null && rate !== null && rate < Number(below));
    }
    let weights = Number(scoring.execution_weight);
    const entered = [budget === UNKNOWN ? null : budget];
    form.querySelectorAll("[data-row]").forEach((row) => {
      const weight = readPoints(entry(row, 'input[name$="-weight"]'));
      const computed = indicatorScore(
        entry(row, 'select[name$="-nature"]'),
        entry(row, 'textarea[name$="-target"]'),
        entry(row, 'textarea[name$="-actual"]'),
        weight,
      );
      const box = row.querySelector("[data-computed]");
      if (box) {
        box.hidden = computed === null;
        box.querySelector("[data-computed-value]").textContent = points(computed);
      }
      // A removed row is not saved, so it does not count.
      if (row.classList.contains("is-removed")) return;
      if (weight !== null) weights += weight;
      entered.push(readPoints(entry(row, 'input[name$="-score"]')));
    });
    const score = totalScore(entered);
    const totals = {
      "[data-total-weight]": points(cents(weights)),
      "[data-total-score]": points(score),
      "[data-grade]": gradeOf(score),
    };
    Object.entries(totals).forEach(([selector, text]) => {
      const output = form.querySelector(selector);
      if (output) output.textContent = text;
    });
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

  // A removed row stays in sight, struck through, until the save deletes it; its entries are
  // read-only but still sent, and 撤销 unticks its DELETE box, so the server gets what is shown.
  function showRemoved(row, removed) {
    row.classList.toggle("is-removed", removed);
    row.querySelectorAll("textarea, input:not([type=hidden]):not([type=checkbox])").forEach((input) => {
      input.readOnly = removed;
    });
    row.querySelectorAll("[data-move], [data-use-suggestion], [data-use-computed]").forEach((button) => {
      button.disabled = removed;
    });
    row.querySelector("[data-remove]").hidden = removed;
    row.querySelector("[data-removed]").hidden = !removed;
  }

  form.addEventListener("input", (event) => {
    const input = event.target;
    if (input.closest("[data-funds]")) {
      mark(input, readAmount(input.value).error);
      updateFunds();
    }
    if (input.matches('input[name$="-completion_rate"]')) mark(input, percentError(input.value));
    if (input.matches("input[data-points]")) mark(input, pointsError(input.value));
    const row = input.closest("[data-row]");
    if (row) updateSuggestion(row);
    updateScores();
  });

  form.addEventListener("change", (event) => {
    if (!event.target.matches('input[name$="-DELETE"]')) return;
    const row = event.target.closest("[data-row]");
    showRemoved(row, event.target.checked);
    updateScores();
    if (event.target.checked) row.querySelector("[data-undo-remove]").focus();
  });

  form.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-row]");
    if (add) addRow(add.dataset.addRow);
    const move = event.target.closest("[data-move]");
    if (move) moveRow(move.closest("[data-row]"), move.dataset.move);
    const undo = event.target.closest("[data-undo-remove]");
    if (undo) {
      const row = undo.closest("[data-row]");
      const box = row.querySelector('input[name$="-DELETE"]');
      box.checked = false;
      showRemoved(row, false);
      updateScores();
      box.focus();
    }
    const useComputed = event.target.closest("[data-use-computed]");
    if (useComputed) {
      const row = useComputed.closest("[data-row]");
      const score = row.querySelector('input[name$="-score"]');
      score.value = row.querySelector("[data-computed-value]").textContent;
      mark(score, null);
      updateScores();
    }
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

  // After a refused save: each link of the error summary puts the cursor in its field, and the
  // first one does so at once.
  const summary = document.querySelector("[data-error-summary]");

  function fieldOf(link) {
    const target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    return target && target.matches("input, textarea, select") ? target : null;
  }

  if (summary) {
    summary.addEventListener("click", (event) => {
      const field = fieldOf(event.target.closest("a[href^='#']"));
      if (!field) return;
      event.preventDefault();
      field.focus();
    });
    const first = fieldOf(summary.querySelector("a[href^='#']"));
    (first || summary).focus();
  }

  updateFunds();
  form.querySelectorAll("[data-row]").forEach((row) => {
    updateSuggestion(row);
    const box = row.querySelector('input[name$="-DELETE"]');
    if (box && box.checked) showRemoved(row, true);
  });
  updateScores();
  renumber();
})();
