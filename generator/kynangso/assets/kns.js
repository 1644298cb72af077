/* Kỹ năng số on the phone: the local progress store, the quiz, "Nghe đọc" (read aloud) and the
 * offline pack. Plain JavaScript, no build step; every feature checks that the browser has what
 * it needs and otherwise leaves the page as it is (the page works without this file). */
(function () {
  "use strict";

  var script = document.currentScript;
  var ROOT = new URL("../", script ? script.src : location.href); // this file lives in assets/
  // the page's language as the theme writes it: vi, en or a language added in mkdocs.yml
  var LANG = document.documentElement.lang;
  var PREFIX = "kns:v1:";
  var ATTEMPTS_KEY = PREFIX + "attempts";

  // The words come with the page (kynangso/words/<lang>.yaml, written as JSON by the build):
  // every page carries the store and offline-pack words, a lesson the quiz words too.
  var PAGE_WORDS = {};
  document.querySelectorAll("script.kns-words").forEach(function (node) {
    try { Object.assign(PAGE_WORDS, JSON.parse(node.textContent)); } catch (err) { /* a damaged blob leaves the others */ }
  });

  // The build fills every key (Vietnamese where a language lacks one), so a group is complete.
  function words(group) {
    return PAGE_WORDS[group] || {};
  }

  var WORDS = Object.assign({}, PAGE_WORDS.every_page, PAGE_WORDS.lesson);

  function say(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, name) { return String(values[name]); });
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ---------------------------------------------------------------- the local store
  function storage() {
    try {
      var s = window.localStorage;
      s.setItem(PREFIX + "probe", "1");
      s.removeItem(PREFIX + "probe");
      return s;
    } catch (err) {
      return null;
    }
  }

  function isObject(v) {
    return !!v && typeof v === "object" && !Array.isArray(v);
  }

  function isCount(v, most) {
    return typeof v === "number" && v % 1 === 0 && v >= 0 && v <= most;
  }

  function isId(v) {
    return typeof v === "string" && v.length > 0 && v.length <= 64;
  }

  function isAttempt(a) {
    return isObject(a) && isId(a.id) &&
      typeof a.lesson === "string" && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(a.lesson) &&
      isCount(a.total, 1000) && a.total > 0 && isCount(a.score, a.total) &&
      typeof a.answered_at === "string" && /^\d{4}-\d\d-\d\dT/.test(a.answered_at) && !isNaN(Date.parse(a.answered_at));
  }

  // Records from any version of the site are read: fields this version does not know are
  // kept as they are, and fields an older version did not write get their defaults.
  function normalize(a) {
    var record = Object.assign({}, a);
    record.lang = a.lang === "en" ? "en" : "vi";
    record.passed = a.passed === true;
    return record;
  }

  var asides = 0; // values set aside in the same millisecond must not overwrite each other

  function setAside(raw) {
    var s = storage();
    if (!s) return;
    try {
      s.setItem(PREFIX + "set-aside:" + new Date().toISOString() + (asides++ ? "~" + asides : ""), raw);
    } catch (err) { /* nowhere to keep it; the notice below still tells the resident */ }
    showNotice(WORDS.setAside);
  }

  // Every value read from the local store is checked: one this version did not write (damaged,
  // foreign, hand-edited) is moved aside and the page goes on without it, so it can never stop
  // the page working on every visit.
  function readJSON(key, check) {
    var s = storage();
    var raw = s && s.getItem(key);
    if (raw == null) return null;
    var value;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      value = undefined;
    }
    if (value != null && (!check || check(value))) return value; // null is never written: a key is removed
    setAside(raw);
    s.removeItem(key);
    return null;
  }

  // A list keeps its good entries; the others are set aside together.
  function readList(key, check) {
    var list = readJSON(key, Array.isArray) || [];
    var good = list.filter(check);
    if (good.length !== list.length) {
      setAside(JSON.stringify(list.filter(function (x) { return !check(x); })));
      writeJSON(key, good);
    }
    return good;
  }

  function readAttempts() {
    return readList(ATTEMPTS_KEY, isAttempt).map(normalize);
  }

  function writeAttempts(list) {
    var s = storage();
    if (!s) return false;
    try {
      s.setItem(ATTEMPTS_KEY, JSON.stringify(list));
      return true;
    } catch (err) {
      showNotice(WORDS.full);
      return false;
    }
  }

  // Adds attempts not already kept (by id), so a record is counted once however often it
  // arrives; returns how many were new.
  function mergeAttempts(incoming) {
    var list = readAttempts();
    var known = {};
    list.forEach(function (a) { known[a.id] = true; });
    var added = incoming.filter(function (a) {
      if (!isAttempt(a) || known[a.id]) return false;
      known[a.id] = true;
      return true;
    }).map(normalize);
    if (added.length && !writeAttempts(list.concat(added))) return 0;
    added.forEach(function (a) {
      document.dispatchEvent(new CustomEvent("kns:attempt", { detail: a }));
    });
    return added.length;
  }

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes); // works on plain http too, unlike randomUUID
    bytes[6] = (bytes[6] & 15) | 64;
    bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function writeJSON(key, value) {
    var s = storage();
    if (!s) return;
    try {
      if (value === null) s.removeItem(key); else s.setItem(key, JSON.stringify(value));
    } catch (err) { /* a draft is a convenience; losing it loses nothing kept */ }
  }

  function showNotice(text) {
    var main = document.querySelector(".md-content__inner") || document.body;
    if (main.querySelector(".kns-notice")) return;
    var box = element("div", { "class": "kns-notice", role: "alert" }, text);
    main.insertBefore(box, main.firstChild);
  }

  // ---------------------------------------------------------------- the quiz
  // One quiz on the page is one object: its data, its questions, the controls added to the form
  // and `state` (the draft kept in storage). Each step below takes it and does one job.
  function setupQuiz(form) {
    var dataNode = document.querySelector(".kns-quiz-data");
    if (!dataNode) return;
    var data = JSON.parse(dataNode.textContent);
    var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.kns-question"));
    var quiz = { form: form, data: data, questions: questions, total: questions.length, draftKey: PREFIX + "draft:" + data.lesson, checkedAt: 0 };
    quiz.state = loadDraft(quiz);
    var answersKey = document.getElementById("answers");
    if (answersKey) answersKey.hidden = true; // the printed answers are for pages without JavaScript
    form.classList.add("kns-quiz--live");
    form.setAttribute("novalidate", "");
    addQuizControls(quiz);
    questions.forEach(function (fieldset, i) { restoreQuestion(quiz, fieldset, i); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!quiz.state.checked[quiz.state.current]) checkAnswer(quiz); else nextQuestion(quiz);
    });
    // The second tap of a double tap on "Kiểm tra" would land on "Câu tiếp theo" and skip the
    // explanation; a tap (not a key) within 500 ms of the check is ignored.
    quiz.nextButton.addEventListener("click", function (event) {
      if (!event.detail || Date.now() - quiz.checkedAt > 500) nextQuestion(quiz);
    });
    showQuestion(quiz, false);
  }

  // The progress bar, the count, the feedback box, "Câu tiếp theo" and the result box.
  function addQuizControls(quiz) {
    var form = quiz.form;
    var bar = quiz.bar = element("div", { "class": "kns-bar", role: "progressbar", "aria-valuemin": "1", "aria-valuemax": String(quiz.total) });
    quiz.fill = element("span", { "class": "kns-bar__fill" });
    bar.appendChild(quiz.fill);
    var count = quiz.count = element("p", { "class": "kns-count" });
    form.insertBefore(count, form.firstChild.nextSibling);
    form.insertBefore(bar, count);

    quiz.feedback = element("div", { "class": "kns-feedback", "aria-live": "polite" });
    var checkButton = quiz.checkButton = form.querySelector("button.kns-check");
    checkButton.textContent = WORDS.check;
    quiz.nextButton = element("button", { type: "button", "class": "md-button md-button--primary kns-next" });
    quiz.result = element("div", { "class": "kns-result", "aria-live": "polite", tabindex: "-1" });
    checkButton.parentNode.insertBefore(quiz.feedback, checkButton);
    checkButton.parentNode.insertBefore(quiz.nextButton, checkButton.nextSibling);
    form.appendChild(quiz.result);
  }

  // A question as the draft left it: its choices ticked, marked if it was checked; every change
  // of choice before the check goes into the draft.
  function restoreQuestion(quiz, fieldset, i) {
    fieldset.querySelector("legend").setAttribute("tabindex", "-1");
    fieldset.addEventListener("change", function () {
      if (quiz.state.checked[i]) return;
      quiz.state.answers[i] = chosen(quiz, i);
      saveDraft(quiz);
    });
    (quiz.state.answers[i] || []).forEach(function (choice) {
      var input = fieldset.querySelectorAll("input")[choice];
      if (input) input.checked = true;
    });
    if (quiz.state.checked[i]) markChoices(quiz, i);
  }

  // ---- drafts
  function loadDraft(quiz) {
    var draft = readJSON(quiz.draftKey, function (d) { return isDraft(quiz, d); });
    return draft || { current: 0, answers: {}, checked: {}, attempt: newId() };
  }

  // A draft is a quiz under way: every question before the current one checked, choices that
  // exist on this page. A finished one is never a draft (it would record an attempt on load).
  function isDraft(quiz, d) {
    var questions = quiz.questions, total = quiz.total;
    return isObject(d) && isObject(d.answers) && isObject(d.checked) && d.saved === undefined &&
      isCount(d.current, total - 1) && (d.attempt === undefined || isId(d.attempt)) &&
      Object.keys(d.answers).concat(Object.keys(d.checked)).every(function (k) {
        var picks = d.answers[k], inputs = /^\d+$/.test(k) && questions[k] && questions[k].querySelectorAll("input").length;
        return inputs && Array.isArray(picks) && picks.every(function (c) { return isCount(c, inputs - 1); }) &&
          (d.checked[k] === undefined || (d.checked[k] === true && k <= d.current && picks.length > 0));
      }) && questions.every(function (_, k) { return k >= d.current || d.checked[k] === true; });
  }

  function saveDraft(quiz) { writeJSON(quiz.draftKey, quiz.state); }

  // ---- answers
  function chosen(quiz, i) {
    var picked = [];
    quiz.questions[i].querySelectorAll("input").forEach(function (input, index) {
      if (input.checked) picked.push(index);
    });
    return picked;
  }

  function isRight(quiz, i) {
    var picked = (quiz.state.answers[i] || []).slice().sort();
    var right = quiz.data.questions[i].correct.slice().sort();
    return picked.length === right.length && picked.every(function (v, k) { return v === right[k]; });
  }

  // The steps below open the quiz the same way: its state, data, questions and controls.

  // ---- render a question (or, past the last one, the result)
  function showQuestion(quiz, moveFocus) {
    var state = quiz.state, data = quiz.data, questions = quiz.questions, total = quiz.total;
    var feedback = quiz.feedback, result = quiz.result, checkButton = quiz.checkButton, nextButton = quiz.nextButton;
    var i = state.current;
    var finished = i >= total;
    questions.forEach(function (fieldset, k) { fieldset.hidden = k !== i; });
    var shown = Math.min(i + 1, total);
    quiz.count.textContent = WORDS.question + " " + shown + "/" + total;
    quiz.bar.setAttribute("aria-valuenow", String(shown));
    quiz.bar.setAttribute("aria-label", quiz.count.textContent);
    quiz.fill.style.width = (100 * (finished ? total : i) / total) + "%";
    checkButton.hidden = finished || !!state.checked[i];
    nextButton.hidden = finished || !state.checked[i];
    nextButton.textContent = i === total - 1 ? WORDS.finish : WORDS.next;
    feedback.hidden = finished;
    if (!finished && state.checked[i]) showFeedback(quiz, i); else feedback.textContent = "";
    if (finished) finishQuiz(quiz); else result.hidden = true;
    if (moveFocus && !finished) questions[i].querySelector("legend").focus();
  }

  // ---- check an answer
  function checkAnswer(quiz) {
    var state = quiz.state, data = quiz.data, questions = quiz.questions, total = quiz.total;
    var feedback = quiz.feedback, result = quiz.result, checkButton = quiz.checkButton, nextButton = quiz.nextButton;
    var i = state.current;
    var picked = chosen(quiz, i);
    if (!picked.length) {
      feedback.textContent = WORDS.pick;
      return;
    }
    state.answers[i] = picked;
    state.checked[i] = true;
    saveDraft(quiz);
    markChoices(quiz, i);
    showQuestion(quiz, false);
    quiz.checkedAt = Date.now();
    // Focus for the keyboard, but no jump: the verdict and the marked choices stay where the
    // finger was, and a link further down never slides under it.
    nextButton.focus({ preventScroll: true });
    feedback.firstChild.scrollIntoView({ block: "nearest" });
  }

  function markChoices(quiz, i) {
    var right = quiz.data.questions[i].correct;
    quiz.questions[i].querySelectorAll("label.kns-choice").forEach(function (label, index) {
      var input = label.querySelector("input");
      input.disabled = true;
      if (right.indexOf(index) >= 0) label.classList.add("kns-choice--right");
      else if (input.checked) label.classList.add("kns-choice--wrong");
    });
  }

  // ---- feedback: the verdict, then what was picked (and missed) with its explanation
  function showFeedback(quiz, i) {
    var state = quiz.state, data = quiz.data, questions = quiz.questions, total = quiz.total;
    var feedback = quiz.feedback, result = quiz.result, checkButton = quiz.checkButton, nextButton = quiz.nextButton;
    var q = data.questions[i];
    var labels = questions[i].querySelectorAll("label.kns-choice span");
    var picked = state.answers[i] || [];
    feedback.textContent = "";
    feedback.className = "kns-feedback " + (isRight(quiz, i) ? "kns-feedback--right" : "kns-feedback--wrong");
    feedback.appendChild(element("p", { "class": "kns-verdict" }, isRight(quiz, i) ? WORDS.right : WORDS.wrong));
    var list = element("ul");
    var shown = {};
    picked.concat(q.correct).forEach(function (index) {
      if (shown[index]) return;
      shown[index] = true;
      // Said in words, never "Bạn chọn: Đúng. Sai.": what was picked and whether it was right,
      // and for several right answers, the one that was missed.
      var right = q.correct.indexOf(index) >= 0;
      var key = picked.indexOf(index) < 0 ? (q.kind === "multiple" ? "missed" : "rightAnswer") : right ? "pickedRight" : "pickedWrong";
      var item = element("li", { "class": "kns-explain--" + key });
      item.appendChild(element("strong", {}, say(WORDS[key], { choice: labels[index].textContent })));
      item.appendChild(document.createTextNode(" " + q.explanations[index]));
      list.appendChild(item);
    });
    feedback.appendChild(list);
  }

  // ---- move on
  function nextQuestion(quiz) {
    var state = quiz.state;
    if (!state.checked[state.current]) return;
    state.current += 1;
    saveDraft(quiz);
    showQuestion(quiz, true);
    if (state.current >= quiz.total) quiz.result.focus();
  }

  // ---- finish: record the attempt once, then show the score and the way on
  function finishQuiz(quiz) {
    var state = quiz.state, data = quiz.data, questions = quiz.questions, total = quiz.total;
    var feedback = quiz.feedback, result = quiz.result, checkButton = quiz.checkButton, nextButton = quiz.nextButton;
    var score = 0;
    for (var i = 0; i < total; i++) if (isRight(quiz, i)) score += 1;
    var passed = score >= data.pass_mark;
    if (!state.saved) {
      // class mode takes vi or en: a page of another language records its attempt as vi
      var attempt = {
        id: state.attempt || newId(), lesson: data.lesson, lang: LANG === "en" ? "en" : "vi", score: score, total: total,
        passed: passed, answered_at: new Date().toISOString()
      };
      mergeAttempts([attempt]);
      queueCompletion(attempt, questions.map(function (_, k) { return isRight(quiz, k); }));
      state.saved = true;
      writeJSON(quiz.draftKey, null); // the attempt is kept; the next visit starts a fresh quiz
    }
    result.hidden = false;
    result.className = "kns-result " + (passed ? "kns-result--passed" : "kns-result--failed");
    result.textContent = "";
    result.appendChild(element("p", { "class": "kns-score" }, say(WORDS.score, { score: score, total: total })));
    result.appendChild(element("p", {}, passed ? WORDS.passed : say(WORDS.failed, { mark: data.pass_mark })));
    var retry = element("button", { type: "button", "class": "md-button kns-retry" }, WORDS.retry);
    retry.addEventListener("click", function () { restartQuiz(quiz); });
    var link = element("a", { "class": "md-button md-button--primary", href: progressUrl() }, WORDS.progress);
    result.appendChild(retry);
    result.appendChild(link);
  }

  function restartQuiz(quiz) {
    quiz.state = { current: 0, answers: {}, checked: {}, attempt: newId() };
    quiz.questions.forEach(function (fieldset) {
      fieldset.querySelectorAll("label.kns-choice").forEach(function (label) {
        label.classList.remove("kns-choice--right", "kns-choice--wrong");
        var input = label.querySelector("input");
        input.disabled = false;
        input.checked = false;
      });
    });
    saveDraft(quiz);
    showQuestion(quiz, true);
  }

  function progressUrl() {
    return new URL(LANG === "en" ? "en/progress/" : "tien-do/", ROOT).href;
  }

  // ---------------------------------------------------------------- the resident's place
  // Switching language or pressing back reopened a lesson at the top while the quiz was
  // ~4,000 px down. The place is kept per tab as the step (or the quiz) at the top of the
  // screen and how far into it, so it holds in the other language too (same ids, other words).
  function keepPlace(lesson) {
    var key = PREFIX + "place:" + lesson;
    var marks = document.querySelectorAll("h3.kns-step[id], #quiz");
    window.addEventListener("pagehide", function () {
      var at = null;
      marks.forEach(function (m) { if (m.getBoundingClientRect().top <= 1) at = m; });
      try {
        sessionStorage.setItem(key, JSON.stringify(at ? [at.id, -at.getBoundingClientRect().top] : 0));
      } catch (err) { /* no place kept: the lesson opens at the top, as before */ }
    });
    var nav = (performance.getEntriesByType ? performance.getEntriesByType("navigation") : [])[0] || {};
    var both = function (path) { return path.replace(ROOT.pathname + "en/", ROOT.pathname); };
    var same = !!document.referrer && both(new URL(document.referrer).pathname) === both(location.pathname);
    if (location.hash || !(same || nav.type === "back_forward" || nav.type === "reload")) return;
    try {
      var place = JSON.parse(sessionStorage.getItem(key));
      var target = place && document.getElementById(place[0]);
      if (target) window.scrollTo(0, target.getBoundingClientRect().top + window.pageYOffset + place[1]);
    } catch (err) { /* a damaged place is no place */ }
  }

  // ---------------------------------------------------------------- read aloud
  // A phone without a voice for the page's language used to take the tap and say nothing: a tap
  // now reads only with such a voice, and otherwise says so and how to add one. The voice list
  // arrives late on many phones (`voiceschanged`), and a voice installed meanwhile counts.
  function setupReadAloud() {
    var synth = window.speechSynthesis;
    if (!synth || typeof window.SpeechSynthesisUtterance !== "function") return;
    var speaking = null;
    var said = element("p", { "class": "kns-notice kns-voice-note", role: "status" });

    function voice() {
      return (synth.getVoices() || []).filter(function (v) {
        return v.lang && v.lang.replace("_", "-").toLowerCase().indexOf(LANG) === 0;
      })[0];
    }

    function tell(text, button) {
      said.textContent = text;
      button.parentNode.insertBefore(said, button.nextSibling);
    }

    voice(); // asks the phone for its list, which may come later
    if (synth.addEventListener) synth.addEventListener("voiceschanged", function () { if (voice()) said.remove(); });
    document.querySelectorAll("h3.kns-step").forEach(function (heading) {
      var parts = [heading.textContent];
      for (var node = heading.nextElementSibling; node && !/^H[23]$/.test(node.tagName); node = node.nextElementSibling) {
        if (node.tagName !== "FIGURE" && !node.classList.contains("kns-audio")) parts.push(node.textContent);
      }
      var text = parts.join(". ").replace(/\s+/g, " ");
      var button = element("button", { type: "button", "class": "md-button kns-listen", "aria-pressed": "false" }, "🔊 " + WORDS.listen);
      button.addEventListener("click", function () {
        var wasMine = speaking === button, found = voice();
        synth.cancel();
        reset();
        said.remove();
        if (wasMine) return;
        if (!found) return tell(WORDS.noVoice, button);
        var utterance = new window.SpeechSynthesisUtterance(text);
        utterance.lang = LANG === "en" ? "en-US" : "vi-VN"; // a third language shows Vietnamese text
        try { utterance.voice = found; } catch (err) { /* the language alone picks a voice */ }
        utterance.onend = function () { if (speaking === button) reset(); };
        utterance.onerror = function (event) {
          utterance.onend();
          // our own cancel (another button, a second tap) is not a failure
          if (!/interrupted|canceled/.test(event && event.error)) tell(WORDS.speakFailed, button);
        };
        speaking = button;
        button.setAttribute("aria-pressed", "true");
        button.textContent = "■ " + WORDS.stop;
        synth.speak(utterance);
      });
      heading.parentNode.insertBefore(button, heading.nextSibling);
    });

    function reset() {
      if (!speaking) return;
      speaking.setAttribute("aria-pressed", "false");
      speaking.textContent = "🔊 " + WORDS.listen;
      speaking = null;
    }
  }

  // ---------------------------------------------------------------- offline pack
  function setupOffline() {
    var main = document.querySelector(".md-content__inner");
    if (!main) return;
    var status = element("p", { "class": "kns-offline", role: "status" });
    // A laptop serving the class over plain http:// cannot give the pack (browsers keep service
    // workers for https and localhost): say so rather than leave the resident expecting it.
    if (!window.isSecureContext) status.textContent = WORDS.noOffline;
    if (status.textContent || "serviceWorker" in navigator) main.appendChild(status);
    if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
    var wantedKey = PREFIX + "offline-wanted:" + LANG;

    navigator.serviceWorker.addEventListener("message", function (event) {
      var m = event.data || {};
      if (m.lang !== LANG) return;
      if (m.type === "pack-progress") status.textContent = WORDS.saving + " " + Math.floor(100 * m.done / m.total) + "%";
      if (m.type === "pack-saved") {
        status.textContent = "✓ " + WORDS.saved + " (" + (m.bytes / 1048576).toFixed(1) + " MB)";
        status.classList.add("kns-offline--saved");
      }
      if (m.type === "pack-error") status.textContent = WORDS.saveFailed;
    });

    navigator.serviceWorker.register(new URL("sw.js", ROOT).href, { scope: ROOT.href })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        var connection = navigator.connection || {};
        var metered = connection.saveData || connection.type === "cellular";
        if (!metered || readJSON(wantedKey, function (v) { return v === true; })) return request(registration);
        var button = element("button", { type: "button", "class": "md-button kns-save" }, WORDS.saveButton);
        button.addEventListener("click", function () {
          writeJSON(wantedKey, true);
          button.remove();
          request(registration);
        });
        status.appendChild(button);
      })
      .catch(function () { status.textContent = ""; });

    function request(registration) {
      status.textContent = WORDS.saving;
      registration.active.postMessage({
        type: "cache-pack", lang: LANG, manifest: new URL("offline/" + LANG + ".json", ROOT).href
      });
    }
  }

  // ---------------------------------------------------------------- class mode
  // A phone that joined a class queues each quiz it finishes in an outbox in the local store;
  // kns-class.js (loaded only on phones in a class) sends it to the facilitator's laptop.
  var CLASS_KEY = PREFIX + "class";
  var OUTBOX_KEY = PREFIX + "outbox";
  // Only what queueing needs is checked here; kns-class.js checks each result before sending it.
  var classLoaded = false; // the progress page loads kns-class.js itself; it starts once

  function currentClass() {
    return readJSON(CLASS_KEY, function (c) { return isObject(c) && /^[A-Z0-9]{6}$/.test(c.code) && isId(c.learner_id); });
  }

  function outbox() {
    return readJSON(OUTBOX_KEY, Array.isArray) || [];
  }

  function queueCompletion(attempt, answers) {
    var joined = currentClass();
    if (!joined) return;
    writeJSON(OUTBOX_KEY, outbox().concat([{
      id: attempt.id, class_code: joined.code, learner_id: joined.learner_id, lesson: attempt.lesson,
      lang: attempt.lang, score: attempt.score, total: attempt.total, passed: attempt.passed,
      answered_at: attempt.answered_at, answers: answers
    }]));
    loadClassMode();
    document.dispatchEvent(new CustomEvent("kns:queued"));
  }

  function loadClassMode() {
    if (classLoaded) return;
    classLoaded = true;
    var tag = document.createElement("script");
    tag.src = new URL("assets/kns-class.js", ROOT).href;
    document.head.appendChild(tag);
  }

  // ---------------------------------------------------------------- start
  window.KNS = {
    lang: LANG,
    root: ROOT,
    words: words,
    element: element,
    progressUrl: progressUrl,
    say: say,
    store: {
      attempts: readAttempts, merge: mergeAttempts, isAttempt: isAttempt, readJSON: readJSON, readList: readList,
      writeJSON: writeJSON
    },
    classMode: { CLASS_KEY: CLASS_KEY, OUTBOX_KEY: OUTBOX_KEY, current: currentClass, outbox: outbox },
    ready: true
  };
  readAttempts(); // sets aside anything damaged and says so, on every page
  document.querySelectorAll("form.kns-quiz").forEach(function (form) {
    setupQuiz(form);
    keepPlace(form.getAttribute("data-lesson"));
  });
  setupReadAloud();
  setupOffline();
  if (document.getElementById("kns-join") || currentClass() || outbox().length || readJSON(PREFIX + "outbox-refused")) loadClassMode();
  document.dispatchEvent(new CustomEvent("kns:ready"));
})();
