/* Kỹ năng số, the home page only: "Học tiếp: <lesson>" for a resident who has passed lessons,
 * the first lesson of the course order not yet passed, read from the local store by kns.js.
 * Kept out of kns.js so lesson pages do not carry it. */
(function () {
  "use strict";

  function start() {
    var link = document.querySelector(".kns-continue");
    var orderNode = document.querySelector("script.kns-order");
    if (!link || !orderNode || !window.KNS) return;
    var order;
    try { order = JSON.parse(orderNode.textContent); } catch (err) { return; }
    var passed = {};
    window.KNS.store.attempts().forEach(function (a) { if (a.passed) passed[a.lesson] = true; });
    if (!Object.keys(passed).length) return; // a first visit: "Bắt đầu học" is the way in
    var next = order.filter(function (lesson) { return !passed[lesson[0]]; })[0];
    if (!next) return;
    link.href = "lessons/" + next[0] + "/";
    link.textContent = window.KNS.say(link.getAttribute("data-words"), { title: next[1] });
    link.hidden = false;
    // the continuing resident's way is the first; the first lesson stays as the second
    document.querySelector(".kns-first").classList.remove("md-button--primary");
    link.parentNode.insertBefore(link, link.parentNode.firstChild);
  }

  if (window.KNS && window.KNS.ready) start(); else document.addEventListener("kns:ready", start);
})();
