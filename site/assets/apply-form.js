/* cohortgate: the online application form (apply/form/).

   The libraries do the work: json-editor draws the form from apply/form.json (a copy of the
   application's JSON Schema prepared for it by the site generator), Ajv checks the value against
   the published schema itself (schemas/application.schema.json), ajv-i18n words Ajv's messages
   in Chinese, js-yaml writes the YAML. This file only connects them: it words each problem with
   the titles of the fields on its path, and offers the result as a download or as a link to
   GitHub's "new file" page. Everything stays in the browser; nothing is sent anywhere. */
(function () {
  "use strict";

  var root = document.getElementById("cg-apply");
  if (!root) return;
  var lang = document.documentElement.lang === "zh" ? "zh" : "en";
  var ID = /^A-(20[0-9]{2})-[0-9]{4}$/;

  function byId(id) { return document.getElementById(id); }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response.json();
    });
  }

  function fill(template, params) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in params ? String(params[key]) : all;
    });
  }

  /* Empty texts and lists mean "not given": leave them out, as the YAML would. (An object
     stays, even empty: a group that is ticked or required then lists what it lacks.) */
  function prune(value) {
    if (Array.isArray(value)) {
      return value.map(prune).filter(function (v) { return v !== undefined; });
    }
    if (value && typeof value === "object") {
      var out = {};
      Object.keys(value).forEach(function (key) {
        var v = prune(value[key]);
        if (v !== undefined && !(Array.isArray(v) && v.length === 0)) out[key] = v;
      });
      return out;
    }
    if (typeof value === "string") {
      var text = value.trim();
      return text === "" ? undefined : text;
    }
    return value === null ? undefined : value;
  }

  function today() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  function start(data, published) {
    var words = data.words;
    if (lang === "zh") {
      JSONEditor.defaults.languages.zh = data.editor_words;
      JSONEditor.defaults.language = "zh";
    }
    var editor = new JSONEditor(byId("cg-apply-editor"), {
      schema: data.schema,
      theme: "html",
      disable_edit_json: true,
      disable_properties: true,
      disable_array_delete_all_rows: true,
      disable_array_delete_last_row: true,
      disable_collapse: true,
      prompt_before_delete: false,
      show_errors: "never",
      show_opt_in: true,
      no_additional_properties: true
    });
    var Ajv = window.ajv2020.default || window.ajv2020;
    var validate = new Ajv({ allErrors: true, strict: false }).compile(published);
    var checked = false;
    var status = byId("cg-apply-status");
    var list = byId("cg-apply-errors");
    var github = byId("cg-apply-github");
    var current = { value: {}, yaml: "", valid: false };

    function where(value) {
      var id = typeof value.id === "string" ? value.id : "";
      var match = ID.exec(id);
      return {
        id: id || "<id>",
        year: match ? match[1] : "<year>"
      };
    }

    function toYaml(value) {
      var place = where(value);
      var head = data.header.map(function (line) { return fill(line, place); }).join("\n");
      return head + "\n" + jsyaml.dump(value, { lineWidth: 100, noRefs: true });
    }

    /* The titles along a path, e.g. "申请人 › 电子邮箱", and where the field is in the form. */
    function describe(parts) {
      var schema = data.schema;
      var names = [];
      var order = [];
      parts.forEach(function (part) {
        if (!schema) {
          names.push(part);
          order.push(Infinity);
          return;
        }
        if (schema.type === "array") {
          names.push(fill(words.item, { n: Number(part) + 1 }));
          order.push(Number(part));
          schema = schema.items;
        } else {
          var keys = Object.keys(schema.properties || {});
          order.push(keys.indexOf(part) < 0 ? Infinity : keys.indexOf(part));
          schema = schema.properties && schema.properties[part];
          names.push(schema && schema.title ? schema.title : part);
        }
      });
      return {
        text: names.length ? names.join(" › ") : words.root,
        schema: schema,
        order: order
      };
    }

    function formOrder(a, b) {
      for (var i = 0; i < Math.min(a.order.length, b.order.length); i++) {
        if (a.order[i] !== b.order[i]) return a.order[i] < b.order[i] ? -1 : 1;
      }
      return a.order.length - b.order.length;
    }

    function problems(errors) {
      var localized = errors.map(function (e) { return Object.assign({}, e); });
      if (lang === "zh" && window.ajvLocalizeZh) window.ajvLocalizeZh(localized);
      var seen = {};
      var out = [];
      localized.forEach(function (e) {
        /* an optional field is "this or null": its "null" and "anyOf" errors say nothing more */
        if (e.keyword === "anyOf" || (e.keyword === "type" && e.params.type === "null")) return;
        var parts = e.instancePath.split("/").slice(1).map(function (p) {
          return p.replace(/~1/g, "/").replace(/~0/g, "~");
        });
        var message = e.message;
        if (e.keyword === "required") {
          parts.push(e.params.missingProperty);
          message = words.missing;
        } else if (e.keyword === "additionalProperties") {
          parts.push(e.params.additionalProperty);
        }
        var place = describe(parts);
        if (e.keyword === "pattern") {
          message = words.pattern;
          if (place.schema && place.schema.description) {
            message += (lang === "zh" ? "（" : " (") + place.schema.description +
              (lang === "zh" ? "）" : ")");
          }
        }
        var key = parts.join("/") + "\n" + message;
        if (seen[key]) return;
        seen[key] = true;
        out.push({
          path: ["root"].concat(parts).join("."),
          where: place.text,
          message: message,
          order: place.order
        });
      });
      return out.sort(formOrder);
    }

    function focus(path) {
      var parts = path.split(".");
      while (parts.length) {
        var found = editor.getEditor(parts.join("."));
        if (found && found.container) {
          var input = found.container.querySelector("input, select, textarea");
          if (input && !input.disabled) {
            input.focus();
            return;
          }
          found.container.scrollIntoView();
          return;
        }
        parts.pop();
      }
    }

    function show() {
      list.textContent = "";
      if (!checked) {
        status.textContent = words.unchecked;
        status.className = "";
        return;
      }
      var found = current.valid ? [] : problems(validate.errors || []);
      markInvalid(found);
      status.textContent = current.valid ? words.ok : fill(words.errors, { n: found.length });
      status.className = current.valid ? "cg-apply__ok" : "cg-apply__bad";
      found.forEach(function (p) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = "#cg-apply-editor";
        link.textContent = p.where;
        link.addEventListener("click", function (event) {
          event.preventDefault();
          focus(p.path);
        });
        item.appendChild(link);
        item.appendChild(document.createTextNode(lang === "zh" ? "：" : ": "));
        item.appendChild(document.createTextNode(p.message));
        list.appendChild(item);
      });
    }

    /* json-editor names an opt-in check box after its id; name it after its field. */
    function nameOptIns() {
      root.querySelectorAll("input.json-editor-opt-in:not([aria-label])").forEach(function (box) {
        var path = box.id.replace(/-opt-in$/, "").replace(/\]\[/g, ".").replace(/\[/g, ".")
          .replace(/\]/g, "");
        var field = editor.getEditor(path);
        var title = field && field.schema ? field.schema.title : path;
        box.setAttribute("aria-label", fill(words.include, { field: title }));
      });
    }

    /* After a check, every field with a problem is marked for assistive technology and CSS. */
    function markInvalid(found) {
      root.querySelectorAll("[aria-invalid]").forEach(function (e) {
        e.removeAttribute("aria-invalid");
      });
      found.forEach(function (p) {
        var field = editor.getEditor(p.path);
        var input = field && field.input;
        if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
      });
    }

    function update() {
      nameOptIns();
      current.value = prune(editor.getValue()) || {};
      current.valid = validate(current.value);
      current.yaml = toYaml(current.value);
      var place = where(current.value);
      if (current.valid) {
        var filename = "submissions/" + place.year + "/" + place.id + "/application.yaml";
        github.href = data.new_file_url + "?filename=" + encodeURIComponent(filename) +
          "&value=" + encodeURIComponent(current.yaml);
        github.removeAttribute("aria-disabled");
        github.removeAttribute("title");
      } else {
        github.removeAttribute("href");
        github.setAttribute("aria-disabled", "true");
        github.title = words.github_disabled;
      }
      show();
    }

    /* Variable names offered from the chosen dataset's dictionary. */
    var VARIABLE = /^root\[datasets\]\[(\d+)\]\[variables\]\[(\d+)\]\[(table|name)\]$/;
    function offerVariables(event) {
      var input = event.target;
      var match = input && input.name ? VARIABLE.exec(input.name) : null;
      if (!match) return;
      var dataset = editor.getEditor("root.datasets." + match[1] + ".dataset");
      var id = dataset ? dataset.getValue() : "";
      var rows = data.variables[id] || [];
      var listId = "cg-apply-" + match[3] + "-" + id;
      if (!byId(listId)) {
        var datalist = document.createElement("datalist");
        datalist.id = listId;
        var seen = {};
        rows.forEach(function (row) {
          var value = match[3] === "table" ? row[0] : row[1];
          if (seen[value]) return;
          seen[value] = true;
          var option = document.createElement("option");
          option.value = value;
          option.label = match[3] === "table" ? row[0] : row[0] + " · " + row[2];
          datalist.appendChild(option);
        });
        root.appendChild(datalist);
      }
      input.setAttribute("list", listId);
    }

    function download() {
      checked = true;
      update();
      var blob = new Blob([current.yaml], { type: "text/yaml;charset=utf-8" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "application.yaml";
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    }

    function open(event) {
      var file = event.target.files && event.target.files[0];
      if (!file) return;
      var note = byId("cg-apply-opened");
      file.text().then(function (text) {
        editor.setValue(jsyaml.load(text));
        checked = true;
        update();
        note.textContent = fill(words.opened, { name: file.name });
        note.className = "";
      }).catch(function (error) {
        note.textContent = fill(words.open_failed, { error: error.message });
        note.className = "cg-apply__bad";
      });
      event.target.value = "";
    }

    editor.on("ready", function () {
      var submitted = editor.getEditor("root.submitted");
      if (submitted && !submitted.getValue()) submitted.setValue(today());
      var loading = root.querySelector(".cg-apply__loading");
      if (loading) loading.remove();
      root.classList.add("cg-apply--ready");
      editor.on("change", update);
      update();
    });
    root.addEventListener("focusin", offerVariables);
    byId("cg-apply-check").addEventListener("click", function () {
      checked = true;
      update();
      status.scrollIntoView({ block: "nearest" });
    });
    byId("cg-apply-download").addEventListener("click", download);
    byId("cg-apply-open").addEventListener("change", open);
    window.cgApply = { editor: editor, current: current };  // for tests and the curious
  }

  Promise.all([getJson(root.getAttribute("data-form")), getJson(root.getAttribute("data-schema"))])
    .then(function (loaded) { start(loaded[0], loaded[1]); })
    .catch(function (error) {
      var loading = root.querySelector(".cg-apply__loading");
      if (loading) loading.textContent = String(error);
    });
})();
