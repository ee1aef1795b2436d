// kefu: acceptance evidence (验收资料) on the work order page and 我的工作.
// Without this script every upload form posts as a plain multipart form.
// With it: files dropped on a slot's card or chosen in its form are sent
// one by one with XMLHttpRequest, each with a progress bar and, when
// refused, the server's message; then the slots and the checklist are
// fetched again. Copy buttons (data-copy="ID") copy a message's text.
(function () {
  "use strict";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  }

  // refresh fetches the page again and swaps in every [data-refresh]
  // element (the slots' files and states, the checklist).
  function refresh() {
    return fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) {
        return r.ok ? r.text() : Promise.reject(r.status);
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-refresh]").forEach(function (old) {
          var fresh = doc.querySelector('[data-refresh="' + CSS.escape(old.dataset.refresh) + '"]');
          if (fresh) {
            old.replaceWith(document.importNode(fresh, true));
          }
        });
        document.dispatchEvent(new CustomEvent("kefu:evidence-refreshed"));
      })
      .catch(function () {
        // The page still shows what was uploaded after a reload.
      });
  }

  // uploadOne sends one file of form; it resolves with true when stored.
  function uploadOne(form, file, list) {
    var row = el("li", "evidence-progress-row mb-1");
    row.dataset.state = "uploading";
    var name = el("div", "small text-truncate", file.name);
    var bar = el("progress", "w-100");
    bar.max = 100;
    bar.value = 0;
    var msg = el("div", "small");
    row.append(name, bar, msg);
    list.appendChild(row);
    return new Promise(function (resolve) {
      var data = new FormData();
      form.querySelectorAll("input[type=hidden]").forEach(function (h) {
        data.append(h.name, h.value);
      });
      var wm = form.querySelector("input[name=watermark_confirmed]");
      if (wm && wm.checked) {
        data.append("watermark_confirmed", "1");
      }
      data.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded * 100) / e.total);
        }
      });
      xhr.addEventListener("load", function () {
        var body = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch (err) {
          body = null;
        }
        if (xhr.status >= 200 && xhr.status < 300) {
          bar.value = 100;
          row.dataset.state = "done";
          msg.className = "small text-green";
          msg.textContent = form.dataset.doneText || "✓";
          resolve(true);
          return;
        }
        row.dataset.state = "error";
        msg.className = "small text-red";
        msg.textContent = (body && body.error && body.error.message) || "HTTP " + xhr.status;
        resolve(false);
      });
      xhr.addEventListener("error", function () {
        row.dataset.state = "error";
        msg.className = "small text-red";
        msg.textContent = form.dataset.networkText || "network error";
        resolve(false);
      });
      xhr.send(data);
    });
  }

  // uploadAll sends files one after another, then refreshes the page's
  // slots and checklist.
  function uploadAll(form, files) {
    var list = form.querySelector(".evidence-progress");
    if (!list || !files.length) {
      return;
    }
    list.textContent = "";
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (f) {
      chain = chain.then(function () {
        return uploadOne(form, f, list);
      });
    });
    chain
      .then(refresh)
      .then(function () {
        var input = form.querySelector("input[type=file]");
        if (input) {
          input.value = "";
        }
        if (button) {
          button.disabled = false;
        }
        form.dataset.finished = String(Date.now());
      });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target.closest && e.target.closest("form.evidence-upload");
    if (!form || !window.FormData || !window.XMLHttpRequest) {
      return;
    }
    var input = form.querySelector("input[type=file]");
    if (!input || !input.files || !input.files.length) {
      return; // the browser's own "required" message
    }
    e.preventDefault();
    uploadAll(form, input.files);
  });

  // Drag and drop onto a slot's card.
  function dropCard(e) {
    var card = e.target.closest && e.target.closest(".evidence-drop");
    if (!card || !e.dataTransfer || Array.prototype.indexOf.call(e.dataTransfer.types || [], "Files") < 0) {
      return null;
    }
    return card;
  }
  document.addEventListener("dragover", function (e) {
    var card = dropCard(e);
    if (card) {
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
      card.classList.add("evidence-dragover");
    }
  });
  document.addEventListener("dragleave", function (e) {
    var card = e.target.closest && e.target.closest(".evidence-drop");
    if (card && !card.contains(e.relatedTarget)) {
      card.classList.remove("evidence-dragover");
    }
  });
  document.addEventListener("drop", function (e) {
    var card = dropCard(e);
    if (!card) {
      return;
    }
    e.preventDefault();
    card.classList.remove("evidence-dragover");
    var form = card.querySelector("form.evidence-upload");
    if (form && e.dataTransfer.files.length) {
      uploadAll(form, e.dataTransfer.files);
    }
  });

  // Copy buttons: the message's text to the clipboard, or selected for
  // Ctrl+C where the clipboard is not available (plain http).
  function copied(button) {
    var label = button.textContent;
    button.textContent = button.dataset.copied || "✓";
    button.dataset.state = "copied";
    setTimeout(function () {
      button.textContent = label;
    }, 1500);
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var target = document.getElementById(button.dataset.copy);
    if (!target) {
      return;
    }
    var text = target.value !== undefined ? target.value : target.textContent;
    var fallback = function () {
      target.focus();
      if (target.select) {
        target.select();
      }
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (err) {
        ok = false;
      }
      if (ok) {
        copied(button);
      }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        copied(button);
      }, fallback);
    } else {
      fallback();
    }
  });
})();
