/* Kỹ năng số: the player of a step's recordings (lesson YAML `audio:`), one button per language.
 * Linked only from lessons with recordings. One plays at a time, and the slower speed
 * (0.75×) holds for every recording on the page once chosen. */
(function () {
  "use strict";

  function setupRecordings() {
    var K = window.KNS, WORDS = K.words("recordings"), element = K.element;
    var playing = null, rate = 1;
    var slow = document.querySelectorAll("button.kns-slow");
    document.querySelectorAll(".kns-audio audio").forEach(function (audio) {
      var button = audio.previousElementSibling, name = button.textContent.slice(2);
      audio.controls = false;
      button.hidden = false;
      function shown(on) {
        button.setAttribute("aria-pressed", on ? "true" : "false");
        button.textContent = (on ? "■ " : "▶ ") + name;
      }
      button.addEventListener("click", function () {
        if (!audio.paused) { audio.pause(); return; }
        if (playing && playing !== audio) playing.pause();
        if (window.speechSynthesis) window.speechSynthesis.cancel();
        playing = audio;
        audio.playbackRate = rate;
        var started = audio.play();
        if (started && started.catch) started.catch(function (err) { if (err.name !== "AbortError") failed(); });
      });
      function failed() {
        shown(false);
        var said = button.parentNode.querySelector(".kns-audio-note") || element("p", { "class": "kns-notice kns-audio-note", role: "status" });
        said.textContent = WORDS.failed;
        button.parentNode.appendChild(said);
      }
      audio.addEventListener("play", function () { shown(true); });
      audio.addEventListener("pause", function () { shown(false); });
      audio.addEventListener("ended", function () { shown(false); });
      audio.addEventListener("error", failed);
    });
    slow.forEach(function (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        rate = rate === 1 ? 0.75 : 1;
        if (playing) playing.playbackRate = rate;
        slow.forEach(function (t) { t.setAttribute("aria-pressed", rate === 1 ? "false" : "true"); });
      });
    });
  }

  if (window.KNS && window.KNS.ready) setupRecordings();
  else document.addEventListener("kns:ready", setupRecordings);
})();
