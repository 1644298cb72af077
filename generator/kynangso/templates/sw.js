/* Kỹ năng số service worker: keeps one language's whole site on the phone for learning
 * without internet. Written by the build; the version changes with every change of content,
 * and caches of other versions are deleted when a new version takes over. */
"use strict";

var VERSION = "__KNS_VERSION__";
var PREFIX = "kns-";
var SCOPE = new URL("./", self.location.href);
var COMPLETE = "__kns_pack_complete__/";

function packName(lang) { return PREFIX + lang + "-" + VERSION; }

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(PREFIX) === 0 && name.slice(-(VERSION.length + 1)) !== "-" + VERSION;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.type === "cache-pack" && /^(vi|en)$/.test(message.lang)) {
    event.waitUntil(savePack(message.lang, message.manifest, event.source));
  }
});

async function savePack(lang, manifestUrl, client) {
  var tell = function (message) { if (client) client.postMessage(Object.assign({ lang: lang }, message)); };
  var cache = await caches.open(packName(lang));
  var marker = new URL(COMPLETE + lang, SCOPE).href;
  var complete = await cache.match(marker);
  if (complete) {
    tell({ type: "pack-saved", bytes: (await complete.json()).bytes });
    return;
  }
  try {
    var manifest = await (await fetch(manifestUrl, { cache: "no-store" })).json();
    var queue = manifest.files.slice();
    var total = queue.length;
    var done = 0;
    var worker = async function () {
      while (queue.length) {
        var url = new URL(queue.shift(), SCOPE).href;
        if (!(await cache.match(url))) {
          var response = await fetch(url, { cache: "no-cache" });
          if (!response.ok) throw new Error(url + ": " + response.status);
          await cache.put(url, response);
        }
        done += 1;
        if (done % 10 === 0 || done === total) tell({ type: "pack-progress", done: done, total: total });
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    await cache.put(marker, new Response(JSON.stringify({ bytes: manifest.bytes, version: manifest.version }),
      { headers: { "content-type": "application/json" } }));
    tell({ type: "pack-saved", bytes: manifest.bytes });
  } catch (err) {
    tell({ type: "pack-error", message: String(err) });
  }
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf(SCOPE.pathname + "api/") === 0) return; // class mode talks to the server
  event.respondWith(respond(request, url));
});

// Kept files first: they belong to this version of the site, and nothing waits on a network
// that may be a captive portal or gone; anything not kept comes from the network.
async function respond(request, url) {
  var kept = await caches.match(request, { ignoreSearch: true });
  if (kept) return kept;
  try {
    return await fetch(request);
  } catch (err) {
    if (request.mode === "navigate") {
      var withSlash = url.pathname.slice(-1) === "/" ? null : await caches.match(url.origin + url.pathname + "/");
      if (withSlash) return withSlash;
      var english = url.pathname.indexOf(SCOPE.pathname + "en/") === 0;
      var home = await caches.match(new URL(english ? "en/" : "./", SCOPE).href);
      if (home) return home;
    }
    throw err;
  }
}
