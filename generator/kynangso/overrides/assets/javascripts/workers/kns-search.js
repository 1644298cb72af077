/* Kỹ năng số: a stand-in for Material's search worker, so that a page costs no search index
 * and no search engine until the resident searches. It says READY (1) at once and answers
 * empty queries itself; the first real QUERY (2) fetches the index of the page's language
 * and Material's worker (beside this file: the build writes its name and the index's address
 * in place of the markers, in one copy of this file per language, as a worker served by the
 * offline pack does not see its own query string), replays SETUP (0) to it, and from then on
 * hands it every message, each query weighed by kns-rank.js (loaded with Material's worker).
 * Message types: Material's, 9.x. */
"use strict";
(function () {
  var MATERIAL = "__KNS_MATERIAL_WORKER__";
  var INDEX = "__KNS_SEARCH_INDEX__";
  var suggest = /[?&]suggest(&|$)/.test(location.search);
  var post = postMessage.bind(self);
  var setup = null; // the index, if the page sent it itself
  var material = null; // Material's message handler, once its index is built
  var waiting = null; // the latest query asked meanwhile
  var loading = false;

  function ask(handler, message) {
    if (message.type !== 2) return handler({ data: message });
    handler({ data: { type: 2, data: self.knsWeighed(message.data) } });
  }

  function done(handler) {
    material = handler;
    loading = false;
    if (waiting) ask(handler, waiting);
    waiting = null;
  }

  function load() {
    loading = true;
    (setup ? Promise.resolve(setup) : fetch(INDEX).then(function (response) {
      if (!response.ok) throw new Error(INDEX + ": " + response.status);
      return response.json();
    })).then(function (index) {
      var handler;
      var listen = self.addEventListener;
      self.addEventListener = function (type, listener) { handler = listener; }; // Material's "message"
      try { importScripts(MATERIAL, "kns-rank.js"); } finally { self.addEventListener = listen; }
      self.postMessage = function (message) { // Material's READY: the page had ours already
        if (message.type === 1) done(handler); else post(message);
      };
      handler({ data: { type: 0, data: { config: index.config, docs: index.docs, options: { suggest: suggest } } } });
    }).catch(function (err) {
      loading = false; // offline without the pack, say: the next query tries again
      if (waiting) post({ type: 3, data: { items: [] } });
      waiting = null;
      console.warn("search unavailable:", err);
    });
  }

  addEventListener("message", function (event) {
    var message = event.data || {};
    if (material) return ask(material, message);
    if (message.type === 0) setup = message.data;
    if (message.type !== 2) return;
    if (!String(message.data).trim()) return post({ type: 3, data: { items: [] } });
    waiting = message;
    if (!loading) load();
  });
  post({ type: 1 });
})();
