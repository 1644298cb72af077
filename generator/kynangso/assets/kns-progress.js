/* Kỹ năng số: the "My progress" page (with export and import of the local record) and the
 * printable passport with its QR code. Reads the store kept by kns.js. */
(function () {
  "use strict";


  function start() {
    var KNS = window.KNS;
    var T = KNS.words("progress");
    var el = KNS.element;
    var catalog = JSON.parse(document.getElementById("kns-catalog").textContent);
    var titles = {};
    catalog.topics.forEach(function (topic) {
      topic.lessons.forEach(function (lesson) { titles[lesson.id] = lesson; });
    });

    var progressRoot = document.getElementById("kns-progress");
    var passportRoot = document.getElementById("kns-passport");
    if (progressRoot) renderProgress(progressRoot);
    if (passportRoot) {
      renderPassport(passportRoot);
      // a second passport link opened in the same tab changes only the fragment: no new page load
      window.addEventListener("hashchange", function () { renderPassport(passportRoot); });
    }

    function say(text, values) {
      return text.replace(/\{(\w+)\}/g, function (_, name) { return String(values[name]); });
    }

    function formatDate(iso) {
      var d = new Date(iso);
      if (isNaN(d)) return "";
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      return pad(d.getDate()) + "/" + pad(d.getMonth() + 1) + "/" + d.getFullYear();
    }

    // best score, last date and whether it was ever passed, per lesson
    function summary(attempts) {
      var byLesson = {};
      attempts.forEach(function (a) {
        var s = byLesson[a.lesson] || (byLesson[a.lesson] = { id: a.lesson, score: -1, total: a.total, last: "", passed: false, passedAt: "" });
        if (a.score / a.total > s.score / s.total || s.score < 0) { s.score = a.score; s.total = a.total; }
        if (a.answered_at > s.last) s.last = a.answered_at;
        if (a.passed) {
          s.passed = true;
          if (a.answered_at > s.passedAt) s.passedAt = a.answered_at;
        }
      });
      return byLesson;
    }

    function lessonLink(id) {
      var lesson = titles[id];
      return lesson ? el("a", { href: lesson.url }, lesson.title) : el("span", {}, id);
    }

    function renderProgress(root) {
      root.textContent = "";
      var byLesson = summary(KNS.store.attempts());
      var all = Object.keys(titles);
      var passedCount = all.filter(function (id) { return byLesson[id] && byLesson[id].passed; }).length;

      var overview = el("section", { "class": "kns-overview" });
      overview.appendChild(el("p", { "class": "kns-score" }, say(T.passedOf, { passed: passedCount, total: all.length })));
      var bar = el("div", { "class": "kns-bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": String(all.length), "aria-valuenow": String(passedCount), "aria-label": say(T.passedOf, { passed: passedCount, total: all.length }) });
      var fill = el("span", { "class": "kns-bar__fill" });
      fill.style.width = (all.length ? 100 * passedCount / all.length : 0) + "%";
      bar.appendChild(fill);
      overview.appendChild(bar);
      var nextId = all.filter(function (id) { return !(byLesson[id] && byLesson[id].passed); })[0];
      var next = el("p", { "class": "kns-next-lesson" });
      if (nextId) {
        next.appendChild(el("strong", {}, T.next + ": "));
        next.appendChild(lessonLink(nextId));
      } else {
        next.textContent = T.allDone;
      }
      overview.appendChild(next);
      root.appendChild(overview);

      catalog.topics.forEach(function (topic) {
        if (!topic.lessons.length) return;
        var done = topic.lessons.filter(function (l) { return byLesson[l.id] && byLesson[l.id].passed; }).length;
        root.appendChild(el("h2", {}, topic.title + " (" + say(T.topicCount, { passed: done, total: topic.lessons.length }) + ")"));
        var list = el("ul", { "class": "kns-progress-list" });
        topic.lessons.forEach(function (lesson) { list.appendChild(row(lesson.id, byLesson[lesson.id])); });
        root.appendChild(list);
      });
      var others = Object.keys(byLesson).filter(function (id) { return !titles[id]; });
      if (others.length) {
        root.appendChild(el("h2", {}, T.other));
        var list = el("ul", { "class": "kns-progress-list" });
        others.forEach(function (id) { list.appendChild(row(id, byLesson[id])); });
        root.appendChild(list);
      }

      var actions = el("section", { "class": "kns-actions" });
      actions.appendChild(el("a", { "class": "md-button md-button--primary", href: root.getAttribute("data-passport") }, T.passport));
      classResults(actions);
      actions.appendChild(el("p", {}, T.saveHint));
      var exportButton = el("button", { type: "button", "class": "md-button kns-export" }, T.exportButton);
      exportButton.addEventListener("click", exportRecord);
      actions.appendChild(exportButton);
      var label = el("label", { "class": "md-button kns-import", "for": "kns-import-file" }, T.importLabel);
      var input = el("input", { type: "file", id: "kns-import-file", accept: ".json,application/json", "class": "kns-visually-hidden" });
      input.addEventListener("change", function () { if (input.files[0]) importRecord(input.files[0]); });
      actions.appendChild(label);
      actions.appendChild(input);
      actions.appendChild(el("p", { "class": "kns-import-message", role: "status", id: "kns-import-message" }));
      root.appendChild(actions);
    }

    // Results of a class that have not reached the facilitator are never passed over in silence.
    function classResults(box) {
      if (!KNS.classMode.refused) return; // kns-class.js keeps them; the passport page has no use for it
      var waiting = KNS.classMode.outbox().length;
      var kept = KNS.classMode.refused().length;
      if (!waiting && !kept) return;
      var summary = el("div", { "class": "kns-class-results", role: "status" });
      if (waiting) summary.appendChild(el("p", { "class": "kns-waiting" }, say(T.waiting, { count: waiting })));
      if (kept) summary.appendChild(el("p", { "class": "kns-refused" }, say(T.refused, { count: kept })));
      summary.appendChild(el("a", { href: new URL(KNS.lang === "en" ? "en/join-class/" : "tham-gia-lop/", KNS.root).href }, T.classPage));
      box.appendChild(summary);
    }

    function row(id, s) {
      var item = el("li", { "class": s ? (s.passed ? "kns-state--passed" : "kns-state--tried") : "kns-state--new" });
      item.appendChild(lessonLink(id));
      var state = s ? (s.passed ? "✓ " + T.passed : T.tried) : T.notYet;
      var details = s ? " · " + say(T.best, { score: s.score, total: s.total }) + " · " + say(T.last, { date: formatDate(s.last) }) : "";
      item.appendChild(el("span", { "class": "kns-meta" }, state + details));
      return item;
    }

    function exportRecord() {
      var payload = {
        format: "kynangso-progress", version: 1, exported_at: new Date().toISOString(),
        attempts: KNS.store.attempts(),
        waiting: KNS.classMode.refused ? KNS.classMode.outbox() : [],
        refused: KNS.classMode.refused ? KNS.classMode.refused() : []
      };
      var blob = new Blob([JSON.stringify(payload, null, 1)], { type: "application/json" });
      var link = el("a", { href: URL.createObjectURL(blob), download: "kynangso-tien-do-" + new Date().toISOString().slice(0, 10) + ".json" });
      document.body.appendChild(link);
      link.click();
      link.remove();
    }

    function importRecord(file) {
      var reader = new FileReader();
      reader.onload = function () {
        var message = document.getElementById("kns-import-message");
        var payload;
        try { payload = JSON.parse(reader.result); } catch (err) { payload = null; }
        if (!payload || payload.format !== "kynangso-progress" || !Array.isArray(payload.attempts)) {
          message.textContent = T.importBad;
          return;
        }
        var valid = payload.attempts.filter(KNS.store.isAttempt);
        var added = KNS.store.merge(valid);
        keepClassResults(payload);
        renderProgress(progressRoot);
        document.getElementById("kns-import-message").textContent = say(T.imported, { added: added, known: valid.length - added });
      };
      reader.readAsText(file);
    }

    // Class results from the old phone come along, merged by id: still waiting ones wait (and are
    // sent) here, the class server counting each id once; refused ones stay kept aside.
    function keepClassResults(payload) {
      var M = KNS.classMode;
      if (!M.refused) return;
      var waiting = M.outbox(), kept = M.refused(), known = {};
      waiting.concat(kept.map(function (r) { return r.item; })).forEach(function (x) { known[x.id] = true; });
      var fresh = (Array.isArray(payload.waiting) ? payload.waiting : []).filter(function (x) {
        return M.isCompletion(x) && !known[x.id];
      });
      var refused = (Array.isArray(payload.refused) ? payload.refused : []).filter(function (r) {
        return r && M.isCompletion(r.item) && !known[r.item.id] && r.status >= 400 && r.status < 500;
      });
      if (fresh.length) KNS.store.writeJSON(M.OUTBOX_KEY, waiting.concat(fresh));
      if (refused.length) M.keepRefused(kept.concat(refused));
      if (fresh.length) document.dispatchEvent(new CustomEvent("kns:queued"));
    }

    // ------------------------------------------------------------ passport
    // The QR code carries the passed lessons in the address's fragment, so scanning it opens
    // this page on the team member's phone without sending anything anywhere.
    function encode(name, passed) {
      return "1~" + encodeURIComponent(name) + "~" + passed.map(function (s) {
        return s.id + "." + s.score + "." + s.total + "." + s.passedAt.slice(0, 10).replace(/-/g, "");
      }).join("~");
    }

    function decode(text) {
      var parts = text.split("~");
      if (parts[0] !== "1" || parts.length < 2) return null;
      var lessons = [];
      for (var i = 2; i < parts.length; i++) {
        var m = /^([a-z0-9]+(?:-[a-z0-9]+)*)\.(\d+)\.(\d+)\.(\d{8})$/.exec(parts[i]);
        // a link is made by this site from a kept attempt: a score above the total (99/5) or a
        // lesson this site does not have means the link was damaged or made up
        if (!m || !titles[m[1]] || +m[3] < 1 || +m[3] > 1000 || +m[2] > +m[3]) return null;
        var passedAt = m[4].slice(0, 4) + "-" + m[4].slice(4, 6) + "-" + m[4].slice(6);
        if (isNaN(Date.parse(passedAt))) return null;
        lessons.push({ id: m[1], score: +m[2], total: +m[3], passedAt: passedAt });
      }
      var name;
      try { name = decodeURIComponent(parts[1]); } catch (err) { return null; }
      return { name: name, lessons: lessons };
    }

    function passedList(lessons) {
      var list = el("ol", { "class": "kns-passport-list" });
      lessons.forEach(function (s) {
        var item = el("li");
        item.appendChild(lessonLink(s.id));
        item.appendChild(el("span", { "class": "kns-meta" }, " · " + s.score + "/" + s.total + " · " + T.date + " " + formatDate(s.passedAt)));
        list.appendChild(item);
      });
      return list;
    }

    function renderPassport(root) {
      root.textContent = "";
      var hash = location.hash.indexOf("#p=") === 0 ? location.hash.slice(3) : "";
      if (hash) {
        var shared = decode(hash);
        if (!shared) {
          root.appendChild(el("p", { role: "alert" }, T.badLink));
          return;
        }
        root.appendChild(el("h2", {}, T.shared));
        if (shared.name) root.appendChild(el("p", { "class": "kns-passport-name" }, T.sharedName + ": " + shared.name));
        root.appendChild(passedList(shared.lessons));
        return;
      }
      var byLesson = summary(KNS.store.attempts());
      var passed = Object.keys(byLesson).map(function (id) { return byLesson[id]; })
        .filter(function (s) { return s.passed; })
        .sort(function (a, b) { return a.passedAt < b.passedAt ? -1 : 1; });

      var nameLabel = el("label", { "for": "kns-name", "class": "kns-name-label" }, T.name);
      var nameInput = el("input", { id: "kns-name", type: "text", maxlength: "80", autocomplete: "name", "class": "kns-name" });
      nameInput.value = KNS.store.readJSON("kns:v1:name", function (v) { return typeof v === "string" && v.length <= 80; }) || "";
      var nameShown = el("p", { "class": "kns-passport-name kns-print-only" }, nameInput.value);
      root.appendChild(nameLabel);
      root.appendChild(nameInput);
      root.appendChild(nameShown);

      if (!passed.length) {
        root.appendChild(el("p", {}, T.none));
        var startLink = el("a", { "class": "md-button md-button--primary", href: root.getAttribute("data-progress") }, T.start);
        root.appendChild(startLink);
        return;
      }
      root.appendChild(el("h2", {}, T.lessonsPassed + " (" + passed.length + ")"));
      root.appendChild(passedList(passed));
      var qrBox = el("figure", { "class": "kns-qr" });
      root.appendChild(qrBox);
      var printButton = el("button", { type: "button", "class": "md-button md-button--primary kns-print" }, T.print);
      printButton.addEventListener("click", function () { window.print(); });
      root.appendChild(printButton);

      function drawQr() {
        qrBox.textContent = "";
        if (typeof window.qrcode !== "function") return;
        var url = location.origin + location.pathname + "#p=" + encode(nameInput.value.trim(), passed);
        var qr = make(url);
        if (!qr) { // more than a QR code holds: the lessons still fit without the name
          url = location.origin + location.pathname + "#p=" + encode("", passed);
          qr = make(url);
        }
        if (!qr) return;
        qrBox.innerHTML = qr.createSvgTag({ cellSize: 4, margin: 16, scalable: true, title: { text: T.qr, id: "kns-qr-title" } });
        qrBox.setAttribute("data-url", url);
        qrBox.appendChild(el("figcaption", {}, T.qr));
      }
      function make(url) {
        try {
          var qr = window.qrcode(0, "M");
          qr.addData(url);
          qr.make();
          return qr;
        } catch (err) {
          return null;
        }
      }
      nameInput.addEventListener("input", function () {
        KNS.store.writeJSON("kns:v1:name", nameInput.value.trim() || null);
        nameShown.textContent = nameInput.value;
        drawQr();
      });
      drawQr();
    }
  }

  if (window.KNS && window.KNS.ready) start();
  else document.addEventListener("kns:ready", start);
})();
