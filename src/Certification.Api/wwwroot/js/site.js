// Light progressive enhancement for the certification pages: drag-and-drop, upload progress, previews,
// friendly problem messages. No libraries, nothing from the internet; every page works as plain HTML first.
(function () {
  'use strict';
  var PROBLEM_BASE = 'https://certification.example/problems/';
  var STATUS_FALLBACK = { 400: 'invalid-request', 401: 'unauthenticated', 403: 'forbidden', 404: 'not-found', 405: 'method-not-allowed',
    413: 'request-too-large', 415: 'unsupported-media-type', 429: 'rate-limited', 503: 'signing-unavailable' };
  var texts = {};
  try { texts = JSON.parse((document.getElementById('problem-texts') || {}).textContent || '{}'); } catch (e) { texts = {}; }

  /** A sentence a person understands for an RFC 9457 problem (by its stable type). */
  function problemText(problem, status) {
    var type = (problem && problem.type) || '';
    var slug = type.indexOf(PROBLEM_BASE) === 0 ? type.substring(PROBLEM_BASE.length) : type;
    var text = texts[slug] || (slug.indexOf('scan-rejected/') === 0 && texts['scan-rejected']) || texts[STATUS_FALLBACK[status] || 'internal-error'] || (problem && problem.title) || ('HTTP ' + status);
    if (problem && problem.fileName) text += ' (' + problem.fileName + ')';
    return text;
  }
  window.problemText = problemText;

  function parse(xhr) { try { return JSON.parse(xhr.responseText); } catch (e) { return null; } }

  /** POST with upload progress (XHR progress events); resolves {status, body}. */
  function send(url, body, onProgress, json) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
      if (json) xhr.setRequestHeader('Content-Type', 'application/json');
      if (onProgress && xhr.upload) xhr.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(Math.round(100 * e.loaded / e.total)); };
      xhr.onload = function () { resolve({ status: xhr.status, body: parse(xhr) }); };
      xhr.onerror = function () { resolve({ status: 0, body: null }); };
      xhr.send(json ? JSON.stringify(body) : body);
    });
  }

  function wireDropzone(zone, input, onFiles) {
    ['dragenter', 'dragover'].forEach(function (n) { zone.addEventListener(n, function (e) { e.preventDefault(); zone.classList.add('over'); }); });
    ['dragleave', 'drop'].forEach(function (n) { zone.addEventListener(n, function (e) { e.preventDefault(); zone.classList.remove('over'); }); });
    zone.addEventListener('drop', function (e) { if (e.dataTransfer && e.dataTransfer.files.length) onFiles(e.dataTransfer.files); });
    input.addEventListener('change', function () { if (input.files.length) onFiles(input.files); });
  }

  // ---- verification form: drop a PDF and it is checked at once
  document.querySelectorAll('form[data-dropform]').forEach(function (form) {
    var zone = form.querySelector('[data-dropzone]'), input = form.querySelector('input[type=file]'), name = form.querySelector('[data-file-name]');
    wireDropzone(zone, input, function (files) {
      if (input.files !== files) { var dt = new DataTransfer(); dt.items.add(files[0]); input.files = dt.files; }
      if (name) name.textContent = files[0].name;
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  });

  // ---- share a citizen's link
  document.querySelectorAll('[data-share]').forEach(function (button) {
    button.addEventListener('click', function () {
      var url = button.getAttribute('data-share'), status = document.getElementById('share-status');
      var done = function () { if (status) status.textContent = button.getAttribute('data-shared-text'); };
      if (navigator.share) { navigator.share({ url: url, title: document.title }).catch(function () {}); return; }
      if (navigator.clipboard) { navigator.clipboard.writeText(url).then(done, function () { select(); }); } else { select(); }
      function select() { var i = document.getElementById('share-url'); if (i) { i.focus(); i.select(); } done(); }
    });
  });

  // ---- officer: new certification
  var form = document.getElementById('certify-form');
  if (!form) return;
  var t = function (k) { return form.getAttribute('data-t-' + k) || k; };
  var twoStep = form.getAttribute('data-two-step') === 'true';
  var remote = form.getAttribute('data-remote') === 'true';
  var files = [], previewData = [], inspection = null, inspections = 0;
  var english = form.getAttribute('data-lang') === 'en';
  var zone = document.getElementById('dropzone'), input = document.getElementById('scans');
  var preview = document.getElementById('preview'), errorBox = document.getElementById('form-error');
  var progressRow = document.getElementById('progress-row'), progress = document.getElementById('progress'), progressLabel = document.getElementById('progress-label');
  var certify = document.getElementById('certify'), pageCount = document.getElementById('page-count');

  function showError(text) { errorBox.textContent = text; errorBox.hidden = !text; if (text) errorBox.focus && errorBox.scrollIntoView({ block: 'nearest' }); }
  function setProgress(label, value) {
    progressRow.hidden = false; progress.value = value; progressLabel.textContent = label + ' ' + value + '%';
  }
  function formData() {
    var data = new FormData();
    files.forEach(function (f) { data.append('files', f, f.name); });
    ['documentTitle', 'requesterName', 'requesterIdNumber'].forEach(function (n) { data.append(n, form.elements[n].value.trim()); });
    return data;
  }

  function render() {
    preview.innerHTML = '';
    if (!files.length) { var li = document.createElement('li'); li.className = 'empty'; li.textContent = t('none'); preview.appendChild(li); pageCount.textContent = ''; return; }
    var n = 0;
    files.forEach(function (file, index) {
      var info = previewData[index] || { format: '', pages: 1, images: [] };
      for (var p = 0; p < Math.max(1, info.pages); p++) {
        n++;
        var li = document.createElement('li');
        var src = info.images && info.images[p] ? info.images[p] : (/^image\/(jpeg|png)$/.test(file.type) || info.format === 'jpeg' || info.format === 'png') ? URL.createObjectURL(file) : null;
        if (src) { var img = document.createElement('img'); img.src = src; img.alt = t('page') + ' ' + n; li.appendChild(img); }
        else { var ph = document.createElement('div'); ph.className = 'placeholder'; ph.textContent = (info.format || file.name.split('.').pop()).toUpperCase(); li.appendChild(ph); }
        var caption = document.createElement('div'); caption.textContent = t('page') + ' ' + n + ' · ' + file.name; li.appendChild(caption);
        var inspected = inspection && inspection.pages[n - 1];
        if (inspected && inspected.quality) li.appendChild(qualityBlock(inspected.quality));
        if (p === 0) {
          var remove = document.createElement('button'); remove.type = 'button'; remove.className = 'secondary'; remove.textContent = t('remove');
          remove.setAttribute('aria-label', t('remove') + ' ' + file.name);
          remove.addEventListener('click', function () { files.splice(index, 1); previewData.splice(index, 1); render(); check(); });
          li.appendChild(remove);
        }
        preview.appendChild(li);
      }
    });
    pageCount.textContent = '(' + n + ')';
  }

  /** The quality gate's measures of a page, and its warnings in the page's language (messages are "Vietnamese / English"). */
  function qualityBlock(q) {
    var box = document.createElement('div'); box.className = 'quality' + (q.warnings.length ? '' : ' good'); box.setAttribute('data-testid', 'quality');
    var dl = document.createElement('dl');
    [['sharpness', q.sharpness === null ? '–' : q.sharpness.toFixed(2)], ['skew', q.skewDegrees.toFixed(1) + '°'],
      ['brightness', Math.round(q.brightness * 100) + '%'], ['contrast', q.contrast.toFixed(2)]].concat(q.cutOff ? [['cutoff', '✔']] : [])
      .forEach(function (m) { var dt = document.createElement('dt'); dt.textContent = t(m[0]); var dd = document.createElement('dd'); dd.textContent = m[1]; dl.appendChild(dt); dl.appendChild(dd); });
    box.appendChild(dl);
    if (!q.warnings.length) { var ok = document.createElement('p'); ok.textContent = '✔ ' + t('good'); box.appendChild(ok); return box; }
    var ul = document.createElement('ul'); ul.className = 'warnings'; ul.setAttribute('data-testid', 'quality-warnings');
    q.warnings.forEach(function (w) {
      var parts = w.message.split(' / '), li = document.createElement('li');
      li.textContent = '⚠ ' + (english && parts[1] ? parts[1] : parts[0]); li.setAttribute('data-code', w.code); ul.appendChild(li);
    });
    box.appendChild(ul);
    return box;
  }

  /** Puts a proposal into an empty field (never over what the officer typed) and says where it came from. */
  function propose(name, proposal) {
    var hint = document.getElementById(name + '-proposed'), input = form.elements[name];
    hint.hidden = !proposal;
    if (!proposal) return;
    if (!input.value.trim()) input.value = proposal.value;
    hint.textContent = t('proposed').replace('{0}', Math.round(proposal.confidence * 100) + '%');
  }

  function showDuplicates(list) {
    var box = document.getElementById('duplicates');
    box.innerHTML = '';
    list.forEach(function (d) {
      var p = document.createElement('p'), date = d.date.split('-');
      p.textContent = t('duplicate').replace('{date}', english ? d.date : date[2] + '/' + date[1] + '/' + date[0]).replace('{number}', d.number).replace('{book}', d.book) + ' ';
      var a = document.createElement('a'); a.href = '/console/copies/' + d.certificationId; a.textContent = t('duplicate-open'); p.appendChild(a);
      box.appendChild(p);
    });
    box.hidden = !list.length;
  }

  // After the intake check: the service reads the scans (quality per page, OCR proposals, originals certified before).
  // The form is pre-filled only where empty; the officer confirms every value by certifying.
  function inspect() {
    var mine = ++inspections, status = document.getElementById('reading-status');
    var data = new FormData();
    files.forEach(function (f) { data.append('files', f, f.name); });
    status.hidden = false; status.textContent = t('reading');
    return send('/api/v1/scans/inspection', data).then(function (r) {
      if (mine !== inspections) return;
      if (r.status === 200 && r.body) {
        inspection = r.body; render();
        var p = r.body.proposals, id = p.idNumbers.filter(function (n) { return n.valid; })[0];
        propose('documentTitle', p.documentType); propose('requesterName', p.holderName); propose('requesterIdNumber', id);
        showDuplicates(r.body.duplicates);
        status.textContent = t('read');
      } else { status.hidden = true; showError(problemText(r.body, r.status)); }
    });
  }

  // Upload with progress to the service's intake check; every page is then shown as it will be certified.
  function check() {
    showError('');
    inspection = null; inspections++; showDuplicates([]); document.getElementById('reading-status').hidden = true;
    if (!files.length) return Promise.resolve(true);
    var data = new FormData();
    files.forEach(function (f) { data.append('files', f, f.name); });
    setProgress(t('uploading'), 0);
    return send('/console/scans/preview', data, function (v) { setProgress(v < 100 ? t('uploading') : t('checking'), v); }).then(function (r) {
      if (r.status === 200 && r.body) {
        previewData = r.body.files; render(); setProgress(t('checked'), 100); inspect(); return true;
      }
      progressRow.hidden = true; showError(problemText(r.body, r.status)); return false;
    });
  }

  function addFiles(list) {
    Array.prototype.forEach.call(list, function (f) { files.push(f); });
    input.value = '';
    render(); check();
  }
  wireDropzone(zone, input, addFiles);

  function fill(root, attr, values) {
    Object.keys(values).forEach(function (k) {
      var el = root.querySelector('[' + attr + '="' + k + '"]'); if (!el) return;
      if (k === 'link') { el.href = values[k]; el.textContent = values[k]; }
      else if (k === 'qr') { el.src = 'data:image/svg+xml;base64,' + btoa(unescape(encodeURIComponent(values[k]))); }
      else if (k === 'record') { el.href = values[k]; }
      else { el.textContent = values[k]; }
    });
  }
  function groups(code) { return code.replace(/(.{4})/g, '$1 ').trim(); }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var missing = !files.length || ['documentTitle', 'requesterName', 'requesterIdNumber'].some(function (n) { return !form.elements[n].value.trim(); });
    if (missing) { showError(t('required')); return; }
    certify.disabled = true; showError('');
    setProgress(t('uploading'), 0);
    send(remote ? '/api/v1/remote-signings' : twoStep ? '/api/v1/signing-sessions' : '/api/v1/certifications', formData(), function (v) { setProgress(v < 100 ? t('uploading') : t('signing'), v); })
      .then(function (r) {
        certify.disabled = false;
        if (r.status === 201 && r.body) {
          showResult(r.body);
        } else if (r.status === 202 && r.body && remote) {
          followRemote(r.body);
        } else if (r.status === 202 && r.body) {
          var s = r.body, approve = document.getElementById('approve');
          var raw = atob(s.dataToSign), hex = '';
          for (var i = 0; i < Math.min(raw.length, 8); i++) hex += ('0' + raw.charCodeAt(i).toString(16)).slice(-2);
          fill(approve, 'data-a', { number: s.certificationNumber + ' — ' + s.book, fingerprint: hex.toUpperCase().replace(/(.{4})/g, '$1 ').trim(),
            expires: new Date(s.expiresAt).toLocaleString(), record: '/console/copies/' + s.certificationId });
          form.hidden = true; approve.hidden = false; approve.focus();
          follow(s.certificationId, approve);
        } else {
          progressRow.hidden = true; showError(problemText(r.body, r.status));
        }
      });
  });

  function showResult(b) {
    var result = document.getElementById('result');
    fill(result, 'data-r', { number: b.certificationNumber + ' — ' + b.book, book: b.book, pages: b.pageCount, fee: b.fee.toLocaleString() + ' đ',
      code: groups(b.accessCode), link: b.accessUrl, qr: b.accessQrSvg, record: '/console/copies/' + b.id });
    form.hidden = true; document.getElementById('remote').hidden = true; result.hidden = false; result.focus();
  }

  // Remote signing: the provider holds the request until the officer approves on the phone. The page shows the
  // provider's request id and a countdown, follows the request, and offers cancel; the number is taken only at the end.
  function followRemote(s) {
    var panel = document.getElementById('remote');
    var state = panel.querySelector('[data-m="state"]'), countdown = panel.querySelector('[data-m="countdown"]');
    var cancel = panel.querySelector('[data-m="cancel"]');
    fill(panel, 'data-m', { number: s.certificationNumber + ' — ' + s.book, request: s.providerRequest || '' });
    if (s.approvalUrl) { var link = panel.querySelector('[data-m="approval"]'); link.href = s.approvalUrl; panel.querySelector('[data-m="approval-row"]').hidden = false; }
    form.hidden = true; panel.hidden = false; panel.focus();
    state.textContent = t('waiting');
    var deadline = new Date(s.expiresAt).getTime();
    function tick() { countdown.textContent = Math.max(0, Math.ceil((deadline - Date.now()) / 1000)) + ' ' + t('seconds'); }
    tick();
    var ended = false;
    function end(text, good) {
      ended = true; clearInterval(timer); clearInterval(clock); panel.querySelector('[data-m="cancel-row"]').hidden = true;
      state.textContent = text; panel.className = 'panel verdict ' + (good ? 'good' : 'bad');
    }
    var clock = setInterval(tick, 1000);
    var timer = setInterval(function () {
      var xhr = new XMLHttpRequest();
      xhr.open('GET', '/api/v1/remote-signings/' + s.handle);
      xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
      xhr.onload = function () {
        if (ended) return;
        var b = parse(xhr);
        if (xhr.status !== 200 || !b) end(problemText(b, xhr.status), false);
        else if (b.state === 'signed' && b.certification) { end('✔ ' + t('done'), true); showResult(b.certification); }
        else if (b.state === 'cancelled') end(t('cancelled'), false);
      };
      xhr.send();
    }, 1000);
    cancel.onclick = function () {
      var xhr = new XMLHttpRequest();
      xhr.open('DELETE', '/api/v1/remote-signings/' + s.handle);
      xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
      xhr.onload = function () {
        var b = parse(xhr);
        if (xhr.status === 200 && b && b.state === 'signed' && b.certification) showResult(b.certification);
        else end(xhr.status === 200 ? t('cancelled') : problemText(b, xhr.status), false);
      };
      xhr.send();
    };
  }

  // Two-step: the page follows the reserved number until the device's signature arrives (or the session expires).
  function follow(id, panel) {
    var state = panel.querySelector('[data-a="state"]');
    var timer = setInterval(function () {
      var xhr = new XMLHttpRequest();
      xhr.open('GET', '/api/v1/certifications/' + id);
      xhr.onload = function () {
        var b = parse(xhr);
        if (xhr.status !== 200 || !b) { state.textContent = problemText(b, xhr.status); clearInterval(timer); return; }
        if (b.status === 'valid') { state.textContent = '✔ ' + t('done'); clearInterval(timer); panel.className = 'panel verdict good'; }
        else if (b.status === 'voided') { state.textContent = problemText({ type: PROBLEM_BASE + 'signing-session-expired' }, 410); clearInterval(timer); panel.className = 'panel verdict bad'; }
      };
      xhr.send();
    }, 2000);
  }

  document.getElementById('refuse-submit').addEventListener('click', function () {
    var body = { reason: document.getElementById('refuse-reason').value, text: document.getElementById('refuse-text').value.trim(),
      documentTitle: form.elements.documentTitle.value.trim(), requesterName: form.elements.requesterName.value.trim(),
      requesterIdNumber: form.elements.requesterIdNumber.value.trim() };
    send('/api/v1/refusals', body, null, true).then(function (r) {
      if (r.status === 201) { form.innerHTML = ''; var p = document.createElement('p'); p.className = 'alert info'; p.setAttribute('role', 'status'); p.textContent = t('refused'); form.appendChild(p); }
      else showError(problemText(r.body, r.status));
    });
  });
})();
