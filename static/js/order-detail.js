/* relaydash order detail: what htmx alone does not do on this page.
   - lets htmx swap a form that comes back with an error status (422/409/503/404), so the
     user sees the message next to what they typed;
   - says so when a form could not be sent at all (nothing is swapped, the input stays);
   - the comment files: several picks, drag and drop and the phone camera add up to one
     selection with thumbnails and a remove button per file, checked against relay's
     limits before the upload, with a progress bar, and kept when sending fails; photos
     are made small before they are sent (photo-resize.js) unless "send originals" is
     ticked, and the list shows what will be sent;
   - live comments: every 30 s while the page is visible, new comments are added at the
     top of the timeline; the comment form is never touched, so typing is not disturbed;
   - the quick action "Comment" focuses the comment box as well as scrolling to it.
   Every sentence shown comes from data- attributes the server rendered (translated).
   Without this file every form still works as a plain POST. */
(function () {
  "use strict";

  var page = document.querySelector("[data-order-detail]");
  if (!page) return;

  var lang = document.documentElement.lang || "de";

  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  function fileSize(bytes) {
    var units = ["B", "KB", "MB", "GB"];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    var number = new Intl.NumberFormat(lang, { maximumFractionDigits: unit ? 1 : 0 }).format(value);
    return number + "\u00a0" + units[unit];
  }

  // --- Error answers are forms to show, not failures to hide ------------------------------

  // (Swapped by app.js's one rule: these answers carry X-Relaydash-Swap.)

  // Where a failure is said: in the form that was sent, or in the part whose link asked.
  function failureHome(element) {
    if (!(element instanceof Element)) return null;
    return element.closest("form") || element.closest(".order-part");
  }

  function showSendFailure(home, text) {
    if (!home) return;
    var alert = home.querySelector("[data-send-failure]");
    if (!alert) {
      alert = document.createElement("p");
      alert.className = "alert alert-error";
      alert.setAttribute("role", "alert");
      alert.setAttribute("data-send-failure", "");
      alert.setAttribute("tabindex", "-1");
      home.insertBefore(alert, home.firstChild);
    }
    alert.textContent = text || page.getAttribute("data-msg-send-failed") || "";
    alert.focus();
  }

  function clearSendFailure(home) {
    var alert = home ? home.querySelector("[data-send-failure]") : null;
    if (alert) alert.remove();
  }

  document.addEventListener("htmx:sendError", function (event) {
    showSendFailure(failureHome(event.detail.elt));
  });
  document.addEventListener("htmx:responseError", function (event) {
    // A plain-text answer is the server's own sentence (relay unavailable, ...).
    var xhr = event.detail.xhr;
    var type = xhr ? xhr.getResponseHeader("Content-Type") || "" : "";
    var text = type.indexOf("text/plain") === 0 ? xhr.responseText : "";
    showSendFailure(failureHome(event.detail.elt), text);
  });

  // --- Comment files ------------------------------------------------------------------

  function newSelection() {
    try {
      return new DataTransfer();
    } catch (error) {
      return null; // very old browser: the plain file inputs keep working
    }
  }

  var selection = newSelection();
  var keepSelection = false;
  var thumbnails = [];
  // The selection holds what the user chose; what is sent is each photo's small version
  // (made in photo-resize.js's worker) unless the user ticked "send originals".
  var small = {};
  var shrinking = {};
  var sendOriginals = false;
  var sendWhenReady = false;

  function commentForm() {
    return document.querySelector("[data-comment-form]");
  }

  function fileKey(file) {
    return [file.name, file.size, file.lastModified].join("|");
  }

  function selectedFiles() {
    return selection ? Array.prototype.slice.call(selection.files) : [];
  }

  function sentFile(file) {
    var ready = sendOriginals ? null : small[fileKey(file)];
    return ready && ready.file ? ready.file : file;
  }

  function sentFiles() {
    return selectedFiles().map(sentFile);
  }

  function preparing() {
    return !sendOriginals && selectedFiles().some(function (file) { return shrinking[fileKey(file)]; });
  }

  function prepare(files) {
    var photos = window.relaydashPhotos;
    if (!photos) return;
    files.forEach(function (file) {
      var key = fileKey(file);
      if (!photos.isPhoto(file) || small[key] || shrinking[key]) return;
      shrinking[key] = true;
      photos.shrink(file)
        .then(function (made) { small[key] = { file: made }; }, function () { small[key] = { failed: true }; })
        .then(function () {
          delete shrinking[key];
          sync();
          var form = commentForm();
          if (sendWhenReady && form && !preparing()) {
            sendWhenReady = false;
            form.requestSubmit();
          }
        });
    });
  }

  function totalBytes() {
    return sentFiles().reduce(function (sum, file) { return sum + file.size; }, 0);
  }

  function limitError(form) {
    var maxFiles = Number(form.getAttribute("data-max-files"));
    var maxBytes = Number(form.getAttribute("data-max-bytes"));
    var count = selectedFiles().length;
    if (count > maxFiles) return format(form.getAttribute("data-msg-too-many"), { count: count });
    var total = totalBytes();
    if (total > maxBytes) return format(form.getAttribute("data-msg-too-large"), { size: fileSize(total) });
    return "";
  }

  function addFiles(files) {
    if (!selection) return;
    var known = {};
    selectedFiles().forEach(function (file) { known[fileKey(file)] = true; });
    Array.prototype.forEach.call(files, function (file) {
      if (!known[fileKey(file)]) {
        selection.items.add(file);
        known[fileKey(file)] = true;
      }
    });
    sync();
  }

  function removeFile(index) {
    var next = newSelection();
    var removed = null;
    selectedFiles().forEach(function (file, position) {
      if (position === index) removed = file;
      else next.items.add(file);
    });
    selection = next;
    sync();
    return removed;
  }

  function thumbnail(file) {
    if (file.type && file.type.indexOf("image/") === 0) {
      var image = document.createElement("img");
      var url = URL.createObjectURL(file);
      thumbnails.push(url);
      image.src = url;
      image.alt = "";
      image.className = "chosen-file__thumb";
      return image;
    }
    var tag = document.createElement("span");
    tag.className = "chosen-file__thumb attachment__icon";
    tag.setAttribute("aria-hidden", "true");
    var dot = file.name.lastIndexOf(".");
    tag.textContent = dot > 0 ? file.name.slice(dot + 1, dot + 5).toUpperCase() : "FILE";
    return tag;
  }

  // What the list says under a file's name: its size, and for a photo how it is sent.
  function sizeText(form, chosen, file) {
    var state = sendOriginals ? null : small[fileKey(chosen)];
    if (!sendOriginals && shrinking[fileKey(chosen)]) return form.getAttribute("data-msg-shrinking");
    if (state && state.failed) return fileSize(file.size) + " \u2013 " + form.getAttribute("data-msg-shrink-failed");
    if (file !== chosen) return format(form.getAttribute("data-msg-shrunk"), { size: fileSize(file.size), original: fileSize(chosen.size) });
    return fileSize(file.size);
  }

  function render(form) {
    var list = form.querySelector("[data-file-list]");
    var summary = form.querySelector("[data-file-summary]");
    var error = form.querySelector("[data-file-error]");
    thumbnails.forEach(function (url) { URL.revokeObjectURL(url); });
    thumbnails = [];
    list.textContent = "";
    list.setAttribute("aria-busy", String(preparing()));
    selectedFiles().forEach(function (chosen, index) {
      var file = sentFile(chosen);
      var item = document.createElement("li");
      item.className = "chosen-file";
      var text = document.createElement("span");
      var name = document.createElement("span");
      name.className = "chosen-file__name";
      name.textContent = file.name;
      var size = document.createElement("span");
      size.className = "chosen-file__size";
      size.textContent = sizeText(form, chosen, file);
      text.appendChild(name);
      text.appendChild(size);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-secondary btn-small";
      remove.setAttribute("data-remove-file", String(index));
      remove.setAttribute("aria-label", format(form.getAttribute("data-msg-remove"), { name: file.name }));
      remove.textContent = form.getAttribute("data-msg-remove-button") || "×";
      // No thumbnail of a photo still being made small: it would show what is not sent.
      item.appendChild(thumbnail(!sendOriginals && shrinking[fileKey(chosen)] ? { name: file.name } : file));
      item.appendChild(text);
      item.appendChild(remove);
      list.appendChild(item);
    });
    var count = selectedFiles().length;
    summary.textContent = count
      ? format(form.getAttribute("data-msg-summary"), { count: count, size: fileSize(totalBytes()) })
      : "";
    var message = limitError(form);
    error.textContent = message;
    error.hidden = !message;
    var zone = form.querySelector("[data-drop-zone]");
    if (zone) zone.classList.toggle("field-invalid", Boolean(message));
  }

  function sync() {
    var form = commentForm();
    if (!form || !selection) return;
    if (!sendOriginals) prepare(selectedFiles());
    var sent = newSelection();
    sentFiles().forEach(function (file) { sent.items.add(file); });
    var input = form.querySelector("[data-file-input]");
    input.files = sent.files;
    render(form);
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !selection) return;
    if (input.hasAttribute("data-file-input")) {
      // The browser replaced the input's files with this pick: add it to the selection.
      addFiles(Array.prototype.slice.call(input.files));
    } else if (input.hasAttribute("data-camera-input")) {
      addFiles(Array.prototype.slice.call(input.files));
      input.value = ""; // the photo now travels with the other files, not twice
    } else if (input.hasAttribute("data-send-originals")) {
      sendOriginals = input.checked;
      sync();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-remove-file]") : null;
    if (!button) return;
    var form = commentForm();
    var index = Number(button.getAttribute("data-remove-file"));
    var removed = removeFile(index);
    if (!form) return;
    var summary = form.querySelector("[data-file-summary]");
    if (removed && summary) {
      summary.textContent = format(form.getAttribute("data-msg-removed"), { name: sentFile(removed).name }) +
        (summary.textContent ? " " + summary.textContent : "");
    }
    var buttons = form.querySelectorAll("[data-remove-file]");
    var next = buttons[Math.min(index, buttons.length - 1)] || form.querySelector("[data-file-input]");
    if (next) next.focus();
  });

  function dropZoneOf(event) {
    var target = event.target instanceof Element ? event.target.closest("[data-comment-form]") : null;
    return target ? target.querySelector("[data-drop-zone]") : null;
  }

  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var zone = dropZoneOf(event);
      if (!zone || !selection) return;
      event.preventDefault();
      zone.classList.add("is-dragover");
    });
  });
  document.addEventListener("dragleave", function (event) {
    var zone = dropZoneOf(event);
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("is-dragover");
  });
  document.addEventListener("drop", function (event) {
    var zone = dropZoneOf(event);
    if (!zone || !selection) return;
    event.preventDefault();
    zone.classList.remove("is-dragover");
    if (event.dataTransfer && event.dataTransfer.files.length) addFiles(event.dataTransfer.files);
  });

  function isCommentForm(element) {
    return element instanceof Element && element.hasAttribute("data-comment-form");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (isCommentForm(form)) {
      if (selection && preparing()) {
        // Sent by itself as soon as the photos are small (prepare above).
        event.preventDefault();
        sendWhenReady = true;
        form.querySelector("[data-file-summary]").textContent = form.getAttribute("data-msg-send-when-ready");
        return;
      }
      var message = selection ? limitError(form) : "";
      if (message) {
        // Refused before a byte is sent: the user fixes the selection first.
        event.preventDefault();
        render(form);
        var error = form.querySelector("[data-file-error]");
        error.setAttribute("tabindex", "-1");
        error.focus();
        return;
      }
      keepSelection = true;
      var wrap = form.querySelector("[data-upload-progress-wrap]");
      var bar = form.querySelector("[data-upload-progress]");
      if (wrap && bar && selectedFiles().length) {
        bar.value = 0;
        bar.hidden = false;
        wrap.hidden = false;
      }
    }
    clearSendFailure(failureHome(form));
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target;
    if (!isCommentForm(form) || !event.detail.lengthComputable || !event.detail.total) return;
    var bar = form.querySelector("[data-upload-progress]");
    var text = form.querySelector("[data-upload-progress-text]");
    var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
    if (bar && percent >= bar.value) {
      bar.value = percent;
      if (text) text.textContent = format(form.getAttribute("data-msg-uploading"), { percent: percent + "\u00a0%" });
    }
    if (bar && event.detail.loaded >= event.detail.total) {
      // Every byte is out: what is left is relay's answer, not the upload.
      bar.hidden = true;
      if (text) text.textContent = form.getAttribute("data-msg-uploaded") || "";
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!isCommentForm(form)) return;
    var wrap = form.querySelector("[data-upload-progress-wrap]");
    if (wrap) wrap.hidden = true;
  });

  // The server's HX-Trigger after a posted comment: the selection went out with it.
  document.body.addEventListener("commentPosted", function () {
    keepSelection = false;
    selection = newSelection();
    small = {};
    sendOriginals = false;
  });

  // A comment form swapped in: after a failure it gets the user's files back.
  document.addEventListener("htmx:load", function (event) {
    var form = event.detail.elt;
    if (!isCommentForm(form)) return;
    var originals = form.querySelector("[data-send-originals]");
    if (originals) originals.checked = sendOriginals;
    if (keepSelection && selectedFiles().length) {
      sync();
      var note = form.querySelector("[data-files-note]");
      if (note) note.textContent = form.getAttribute("data-msg-kept") || note.textContent;
    } else {
      selection = newSelection();
    }
    keepSelection = false;
  });

  // --- Quick action "Comment" -----------------------------------------------------------

  // The link itself scrolls to the comments; with JavaScript the text box also takes the
  // focus, so the phone's keyboard opens and the worker can start typing. Focused after
  // the jump: following a link to #comments takes the focus away from what had it.
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("[data-quick-comment]") : null;
    var box = link ? document.querySelector("#comment-form textarea") : null;
    if (!box) return;
    window.setTimeout(function () { box.focus({ preventScroll: true }); }, 0);
  });

  // --- Live comments ------------------------------------------------------------------

  var url = page.getAttribute("data-comments-url");
  var seconds = Number(page.getAttribute("data-poll-seconds")) || 30;
  var lastPoll = Date.now();
  var polling = false;

  function commentList() {
    return document.querySelector("[data-comment-list]");
  }

  function newestId(list) {
    var newest = 0;
    list.querySelectorAll("[data-comment-id]").forEach(function (item) {
      var id = Number(item.getAttribute("data-comment-id"));
      if (id > newest) newest = id;
    });
    return newest;
  }

  function announce(count) {
    var region = document.querySelector("[data-comments-announce]");
    if (region) region.textContent = format(page.getAttribute("data-msg-new-comments"), { count: count });
  }

  // What the page shows now, as the server signed it: the patch forms' hidden values
  // (refreshed after every own change), else the page's (people who cannot change it).
  function seenValues() {
    var input = document.querySelector('input[name="seen_values"]');
    return input ? input.value : page.getAttribute("data-seen-values") || "";
  }

  // The order changed in relay meanwhile: say what changed, once, at the top.
  function showChanged(template) {
    var slot = document.querySelector("[data-order-changed-slot]");
    var notice = template.content.querySelector("[data-order-changed]");
    if (!slot || !notice || slot.textContent.trim() === notice.textContent.trim()) return;
    slot.replaceChildren(notice);
  }

  function insert(html) {
    var list = commentList();
    if (!list || !html.trim()) return;
    var template = document.createElement("template");
    template.innerHTML = html;
    showChanged(template);
    var fresh = Array.prototype.filter.call(template.content.querySelectorAll("[data-comment-id]"), function (item) {
      return !document.getElementById(item.id);
    });
    if (!fresh.length) return;
    var empty = list.querySelector("[data-comments-empty]");
    if (empty) empty.remove();
    for (var i = fresh.length - 1; i >= 0; i -= 1) {
      fresh[i].classList.add("is-new");
      list.insertBefore(fresh[i], list.firstChild);
    }
    announce(fresh.length);
  }

  function poll() {
    var list = commentList();
    if (!url || !list || polling || document.visibilityState !== "visible") return;
    polling = true;
    lastPoll = Date.now();
    fetch(url + "?after=" + newestId(list) + "&seen=" + encodeURIComponent(seenValues()), {
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
      cache: "no-store",
    })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(insert)
      .catch(function () { /* offline for a moment: the next tick tries again */ })
      .then(function () { polling = false; });
  }

  window.setInterval(poll, seconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && Date.now() - lastPoll >= seconds * 1000) poll();
  });
})();
