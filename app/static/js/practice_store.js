// IndexedDB for offline practice: "packs" (a pack per language and category, with its size),
// "queue" (answers not yet sent, by their client UUID) and "state" (marathon places, mistakes,
// the due list). Plain promises over the IndexedDB API; no library.
(function () {
  "use strict";
  var NAME = "kezek-practice";
  var opened = null;

  function open() {
    if (opened) { return opened; }
    opened = new Promise(function (resolve, reject) {
      var request = indexedDB.open(NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("packs", { keyPath: "key" });
        db.createObjectStore("queue", { keyPath: "client_id" });
        db.createObjectStore("state");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return opened;
  }

  function run(storeName, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(storeName, mode);
        var result;
        var request = work(transaction.objectStore(storeName));
        if (request) { request.onsuccess = function () { result = request.result; }; }
        transaction.oncomplete = function () { resolve(result); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  window.kezekStore = {
    get: function (store, key) { return run(store, "readonly", function (s) { return s.get(key); }); },
    all: function (store) { return run(store, "readonly", function (s) { return s.getAll(); }); },
    put: function (store, value, key) {
      return run(store, "readwrite", function (s) { return key === undefined ? s.put(value) : s.put(value, key); });
    },
    remove: function (store, keys) {
      return run(store, "readwrite", function (s) { keys.forEach(function (key) { s.delete(key); }); });
    },
    count: function (store) { return run(store, "readonly", function (s) { return s.count(); }); }
  };
})();
