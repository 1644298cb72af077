/* Kỹ năng số class mode on the phone: the "Tham gia lớp" form, and sending the outbox of quiz
 * completions to the facilitator's laptop. What cannot be sent now waits in the local store and
 * goes later, once: the server keeps each completion id once however often it arrives.
 * Loaded by kns.js only on the join page and on phones that are in a class, and by the progress
 * page (which counts and exports the results kept here). */
(function () {
  "use strict";
  if (window.KNS && window.KNS.ready) start();
  else document.addEventListener("kns:ready", start);

  function start() {
    var KNS = window.KNS;
    var M = KNS.classMode;
    var readJSON = KNS.store.readJSON, readList = KNS.store.readList, writeJSON = KNS.store.writeJSON;
    var element = KNS.element, say = KNS.say;
    var CODE = /^[A-Z0-9]{6}$/;
    var FIELDS = /^(id|class_code|learner_id|lesson|lang|score|total|passed|answered_at|answers)$/;
    M.REFUSED_KEY = "kns:v1:outbox-refused";

    function isText(v, most) {
      return typeof v === "string" && v.length <= most;
    }

    function isClass(c) {
      return isText(c.code, 6) && CODE.test(c.code) && isText(c.learner_id, 64) && c.learner_id.length > 0 &&
        isText(c.name, 80) && (c.class_name === undefined || isText(c.class_name, 200));
    }

    // A completion is exactly what the class server takes: anything else in the outbox would block
    // the results behind it, so it is set aside like any damaged value.
    function isCompletion(c) {
      return KNS.store.isAttempt(c) && isText(c.class_code, 6) && CODE.test(c.class_code) &&
        isText(c.learner_id, 64) && c.learner_id.length > 0 && (c.lang === "vi" || c.lang === "en") &&
        typeof c.passed === "boolean" && Object.keys(c).every(function (k) { return FIELDS.test(k); }) &&
        (c.answers === undefined || (Array.isArray(c.answers) && c.answers.every(function (x) { return typeof x === "boolean"; })));
    }

    // A result the class server refused as invalid, with the status it answered.
    function isRefused(r) {
      return !!r && typeof r === "object" && isCompletion(r.item) && r.status % 1 === 0 && r.status >= 100 && r.status < 600;
    }

    M.isCompletion = isCompletion;
    M.current = function () { return readJSON(M.CLASS_KEY, function (c) { return typeof c === "object" && isClass(c); }); };
    M.outbox = function () { return readList(M.OUTBOX_KEY, isCompletion); };
    M.refused = function () { return readList(M.REFUSED_KEY, isRefused); };
    M.keepRefused = function (list) { writeJSON(M.REFUSED_KEY, list.length ? list : null); };
    if (M.started) return;
    M.started = true;
    var WORDS = KNS.words("join");
    // The server looked at these and said the result itself is wrong: sending it again cannot help,
    // so it is kept aside (shown, exported, sent again on request). Every other answer, "unknown
    // class or learner" included, keeps the result waiting: the class may be back tomorrow.
    var REFUSED = { 400: true, 413: true, 422: true };
    var flushing = false;
    var problem = null; // why results are still waiting, from the last try on this page: whyOffline, whyUnknown, whyBusy
    var statusBox = null;

    function apiUrl(path) { return new URL("api/v1/" + path, KNS.root).href; }

    function requeue(items) {
      var waiting = M.outbox();
      var known = {};
      waiting.forEach(function (x) { known[x.id] = true; });
      writeJSON(M.OUTBOX_KEY, waiting.concat(items.filter(function (x) { return !known[x.id]; })));
    }

    // Earlier versions set aside a result for good on any 4xx, "unknown class" too: those wait again.
    function recoverRefused() {
      var kept = M.refused();
      var back = kept.filter(function (r) { return !REFUSED[r.status]; });
      if (!back.length) return;
      requeue(back.map(function (r) { return r.item; }));
      M.keepRefused(kept.filter(function (r) { return REFUSED[r.status]; }));
    }

    function flushOutbox() {
      var waiting = M.outbox();
      if (flushing || !waiting.length) return;
      flushing = true;
      sendFrom(waiting, 0, null);
    }

    // One result at a time, oldest first. An unknown class goes on to the next result (it may be
    // for another class); no network or a busy server ends the round, and the next comes by itself.
    function sendFrom(list, k, why) {
      if (k >= list.length) return finish(why);
      var item = list[k];
      fetch(apiUrl("completions"), {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(item), cache: "no-store"
      }).then(function (response) {
        if (response.ok || REFUSED[response.status]) settle(item, response.ok ? 0 : response.status);
        else if (response.status === 404) why = "whyUnknown";
        else return finish("whyBusy");
        sendFrom(list, k + 1, why);
      }).catch(function () {
        finish("whyOffline"); // offline or the server is away: the next try comes by itself
      });
    }

    function settle(item, status) {
      writeJSON(M.OUTBOX_KEY, M.outbox().filter(function (x) { return x.id !== item.id; }));
      if (status) M.keepRefused(M.refused().concat([{ item: item, status: status, refused_at: new Date().toISOString() }]));
    }

    function finish(why) {
      flushing = false;
      problem = why;
      document.dispatchEvent(new CustomEvent("kns:outbox"));
    }

    // What is waiting and why, in plain words; never "all sent" while anything is kept back.
    function showStatus() {
      if (!statusBox) return;
      statusBox.textContent = "";
      var waiting = M.outbox().length;
      var kept = M.refused().length;
      if (waiting || M.current()) {
        statusBox.appendChild(element("p", { "class": "kns-pending" },
          waiting ? say(WORDS.pending, { count: waiting }) : kept ? WORDS.noneWaiting : WORDS.allSent));
      }
      if (waiting && problem) statusBox.appendChild(element("p", { "class": "kns-why" }, WORDS[problem]));
      if (!kept) return;
      var line = element("p", { "class": "kns-refused" }, say(WORDS.refused, { count: kept }) + " ");
      line.appendChild(element("a", { href: KNS.progressUrl() }, WORDS.progress));
      statusBox.appendChild(line);
      var resend = element("button", { type: "button", "class": "md-button kns-resend" }, WORDS.resend);
      resend.addEventListener("click", function () {
        requeue(M.refused().map(function (r) { return r.item; }));
        M.keepRefused([]);
        showStatus();
        flushOutbox();
      });
      statusBox.appendChild(resend);
    }

    function setupJoin(root) {
      root.textContent = "";
      var joined = M.current();
      if (joined) {
        root.appendChild(element("p", { "class": "kns-joined" }, say(WORDS.joined, { name: joined.class_name || joined.code, code: joined.code, learner: joined.name })));
      }
      statusBox = element("div", { "class": "kns-outbox", role: "status" });
      root.appendChild(statusBox);
      showStatus();
      if (joined) {
        var start = root.getAttribute("data-start");
        if (start) root.appendChild(element("a", { "class": "md-button md-button--primary kns-start-link", href: start }, WORDS.start));
        var leave = element("button", { type: "button", "class": "md-button kns-leave" }, WORDS.leave);
        // One tap used to leave the class at once; leaving is asked for, and staying is the
        // easy answer.
        leave.addEventListener("click", function () {
          var ask = element("div", { "class": "kns-leave-ask", role: "alertdialog", "aria-label": WORDS.leave });
          ask.appendChild(element("p", {}, say(WORDS.leaveAsk, { name: joined.class_name || joined.code })));
          var yes = element("button", { type: "button", "class": "md-button kns-leave-yes" }, WORDS.leave);
          var no = element("button", { type: "button", "class": "md-button md-button--primary kns-leave-no" }, WORDS.stay);
          yes.addEventListener("click", function () { writeJSON(M.CLASS_KEY, null); setupJoin(root); });
          no.addEventListener("click", function () { ask.remove(); leave.hidden = false; leave.focus(); });
          ask.appendChild(no);
          ask.appendChild(yes);
          leave.hidden = true;
          root.appendChild(ask);
          no.focus();
        });
        root.appendChild(leave);
        return;
      }
      var form = element("form", { "class": "kns-join-form", novalidate: "" });
      var codeLabel = element("label", { "for": "kns-class-code" }, WORDS.classCode);
      var code = element("input", { id: "kns-class-code", name: "code", autocomplete: "off", autocapitalize: "characters", maxlength: "6", "class": "kns-name", required: "" });
      var nameLabel = element("label", { "for": "kns-learner-name" }, WORDS.yourName);
      var name = element("input", { id: "kns-learner-name", name: "name", autocomplete: "name", maxlength: "80", "class": "kns-name", required: "", "aria-describedby": "kns-name-problem kns-privacy" });
      // A problem with the name is said beside the field, and what the class keeps of it is said
      // where it is typed, before anything is sent.
      var nameProblem = element("p", { id: "kns-name-problem", "class": "kns-name-problem", role: "alert" });
      var privacy = element("ul", { id: "kns-privacy", "class": "kns-privacy" });
      ["privacyName", "privacyKept", "privacyWho", "privacyTime"].forEach(function (key) { privacy.appendChild(element("li", {}, WORDS[key])); });
      var submit = element("button", { type: "submit", "class": "md-button md-button--primary" }, WORDS.joinButton);
      var message = element("p", { "class": "kns-join-message", role: "alert" });
      var fromQr = /^#(?:code=)?([A-Za-z0-9]{6})$/.exec(location.hash);
      if (fromQr) code.value = fromQr[1].toUpperCase();
      [codeLabel, code, nameLabel, name, nameProblem, privacy, submit, message].forEach(function (node) { form.appendChild(node); });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var classCode = code.value.trim().toUpperCase();
        var learner = name.value.trim();
        message.textContent = nameProblem.textContent = "";
        name.removeAttribute("aria-invalid");
        if (!learner || learner.length > 80) { refuseName(WORDS.badName); return; }
        fetch(apiUrl("classes/" + encodeURIComponent(classCode) + "/learners"), {
          method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: learner })
        }).then(function (response) {
          if (response.status === 404) throw new Error(WORDS.noClass);
          if (response.status === 410) throw new Error(WORDS.closed);
          if (response.status === 422) return response.json().then(nameRefused, function () { return nameRefused(null); });
          if (!response.ok) throw new Error(WORDS.offline);
          return response.json();
        }).then(function (body) {
          if (!body) return;
          writeJSON(M.CLASS_KEY, { code: classCode, class_name: body.class_name, learner_id: body.learner_id, name: learner, joined_at: new Date().toISOString() });
          setupJoin(root);
          flushOutbox();
        }).catch(function (err) {
          message.textContent = err instanceof TypeError ? WORDS.offline : err.message;
        });
      });
      root.appendChild(form);

      function refuseName(text) {
        nameProblem.textContent = text;
        name.setAttribute("aria-invalid", "true");
        name.focus();
      }

      // The server says why in `detail[].type`: an ID or phone number gets its own words.
      function nameRefused(body) {
        var detail = body && Array.isArray(body.detail) ? body.detail : [];
        var number = detail.some(function (p) { return p && p.type === "name_like_number"; });
        refuseName(number ? WORDS.nameNumber : WORDS.badName);
        return null;
      }
    }

    recoverRefused();
    var joinRoot = document.getElementById("kns-join");
    if (joinRoot) setupJoin(joinRoot);
    document.addEventListener("kns:outbox", showStatus);
    flushOutbox();
    document.addEventListener("kns:queued", flushOutbox);
    window.addEventListener("online", flushOutbox);
    window.setInterval(flushOutbox, 20000);
  }
})();
