/* Slides without reveal.js: arrows, space, page keys, taps; #n in the address keeps the place;
   N shows the facilitator notes. Without JavaScript every slide is shown one after another. */
(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slides > section"));
  if (!slides.length) return;
  document.documentElement.className += " js";
  var count = document.getElementById("kns-count");
  var current = 0;
  function fragments(slide) { return Array.prototype.slice.call(slide.querySelectorAll(".fragment")); }
  function show(index, revealed) {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (slide, n) { slide.hidden = n !== current; });
    fragments(slides[current]).forEach(function (f) { f.classList.toggle("visible", revealed); });
    fit(slides[current]);
    if (count) count.textContent = (current + 1) + " / " + slides.length;
    if (history.replaceState) history.replaceState(null, "", "#" + (current + 1));
  }
  // A slide taller or wider than the screen is shown in smaller type, a step at a time, until
  // everything on it (answers not yet revealed too: they take their place already) is inside.
  function fit(slide) {
    slide.style.fontSize = "";
    for (var scale = 0.95; scale >= 0.5 && overflows(slide); scale -= 0.05) {
      slide.style.fontSize = scale.toFixed(2) + "em";
    }
  }
  function overflows(slide) {
    return slide.scrollHeight > slide.clientHeight + 1 || slide.scrollWidth > slide.clientWidth + 1;
  }
  window.addEventListener("resize", function () { fit(slides[current]); });
  function next() {
    var hidden = fragments(slides[current]).filter(function (f) { return !f.classList.contains("visible"); });
    if (hidden.length) { hidden[0].classList.add("visible"); return; }
    if (current < slides.length - 1) show(current + 1, false);
  }
  function previous() {
    var shown = fragments(slides[current]).filter(function (f) { return f.classList.contains("visible"); });
    if (shown.length) { shown[shown.length - 1].classList.remove("visible"); return; }
    if (current > 0) show(current - 1, true);
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var key = event.key;
    if (key === "ArrowRight" || key === "ArrowDown" || key === "PageDown" || key === " " || key === "Enter") next();
    else if (key === "ArrowLeft" || key === "ArrowUp" || key === "PageUp" || key === "Backspace") previous();
    else if (key === "Home") show(0, false);
    else if (key === "End") show(slides.length - 1, true);
    else if (key === "n" || key === "N") document.body.classList.toggle("show-notes");
    else if ((key === "f" || key === "F") && document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
    else return;
    event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("a")) return;
    if (event.clientX > window.innerWidth / 3) next(); else previous();
  });
  var start = parseInt((location.hash || "#1").slice(1), 10);
  show(isNaN(start) ? 0 : start - 1, false);
})();
