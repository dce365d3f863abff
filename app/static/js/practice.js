// Offline practice (docs/practice.md): packs kept in IndexedDB with their pictures in the cache,
// topic practice, marathon, my mistakes and due today with feedback at once from the pack, and
// answers queued with client-made UUIDs, sent on load, on `online` and after each answer. Each
// queued answer carries the owner the device last saw signed in (null: signed out); a sync sends
// the signed-in account's own and the signed-out ones, never another account's.
(function () {
  "use strict";
  var root = document.getElementById("practice-app");
  if (!root || !window.kezekStore || !window.indexedDB) { return; }
  var store = window.kezekStore;
  var T = JSON.parse(root.getAttribute("data-strings"));
  var pageLang = root.getAttribute("data-lang");
  var URLS = {
    pack: root.getAttribute("data-pack-url"),
    answers: root.getAttribute("data-answers-url"),
    due: root.getAttribute("data-due-url"),
    session: root.getAttribute("data-session-url")
  };
  var NAMES = { kk: "Қазақша", ru: "Русский", en: "English" };
  var IMAGES = "kezek-images";
  var BATCH = 100;
  var session = null;
  var syncing = null;

  function $(id) { return document.getElementById(id); }
  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }
  function sizeText(bytes) {
    var mega = bytes >= 1048576;
    return new Intl.NumberFormat(pageLang, {
      style: "unit", unit: mega ? "megabyte" : "kilobyte", maximumFractionDigits: 1
    }).format(mega ? bytes / 1048576 : bytes / 1024);
  }
  function uuid() {
    if (window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 15) | 64;
    bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }
  function shuffle(items) {
    for (var i = items.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var held = items[i]; items[i] = items[j]; items[j] = held;
    }
    return items;
  }
  function stateGet(key, fallback) {
    return store.get("state", key).then(function (value) { return value === undefined ? fallback : value; });
  }

  // Packs: fetched with If-None-Match, kept in IndexedDB; their pictures in the cache the
  // service worker serves them from.
  function cacheImages(pack) {
    var seen = {};
    var urls = pack.questions.map(function (q) { return q.image_url; }).filter(function (url) {
      if (!url || seen[url]) { return false; }
      seen[url] = true;
      return true;
    });
    return caches.open(IMAGES).then(function (cache) {
      return Promise.all(urls.map(function (url) {
        return cache.match(url).then(function (found) {
          if (found) { return found.blob(); }
          return fetch(url).then(function (response) {
            if (!response.ok) { throw new Error("picture " + response.status); }
            return cache.put(url, response.clone()).then(function () { return response.blob(); });
          });
        }).then(function (blob) { return blob.size; });
      }));
    }).then(function (sizes) { return sizes.reduce(function (a, b) { return a + b; }, 0); });
  }

  function fetchPack(lang, category) {
    var key = lang + "-" + category;
    return store.get("packs", key).then(function (old) {
      var headers = old && old.etag ? { "If-None-Match": old.etag } : {};
      var url = URLS.pack + "?lang=" + encodeURIComponent(lang) + "&category=" + encodeURIComponent(category);
      return fetch(url, { headers: headers, cache: "no-store" }).then(function (response) {
        if (response.status === 304 && old) {
          return cacheImages(old.pack).then(function () { return old; });
        }
        if (!response.ok) { throw new Error("pack " + response.status); }
        var etag = response.headers.get("ETag");
        return response.text().then(function (text) {
          var pack = JSON.parse(text);
          return cacheImages(pack).then(function (imageBytes) {
            var record = {
              key: key, lang: lang, category: category, etag: etag, pack: pack,
              bytes: new Blob([text]).size, imageBytes: imageBytes, savedAt: new Date().toISOString()
            };
            return store.put("packs", record).then(function () { return record; });
          });
        });
      });
    });
  }

  function savePacks(event) {
    event.preventDefault();
    var category = $("offline-category").value;
    var langs = Array.prototype.filter.call(document.querySelectorAll("#offline-form input[name=lang]"), function (box) {
      return box.checked;
    }).map(function (box) { return box.value; });
    $("offline-status").textContent = T.saving;
    store.all("packs").then(function (records) {
      var dropped = records.filter(function (r) { return r.category === category && langs.indexOf(r.lang) < 0; });
      return store.remove("packs", dropped.map(function (r) { return r.key; }));
    }).then(function () {
      return Promise.all(langs.map(function (lang) { return fetchPack(lang, category); }));
    }).then(function () {
      return stateGet("choice", null).then(function (choice) {
        return store.put("state", choice || langs[0] + "-" + category, "choice");
      });
    }).then(showStored).then(loadDue).catch(function () {
      showStored().then(function () { $("offline-status").textContent = T.saveFailed; });
    });
  }

  function showStored() {
    return Promise.all([store.all("packs"), stateGet("choice", null)]).then(function (found) {
      var records = found[0];
      var choice = found[1];
      if (!records.length) {
        $("offline-status").textContent = T.nothingStored;
      } else {
        var images = {};
        var total = 0;
        records.forEach(function (r) {
          total += r.bytes;
          images[r.category] = Math.max(images[r.category] || 0, r.imageBytes);  // shared by the languages
        });
        Object.keys(images).forEach(function (c) { total += images[c]; });
        var what = records.map(function (r) { return NAMES[r.lang] + " · " + r.category; }).join(", ");
        $("offline-status").textContent = fmt(T.stored, { what: what, size: sizeText(total) });
      }
      var select = $("practice-lang");
      select.textContent = "";
      records.forEach(function (r) {
        var option = new Option(NAMES[r.lang] + " · " + r.category, r.key);
        option.lang = r.lang;
        select.appendChild(option);
      });
      if (choice && records.some(function (r) { return r.key === choice; })) { select.value = choice; }
      return showTopics();
    });
  }

  function showTopics() {
    var select = $("practice-topic");
    select.textContent = "";
    if (!$("practice-lang").value) { return Promise.resolve(); }
    return store.get("packs", $("practice-lang").value).then(function (record) {
      if (!record) { return; }
      record.pack.topics.forEach(function (topic) { select.appendChild(new Option(topic.name, topic.code)); });
    });
  }

  // Practice: choose the questions, show one, give feedback from the pack, queue the answer.
  function start(mode) {
    var key = $("practice-lang").value;
    $("practice-empty").hidden = true;
    if (!key) { return empty(T.nothingStored); }
    store.put("state", key, "choice");
    return store.get("packs", key).then(function (record) {
      if (!record) { return empty(T.nothingStored); }
      var questions = record.pack.questions;
      var category = record.category;
      if (mode === "topic") {
        var topic = $("practice-topic").value;
        return begin(record, mode, shuffle(questions.filter(function (q) { return q.topic === topic; })), 0);
      }
      if (mode === "marathon") {
        return stateGet("marathon-" + key, 0).then(function (place) {
          return begin(record, mode, questions, place < questions.length ? place : 0);
        });
      }
      var listKey = (mode === "mistakes" ? "mistakes-" : "due-") + category;
      return stateGet(listKey, []).then(function (list) {
        var now = new Date().toISOString();
        var wanted = {};
        list.forEach(function (item) {
          if (mode === "mistakes") { wanted[item] = true; } else if (item.due_at <= now) { wanted[item.question_id] = true; }
        });
        return begin(record, mode, shuffle(questions.filter(function (q) { return wanted[q.id]; })), 0);
      });
    });
  }

  function empty(text) {
    $("practice-question").hidden = true;
    $("practice-empty").textContent = text;
    $("practice-empty").hidden = false;
  }

  function begin(record, mode, items, index) {
    if (!items.length) { return empty(T.empty); }
    session = { record: record, mode: mode, items: items, index: index };
    show();
  }

  function show() {
    var q = session.items[session.index];
    session.answered = false;
    session.shownAt = Date.now();
    $("practice-question").hidden = false;
    $("practice-question").lang = session.record.lang;
    $("question-counter").textContent = fmt(T.question, { n: session.index + 1, total: session.items.length });
    $("question-text").textContent = q.text;
    var holder = $("question-image");
    holder.textContent = "";
    if (q.image_url) {
      var image = document.createElement("img");
      image.className = "question-image";
      image.src = q.image_url;
      image.alt = q.image_alt || "";
      holder.appendChild(image);
    }
    var options = $("question-options");
    options.textContent = "";
    q.options.forEach(function (option) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "practice-option";
      button.textContent = option.text;
      button.setAttribute("data-option-id", option.id);
      button.addEventListener("click", function () { answer(q, option, button); });
      options.appendChild(button);
    });
    $("question-feedback").textContent = "";
    $("question-feedback").className = "feedback";
    $("question-feedback").hidden = true;
    $("question-next").hidden = true;
    $("question-counter").focus();
  }

  // "Rule: …", linked to the official text like on the server's pages (app/templates/macros/reference.html).
  function referenceParagraph(q) {
    var p = document.createElement("p");
    p.appendChild(document.createTextNode(T.reference + " "));
    if (!q.reference_url) {
      p.appendChild(document.createTextNode(q.reference));
      return p;
    }
    var link = document.createElement("a");
    link.href = q.reference_url;
    link.rel = "external noopener";
    link.className = "external-link";
    link.textContent = q.reference;
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " (" + T.officialText + ")";
    link.appendChild(hidden);
    p.appendChild(link);
    return p;
  }

  function answer(q, option, button) {
    if (session.answered) { return; }
    session.answered = true;
    Array.prototype.forEach.call($("question-options").children, function (other, i) {
      other.disabled = true;
      if (q.options[i].correct) { other.classList.add("option--correct"); }
    });
    button.setAttribute("aria-pressed", "true");
    if (!option.correct) { button.classList.add("option--wrong"); }
    var feedback = $("question-feedback");
    feedback.hidden = false;
    feedback.className = "feedback " + (option.correct ? "feedback--right" : "feedback--wrong");
    [option.correct ? T.right : T.wrong, q.explanation].forEach(function (text, i) {
      var p = document.createElement("p");
      p.textContent = text;
      if (i === 0) { p.className = "feedback-verdict"; }
      feedback.appendChild(p);
    });
    feedback.appendChild(referenceParagraph(q));
    $("question-next").hidden = false;
    feedback.focus();
    var item = {
      client_id: uuid(),
      question_id: q.id,
      option_id: option.id,
      answered_at: new Date().toISOString(),
      seconds: Math.round((Date.now() - session.shownAt) / 1000)
    };
    var saved = stateGet("owner", null).then(function (owner) {
      item.owner = owner;
      return store.put("queue", item);
    }).then(function () {
      return remember(session, q, option.correct);
    });
    saved.then(showQueue).then(function () { if (navigator.onLine) { sync(); } });
  }

  // "My mistakes" and "due today" on the device: kept from the server's lists, updated by answers
  // here until the next sync brings the server's again.
  function remember(current, q, correct) {
    var category = current.record.category;
    var jobs = [];
    if (current.mode === "marathon") { jobs.push(store.put("state", current.index + 1, "marathon-" + current.record.key)); }
    jobs.push(Promise.all([stateGet("mistakes-" + category, []), stateGet("streaks-" + category, {})]).then(function (found) {
      var mistakes = found[0];
      var streaks = found[1];
      streaks[q.id] = correct ? (streaks[q.id] || 0) + 1 : 0;
      var listed = mistakes.indexOf(q.id) >= 0;
      if (!correct && !listed) { mistakes.push(q.id); }
      if (correct && listed && streaks[q.id] >= 2) { mistakes.splice(mistakes.indexOf(q.id), 1); }
      return Promise.all([store.put("state", mistakes, "mistakes-" + category), store.put("state", streaks, "streaks-" + category)]);
    }));
    jobs.push(stateGet("due-" + category, []).then(function (due) {
      var rest = due.filter(function (item) { return item.question_id !== q.id; });
      if (!correct) { rest.push({ question_id: q.id, due_at: new Date(Date.now() + 60000).toISOString() }); }
      return store.put("state", rest, "due-" + category);
    }));
    return Promise.all(jobs);
  }

  function next() {
    session.index += 1;
    if (session.index >= session.items.length) {
      session = null;
      return empty(T.done);
    }
    show();
  }

  // Sync: every queued answer, in batches, with the page's CSRF token (fresh from the server, as
  // this page may come from the cache); each answer leaves the queue once the server has it.
  // The queued answers a sync may send for `owner`: its own and those given signed out.
  function sendable(items, owner) {
    return items.filter(function (item) { return !item.owner || item.owner === owner; });
  }

  function showQueue() {
    // Another account's answers wait for that account and are not counted here.
    return Promise.all([store.all("queue"), stateGet("owner", null)]).then(function (found) {
      var waiting = sendable(found[0], found[1]).length;
      var signedIn = root.getAttribute("data-signed-in") === "true";
      $("sync-status").textContent = waiting
        ? fmt(T.waiting, { n: waiting }) + (signedIn ? "" : " " + T.signIn)
        : T.synced;
    });
  }

  function sendAll(token, items) {
    var batches = [];
    for (var i = 0; i < items.length; i += BATCH) { batches.push(items.slice(i, i + BATCH)); }
    return batches.reduce(function (previous, batch) {
      return previous.then(function () {
        return fetch(URLS.answers, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": token },
          body: JSON.stringify({ answers: batch.map(function (item) {
            return {
              client_id: item.client_id, question_id: item.question_id, option_id: item.option_id,
              answered_at: item.answered_at, seconds: item.seconds
            };
          }) })
        }).then(function (response) {
          if (!response.ok) { throw new Error("answers " + response.status); }
          return response.json();
        }).then(function (result) {
          var done = result.stored.concat(result.already_stored, result.rejected.map(function (r) { return r.client_id; }));
          return store.remove("queue", done);
        });
      });
    }, Promise.resolve());
  }

  function sync() {
    if (syncing) { return syncing; }
    syncing = store.all("queue").then(function (items) {
      if (!navigator.onLine) { return; }
      return fetch(URLS.session, { cache: "no-store", credentials: "same-origin" }).then(function (response) {
        return response.json();
      }).then(function (state) {
        root.setAttribute("data-signed-in", state.signed_in ? "true" : "false");
        return store.put("state", state.owner || null, "owner").then(function () {
          if (!state.signed_in) { return; }
          var mine = sendable(items, state.owner);
          return (mine.length ? sendAll(state.csrf_token, mine) : Promise.resolve()).then(loadDue);
        });
      });
    }).catch(function () { /* offline or refused: the queue stays for the next try */ }).then(function () {
      syncing = null;
      return showQueue();
    });
    return syncing;
  }

  function loadDue() {
    if (!navigator.onLine || root.getAttribute("data-signed-in") !== "true") { return Promise.resolve(); }
    return store.all("packs").then(function (records) {
      var categories = {};
      records.forEach(function (r) { categories[r.category] = true; });
      return Promise.all(Object.keys(categories).map(function (category) {
        return fetch(URLS.due + "?category=" + encodeURIComponent(category), { cache: "no-store", credentials: "same-origin" })
          .then(function (response) { if (!response.ok) { throw new Error("due"); } return response.json(); })
          .then(function (lists) {
            return Promise.all([
              store.put("state", lists.due, "due-" + category),
              store.put("state", lists.mistakes, "mistakes-" + category)
            ]);
          });
      }));
    }).catch(function () { /* keep the lists kept on the device */ });
  }

  function showNetwork() {
    $("network-status").textContent = navigator.onLine ? "" : T.offline;
  }

  var chosenMode = "topic";
  Array.prototype.forEach.call(document.querySelectorAll("#practice-form button[name=mode]"), function (button) {
    button.addEventListener("click", function () { chosenMode = button.value; });
  });
  $("practice-form").addEventListener("submit", function (event) {
    event.preventDefault();
    start(chosenMode);
  });
  $("practice-lang").addEventListener("change", showTopics);
  $("offline-form").addEventListener("submit", savePacks);
  $("question-next").addEventListener("click", next);
  window.addEventListener("online", function () { showNetwork(); sync(); });
  window.addEventListener("offline", showNetwork);
  if (window.kezekInstall) {
    var install = $("install-app");
    var offer = function () { install.hidden = false; };
    if (window.kezekInstall.prompt) { offer(); } else { window.kezekInstall.listeners.push(offer); }
    install.addEventListener("click", function () {
      if (window.kezekInstall.prompt) { window.kezekInstall.prompt.prompt(); install.hidden = true; }
    });
  }
  showNetwork();
  showStored().then(showQueue).then(sync);
})();
