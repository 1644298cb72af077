/* Kỹ năng số class mode on the phone: the "Tham gia lớp" form, and sending the outbox of quiz
 * completions to the facilitator's laptop. What cannot be sent now waits in the local store and
 * goes later, once: the server keeps each completion id once however often it arrives.
 * Loaded by kns.js only on the join page and on phones that are in a class. */
(function () {
  "use strict";
  var KNS = window.KNS;
  var M = KNS.classMode;
  var readJSON = KNS.store.readJSON, writeJSON = KNS.store.writeJSON, element = KNS.element, say = KNS.say;
  var REFUSED_KEY = "kns:v1:outbox-refused";
  var WORDS = {
    vi: {
      classCode: "Mã lớp (6 ký tự)", yourName: "Tên của bạn", joinButton: "Tham gia lớp",
      joined: "Bạn đang học trong lớp {name} (mã {code}) với tên {learner}.",
      pending: "{count} kết quả đang chờ gửi cho người hướng dẫn.", allSent: "Mọi kết quả đã được gửi cho người hướng dẫn.",
      leave: "Rời lớp", noClass: "Không tìm thấy lớp có mã này. Hãy hỏi lại người hướng dẫn.",
      badName: "Hãy nhập tên từ 1 đến 80 ký tự.", offline: "Không kết nối được máy chủ lớp học. Hãy nối Wi-Fi của lớp rồi thử lại."
    },
    en: {
      classCode: "Class code (6 characters)", yourName: "Your name", joinButton: "Join the class",
      joined: "You are in the class {name} (code {code}) as {learner}.",
      pending: "{count} results are waiting to be sent to the facilitator.", allSent: "Every result has been sent to the facilitator.",
      leave: "Leave the class", noClass: "There is no class with this code. Ask the facilitator again.",
      badName: "Enter a name of 1 to 80 characters.", offline: "Cannot reach the class server. Join the class Wi-Fi and try again."
    }
  }[KNS.lang];
  var flushing = false;

  function apiUrl(path) { return new URL("api/v1/" + path, KNS.root).href; }

  function flushOutbox() {
    var waiting = M.outbox();
    if (flushing || !waiting.length) return;
    flushing = true;
    var item = waiting[0];
    fetch(apiUrl("completions"), {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(item), cache: "no-store"
    }).then(function (response) {
      var final = response.ok || (response.status >= 400 && response.status < 500 &&
        response.status !== 408 && response.status !== 429);
      if (final) {
        writeJSON(M.OUTBOX_KEY, M.outbox().filter(function (x) { return x.id !== item.id; }));
        if (!response.ok) {
          var refused = readJSON(REFUSED_KEY);
          writeJSON(REFUSED_KEY, (Array.isArray(refused) ? refused : []).concat([{ item: item, status: response.status }]));
        }
      }
      flushing = false;
      document.dispatchEvent(new CustomEvent("kns:outbox"));
      if (final) flushOutbox();
    }, function () {
      flushing = false; // offline or the server is away: the next try comes by itself
    });
  }

  function setupJoin(root) {
    root.textContent = "";
    var joined = M.current();
    if (joined) {
      root.appendChild(element("p", { "class": "kns-joined" }, say(WORDS.joined, { name: joined.class_name || joined.code, code: joined.code, learner: joined.name })));
      var pending = element("p", { "class": "kns-pending", role: "status" });
      var update = function () {
        var count = M.outbox().length;
        pending.textContent = count ? say(WORDS.pending, { count: count }) : WORDS.allSent;
      };
      update();
      document.addEventListener("kns:outbox", update);
      root.appendChild(pending);
      var leave = element("button", { type: "button", "class": "md-button kns-leave" }, WORDS.leave);
      leave.addEventListener("click", function () { writeJSON(M.CLASS_KEY, null); setupJoin(root); });
      root.appendChild(leave);
      return;
    }
    var form = element("form", { "class": "kns-join-form", novalidate: "" });
    var codeLabel = element("label", { "for": "kns-class-code" }, WORDS.classCode);
    var code = element("input", { id: "kns-class-code", name: "code", autocomplete: "off", autocapitalize: "characters", maxlength: "6", "class": "kns-name", required: "" });
    var nameLabel = element("label", { "for": "kns-learner-name" }, WORDS.yourName);
    var name = element("input", { id: "kns-learner-name", name: "name", autocomplete: "name", maxlength: "80", "class": "kns-name", required: "" });
    var submit = element("button", { type: "submit", "class": "md-button md-button--primary" }, WORDS.joinButton);
    var message = element("p", { "class": "kns-join-message", role: "alert" });
    var fromQr = /^#(?:code=)?([A-Za-z0-9]{6})$/.exec(location.hash);
    if (fromQr) code.value = fromQr[1].toUpperCase();
    [codeLabel, code, nameLabel, name, submit, message].forEach(function (node) { form.appendChild(node); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var classCode = code.value.trim().toUpperCase();
      var learner = name.value.trim();
      if (!learner || learner.length > 80) { message.textContent = WORDS.badName; return; }
      fetch(apiUrl("classes/" + encodeURIComponent(classCode) + "/learners"), {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: learner })
      }).then(function (response) {
        if (response.status === 404) throw new Error(WORDS.noClass);
        if (response.status === 422) throw new Error(WORDS.badName);
        if (!response.ok) throw new Error(WORDS.offline);
        return response.json();
      }).then(function (body) {
        writeJSON(M.CLASS_KEY, { code: classCode, class_name: body.class_name, learner_id: body.learner_id, name: learner, joined_at: new Date().toISOString() });
        setupJoin(root);
        flushOutbox();
      }).catch(function (err) {
        message.textContent = err instanceof TypeError ? WORDS.offline : err.message;
      });
    });
    root.appendChild(form);
  }


  var joinRoot = document.getElementById("kns-join");
  if (joinRoot) setupJoin(joinRoot);
  flushOutbox();
  document.addEventListener("kns:queued", flushOutbox);
  window.addEventListener("online", flushOutbox);
  window.setInterval(flushOutbox, 20000);
})();
