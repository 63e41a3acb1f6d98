// Evidence files on the submission page, as an enhancement of the plain form (which still posts files whole):
// - a chosen file is checked at once, in the browser, against the part's accepted types and the size limits,
//   with a message saying what to do instead (a link, for a video too large to upload);
// - "Upload" sends the file in pieces (the resumable protocol of credstack.assessment.uploads) with a progress
//   bar, resumes after a dropped connection (also after a reload, choosing the same file again), and updates the
//   part in place: the page does not reload and does not jump to the top.
(function () {
  "use strict";
  var form = document.querySelector("form[data-uploads]");
  if (!form || !window.fetch || !window.Blob || !Blob.prototype.slice) return;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var announcer = document.getElementById("upload-announcer");

  // By file name: what the server's content check will accept for each kind (it has the final say).
  var EXTENSIONS = {
    document: ["pdf", "docx", "odt", "txt", "text", "md"],
    image: ["png", "jpg", "jpeg", "gif", "webp"],
    video: ["mp4", "m4v", "mov", "webm"],
    audio: ["mp3", "m4a", "wav", "ogg", "oga"],
    spreadsheet: ["xlsx", "ods"],
    presentation: ["pptx", "odp"]
  };
  var LABELS = {
    document: "PDF, Word (.docx), OpenDocument text (.odt) or plain text",
    image: "PNG, JPEG, GIF or WebP",
    video: "MP4, MOV or WebM",
    audio: "MP3, M4A, WAV or Ogg",
    spreadsheet: "Excel (.xlsx) or OpenDocument spreadsheet (.ods)",
    presentation: "PowerPoint (.pptx) or OpenDocument presentation (.odp)"
  };

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }
  function mb(bytes) {
    if (bytes >= 1024 * 1024 * 1024) return (bytes / (1024 * 1024 * 1024)).toFixed(1).replace(/\.0$/, "") + " GB";
    return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "") + " MB";
  }
  function extension(name) {
    var dot = name.lastIndexOf(".");
    return dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
  }
  function kindsOf(input) {
    return (input.getAttribute("data-kinds") || "").split(",").filter(Boolean);
  }
  function kindOf(file) {
    var ext = extension(file.name);
    for (var kind in EXTENSIONS) {
      if (EXTENSIONS[kind].indexOf(ext) >= 0) return kind;
    }
    if (file.type.indexOf("video/") === 0) return "video";
    return "";
  }
  function partTitle(input) {
    var section = input.closest("section.artifact");
    var heading = section && section.querySelector("h3");
    return heading ? heading.textContent.trim() : "This part";
  }
  function checkMessage(input, file) {
    var kinds = kindsOf(input);
    var kind = kindOf(file);
    var fileKinds = kinds.filter(function (k) { return k !== "link"; });
    var link = input.getAttribute("data-link-field");
    var instead = link
      ? " Put it on a video or file service (an unlisted YouTube or Vimeo video, your school's shared drive) and " +
        "paste its address into “…or a link” below."
      : " Make it smaller (shorter, or exported at a lower resolution) and choose it again.";
    if (kind && fileKinds.indexOf(kind) < 0) {
      return "“" + file.name + "” looks like " + (kind === "video" ? "a video" : "a file of another kind") + "; “" +
        partTitle(input) + "” accepts " + fileKinds.map(function (k) { return LABELS[k] || k; }).join("; ") + "." +
        (link ? " It also accepts a link." : "");
    }
    var isVideo = kind === "video" && fileKinds.indexOf("video") >= 0;
    var limit = parseInt(input.getAttribute(isVideo ? "data-max-video-bytes" : "data-max-bytes"), 10);
    if (limit && file.size > limit) {
      return "“" + file.name + "” is " + mb(file.size) + "; " + (isVideo ? "a video" : "a file") + " may be at most " +
        mb(limit) + "." + instead;
    }
    return "";
  }

  function parts(input) {
    var id = input.id;
    return {
      check: document.getElementById(id + "-check"),
      box: document.getElementById(id + "-progress"),
      bar: document.getElementById(id + "-bar"),
      label: document.getElementById(id + "-bar-label"),
      status: document.getElementById(id + "-bar-status")
    };
  }

  function showCheck(input, message) {
    var p = parts(input);
    p.check.textContent = message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  // Checked as soon as a file is chosen: nothing is sent that the server would refuse for its size or type.
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-kinds]")) return;
    var file = input.files && input.files[0];
    var message = file ? checkMessage(input, file) : "";
    showCheck(input, message);
    if (message) {
      input.value = "";
      var link = document.getElementById(input.getAttribute("data-link-field") || "");
      if (link) link.setAttribute("aria-describedby", input.id + "-check");
    }
  });

  function request(method, url, body, headers) {
    var all = {"X-CSRFToken": csrf, "Accept": "application/json"};
    for (var name in headers || {}) all[name] = headers[name];
    return fetch(url, {method: method, body: body, credentials: "same-origin", headers: all}).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (json) { return {status: r.status, body: json}; });
    });
  }
  function firstError(body) {
    var errors = (body && body.errors) || {};
    var keys = Object.keys(errors);
    return keys.length ? errors[keys[0]] : "The upload failed.";
  }
  function sleep(ms) { return new Promise(function (resolve) { window.setTimeout(resolve, ms); }); }

  // Where an upload of this file to this part stands, kept across reloads of the tab.
  function memoryKey(input, file) {
    return "credstack-upload:" + form.getAttribute("data-uploads") + ":" + input.getAttribute("data-artifact") + ":" +
      file.name + ":" + file.size + ":" + file.lastModified;
  }
  function remember(key, url) {
    try { if (url) sessionStorage.setItem(key, url); else sessionStorage.removeItem(key); } catch (e) { /* private mode */ }
  }
  function recall(key) {
    try { return sessionStorage.getItem(key); } catch (e) { return null; }
  }

  function start(input, file, section) {
    var key = memoryKey(input, file);
    var known = recall(key);
    var begin = known ? request("GET", known).then(function (r) {
      return r.status === 200 ? r.body : null;
    }).catch(function () { return null; }) : Promise.resolve(null);
    return begin.then(function (state) {
      if (state) return state;
      var data = new FormData();
      data.append("artifact", input.getAttribute("data-artifact"));
      data.append("name", file.name);
      data.append("size", String(file.size));
      var title = section.querySelector("[name$='.title']");
      var note = section.querySelector("[name$='.note']");
      data.append("title", title ? title.value : "");
      data.append("note", note ? note.value : "");
      return request("POST", form.getAttribute("data-uploads"), data).then(function (r) {
        if (r.status !== 201) throw new Error(firstError(r.body));
        remember(key, r.body.url);
        return r.body;
      });
    }).then(function (state) { state.key = key; return state; });
  }

  function send(state, file, progress, cancelled) {
    var received = state.received;
    var failures = 0;
    function next() {
      if (cancelled()) return Promise.reject(new Error("cancelled"));
      progress(received);
      if (received >= file.size) return Promise.resolve();
      var end = Math.min(received + state.chunk_bytes, file.size);
      return request("PUT", state.url, file.slice(received, end), {
        "Content-Type": "application/octet-stream",
        "Content-Range": "bytes " + received + "-" + (end - 1) + "/" + file.size
      }).then(function (r) {
        if (r.status === 200 || r.status === 409) {
          if (typeof r.body.received === "number") received = r.body.received;
          failures = 0;
          return next();
        }
        throw Object.assign(new Error(firstError(r.body)), {final: true});
      }, function () {
        // The connection dropped: ask how much arrived, then go on from there.
        failures += 1;
        if (failures > 8) throw new Error("The connection keeps dropping. Choose the same file again and press " +
          "Upload: it goes on from " + Math.floor(100 * received / file.size) + " %.");
        return sleep(Math.min(1000 * failures, 8000)).then(function () {
          return request("GET", state.url).then(function (r) {
            if (r.status === 200) received = r.body.received;
          }, function () { /* still offline: try the piece again */ });
        }).then(next);
      });
    }
    return next();
  }

  // After a finished upload, the part (its list of evidence) and the space used are read from the page again.
  function refresh(section) {
    return fetch(window.location.pathname, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var part = fresh.getElementById(section.id);
        var usage = fresh.getElementById("evidence-usage");
        if (part) section.replaceWith(document.adoptNode(part));
        var oldUsage = document.getElementById("evidence-usage");
        if (usage && oldUsage) oldUsage.replaceWith(document.adoptNode(usage));
        return document.getElementById(section.id);
      });
  }

  function upload(button, input, file) {
    var section = input.closest("section.artifact");
    var p = parts(input);
    var stop = false;
    var cancel = p.box.querySelector("[data-cancel-upload]");
    var state = null;
    var lastAnnounced = -1;
    button.disabled = true;
    input.disabled = true;
    p.box.hidden = false;
    p.bar.value = 0;
    p.label.textContent = "Uploading “" + file.name + "”";
    p.status.textContent = "Starting…";
    function onCancel() {
      stop = true;
      if (state) request("DELETE", state.url).catch(function () { /* the sweep deletes it later */ });
    }
    cancel.addEventListener("click", onCancel, {once: true});
    function progress(received) {
      var percent = file.size ? Math.floor(100 * received / file.size) : 100;
      p.bar.value = percent;
      p.bar.setAttribute("aria-valuetext", percent + " %");
      // The bar moves smoothly; words for screen readers every quarter, not every piece.
      var text = percent + " % — " + mb(received) + " of " + mb(file.size);
      if (Math.floor(percent / 25) !== lastAnnounced) {
        lastAnnounced = Math.floor(percent / 25);
        p.status.textContent = text;
      } else {
        p.status.setAttribute("data-progress", text);
      }
    }
    start(input, file, section).then(function (s) {
      state = s;
      return send(state, file, progress, function () { return stop; });
    }).then(function () {
      p.status.textContent = "Checking the file…";
      return request("POST", state.url + "finish/");
    }).then(function (r) {
      remember(state.key, null);
      if (r.status !== 201) throw Object.assign(new Error(firstError(r.body)), {final: true});
      return refresh(section).then(function (updated) {
        var done = updated && updated.querySelector(".upload-done");
        var message = "Uploaded “" + r.body.title + "” (" + mb(r.body.size) + ").";
        if (done) { done.textContent = message; done.focus({preventScroll: true}); }
        announce(message);
      });
    }).catch(function (error) {
      if (state && error.final) remember(state.key, null);
      button.disabled = false;
      input.disabled = false;
      p.box.hidden = true;
      if (error.message === "cancelled") {
        remember(state && state.key, null);
        showCheck(input, "");
        announce("Upload cancelled.");
        return;
      }
      showCheck(input, error.message);
      announce(error.message);
    }).then(function () {
      cancel.removeEventListener("click", onCancel);
    });
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-upload-part]");
    if (!button) return;
    var section = button.closest("section.artifact");
    var input = section && section.querySelector("input[type=file][data-kinds]");
    var file = input && input.files && input.files[0];
    if (!file) return; // a link, or nothing chosen: the form posts as before (and comes back to this part)
    event.preventDefault();
    var message = checkMessage(input, file);
    if (message) { showCheck(input, message); return; }
    upload(button, input, file);
  });
})();
