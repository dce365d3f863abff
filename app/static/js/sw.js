// Kezek's service worker. The server prepends `self.KEZEK = {version, shell, pages, practice}`.
//
// - The app shell (CSS, scripts, icons), the practice page and the offline pages (kk, ru, en; the
//   exam's own) are kept at install, in a cache named after the version, so a deploy replaces them.
// - Question pictures are kept in their own cache once a pack is saved; they are served from it.
// - The practice page: network first, the kept copy when offline.
// - Every other page goes to the network; offline, the offline page in the person's language
//   (the exam's says the exam needs the network and offers practice). Exam pages and the API are
//   never cached: the exam stays server-timed, and no answer key is ever kept here.
"use strict";
var SETTINGS = self.KEZEK;
var SHELL = "kezek-shell-" + SETTINGS.version;
var IMAGES = "kezek-images";
var LANGUAGE_KEY = "/__kezek/language";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) {
      return cache.addAll(SETTINGS.shell.concat(SETTINGS.pages));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("kezek-shell-") === 0 && name !== SHELL;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "language" && /^(kk|ru|en)$/.test(data.lang)) {
    event.waitUntil(caches.open(SHELL).then(function (cache) {
      return cache.put(LANGUAGE_KEY, new Response(data.lang));
    }));
  }
});

function language() {
  return caches.open(SHELL).then(function (cache) {
    return cache.match(LANGUAGE_KEY);
  }).then(function (response) { return response ? response.text() : "kk"; });
}

function offlinePage(url) {
  var exam = url.pathname.indexOf("/exam") === 0;
  return language().then(function (lang) {
    return caches.match("/offline?lang=" + lang + (exam ? "&for=exam" : ""), { cacheName: SHELL });
  }).then(function (page) {
    return page || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
  });
}

function practicePage(request) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(SHELL).then(function (cache) { cache.put(SETTINGS.practice, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(SETTINGS.practice, { cacheName: SHELL }).then(function (page) {
      return page || offlinePage(new URL(request.url));
    });
  });
}

function fromCacheFirst(request, cacheName) {
  return caches.open(cacheName).then(function (cache) {
    return cache.match(request, { ignoreSearch: cacheName === IMAGES }).then(function (found) {
      if (found) { return found; }
      return fetch(request).then(function (response) {
        if (response.ok && cacheName === IMAGES) { cache.put(request, response.clone()); }
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) { return; }
  if (url.pathname.indexOf("/questions/images/") === 0) {
    event.respondWith(fromCacheFirst(request, IMAGES));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fromCacheFirst(request, SHELL));
  } else if (request.mode === "navigate") {
    if (url.pathname === SETTINGS.practice) {
      event.respondWith(practicePage(request));
    } else {
      event.respondWith(fetch(request).catch(function () { return offlinePage(url); }));
    }
  }
});
