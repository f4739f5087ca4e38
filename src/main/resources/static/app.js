// Colloquy web UI: plain browser JavaScript, no build step. It talks to the same HTTP API as any
// client, with the session token in localStorage (no cookies, so no CSRF). Every piece of text from
// the server is put in the page with textContent; the one exception, Markdown of answers, goes through
// DOMPurify inside a Trusted Types policy, and the Content-Security-Policy forbids any other HTML sink.
(() => {
  'use strict';

  const TOKEN = 'colloquy.token';
  const PAGE = 30;
  const DEFAULT_TITLE = 'New conversation';
  const $ = (id) => document.getElementById(id);

  // ---- safe Markdown -----------------------------------------------------------------------------
  const PURIFY = {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe'],
    FORBID_ATTR: ['style', 'class', 'id'],
  };
  // the one class attribute kept: highlight.js's token classes on spans, a code block's language
  const TOKEN_CLASS = /^hljs-[a-z_-]+(?: [a-z_]+_)*$/;
  const LANGUAGE_CLASS = /^(?:hljs )?language-[a-z0-9#+-]{1,30}$/;
  DOMPurify.addHook('uponSanitizeAttribute', (node, data) => {
    if (data.attrName !== 'class') return;
    if ((node.tagName === 'SPAN' && TOKEN_CLASS.test(data.attrValue))
      || (node.tagName === 'CODE' && LANGUAGE_CLASS.test(data.attrValue))) {
      data.forceKeepAttr = true;
    }
  });
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      node.setAttribute('rel', 'noopener noreferrer nofollow');
      node.setAttribute('target', '_blank');
    }
  });
  const markdownPolicy = window.trustedTypes
    ? window.trustedTypes.createPolicy('colloquy-markdown', { createHTML: (html) => DOMPurify.sanitize(html, PURIFY) })
    : { createHTML: (html) => DOMPurify.sanitize(html, PURIFY) };

  // highlight.js is fetched when the first code block is shown, not with the page: the one script the
  // page adds, from the hashed path index.html names, through its own Trusted Types policy
  const HIGHLIGHTER = document.documentElement.dataset.highlight;
  const assetPolicy = window.trustedTypes
    ? window.trustedTypes.createPolicy('colloquy-assets', {
      createScriptURL: (url) => {
        if (url !== HIGHLIGHTER) throw new TypeError(`not a script of this page: ${url}`);
        return url;
      },
    })
    : { createScriptURL: (url) => url };
  const awaitingHighlighter = new Map(); // element -> its Markdown, rendered again once it loads
  let highlighter = null;

  function highlightLater(element, text) {
    awaitingHighlighter.set(element, text);
    if (highlighter) return;
    highlighter = document.createElement('script');
    highlighter.src = assetPolicy.createScriptURL(HIGHLIGHTER);
    highlighter.addEventListener('load', () => {
      for (const [waiting, markdown] of awaitingHighlighter) if (waiting.isConnected) renderMarkdown(waiting, markdown);
      awaitingHighlighter.clear();
    });
    document.head.append(highlighter);
  }

  // fenced code in a language highlight.js knows comes out as its token spans (escaped text inside),
  // which DOMPurify then sanitises with the rest; any other code block is marked's own
  marked.use({
    renderer: {
      code({ text, lang }) {
        const language = (lang || '').trim().split(/\s+/)[0].toLowerCase();
        if (!window.hljs || !language || !hljs.getLanguage(language)) return false;
        const html = hljs.highlight(text, { language, ignoreIllegals: true }).value;
        return `<pre><code class="language-${language.replace(/[^a-z0-9#+-]/g, '')}">${html}</code></pre>\n`;
      },
    },
  });

  function renderMarkdown(element, text) {
    element.innerHTML = markdownPolicy.createHTML(marked.parse(text, { async: false, gfm: true, breaks: true }));
    if (!window.hljs && element.querySelector('pre code[class^="language-"]')) highlightLater(element, text);
    for (const pre of element.querySelectorAll('pre')) {
      const code = pre.querySelector('code') || pre;
      const box = el('div', { class: 'code' });
      pre.replaceWith(box);
      box.append(copyButton(() => code.textContent, 'Copy code'), pre);
    }
  }

  /** A button that puts text on the clipboard and says whether it did. */
  function copyButton(text, label = 'Copy') {
    const button = el('button', { type: 'button', class: 'copy', text: label });
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(text());
        button.textContent = 'Copied';
      } catch (e) {
        button.textContent = 'Copy failed';
      }
      setTimeout(() => { button.textContent = label; }, 2000);
    });
    return button;
  }

  // ---- the API -----------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, problem) {
      const fields = (problem.errors || []).map((e) => `${e.field}: ${e.message}`).join('; ');
      super([problem.detail || problem.title || `HTTP ${status}`, fields].filter(Boolean).join(' — '));
      this.status = status;
      this.problem = problem;
    }
  }

  function token() {
    return localStorage.getItem(TOKEN);
  }

  async function api(path, { method = 'GET', body, headers = {}, signal } = {}) {
    const init = { method, headers: { Accept: 'application/json', ...headers }, signal };
    if (token()) init.headers.Authorization = `Bearer ${token()}`;
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (response.status === 401 && token()) {
      signedOut('Your session has ended. Sign in again.');
    }
    if (!response.ok) {
      throw new ApiError(response.status, await problemOf(response));
    }
    if (response.status === 204) return null;
    if ((headers.Accept || '').includes('text/event-stream')) return response;
    return response.json();
  }

  async function problemOf(response) {
    try {
      return await response.json();
    } catch {
      return { detail: `The server answered ${response.status}` };
    }
  }

  // ---- helpers -----------------------------------------------------------------------------------
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'text') node.textContent = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key === 'on') for (const [event, fn] of Object.entries(value)) node.addEventListener(event, fn);
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function usd(value) {
    const n = Number(value || 0);
    if (n === 0) return '$0';
    return n < 0.01 ? `$${n.toPrecision(2)}` : `$${n.toFixed(4)}`;
  }

  function bytes(n) {
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
    return `${(n / 1024 / 1024).toFixed(1)} MB`;
  }

  function showError(target, error) {
    target.textContent = error ? error.message : '';
  }

  // ---- signing in and out ------------------------------------------------------------------------
  const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
  const attached = []; // { file, url }: the images to send with the next question
  const imageUrls = new Map(); // a stored image's id -> its blob: URL (the API wants a bearer token, <img> sends none)
  const state = {
    me: null,
    models: null,
    conversations: new Map(),
    nextCursor: null,
    loadingList: false,
    current: null,
    streaming: null,
    documentsCursor: null,
    documentsPoll: null,
    accountsCursor: null,
    firstForm: 'sign-in',
  };

  function showAuth(which = 'sign-in', message = '') {
    $('app').hidden = true;
    $('auth').hidden = false;
    $('pending').hidden = true;
    $('sign-in').hidden = which !== 'sign-in';
    $('sign-up').hidden = which !== 'sign-up';
    const form = $(which);
    form.querySelector('[data-error]').textContent = message;
    form.querySelector('input').focus();
  }

  function signedOut(message) {
    localStorage.removeItem(TOKEN);
    if (state.streaming) state.streaming.abort();
    state.me = null;
    state.conversations.clear();
    for (const url of imageUrls.values()) URL.revokeObjectURL(url);
    imageUrls.clear();
    clearAttachments();
    $('conversations').replaceChildren();
    $('messages').replaceChildren();
    history.replaceState(null, '', '#/');
    showAuth('sign-in', message);
  }

  for (const button of document.querySelectorAll('[data-show]')) {
    button.addEventListener('click', () => showAuth(button.dataset.show));
  }

  async function submitAuth(form, path) {
    const error = form.querySelector('[data-error]');
    const data = Object.fromEntries(new FormData(form));
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const answer = await api(path, { method: 'POST', body: data });
      localStorage.setItem(TOKEN, answer.token);
      form.reset();
      error.textContent = '';
      await start();
    } catch (e) {
      showError(error, e);
    } finally {
      button.disabled = false;
    }
  }

  $('sign-in').addEventListener('submit', (event) => {
    event.preventDefault();
    submitAuth(event.target, '/api/auth/login');
  });
  $('sign-up').addEventListener('submit', (event) => {
    event.preventDefault();
    submitAuth(event.target, '/api/auth/register');
  });
  async function signOut() {
    try {
      await api('/api/auth/logout', { method: 'POST' });
    } catch {
      // the token is dropped here whatever the server says
    }
    signedOut('You are signed out.');
  }
  $('sign-out').addEventListener('click', signOut);
  $('pending-sign-out').addEventListener('click', signOut);

  // ---- single sign-on ----------------------------------------------------------------------------
  const SSO_ERRORS = {
    'invalid-state': 'That sign-in link was used, expired or started in another browser. Try again.',
    'invalid-id-token': 'The identity provider\'s answer could not be trusted. Try again, or ask an administrator.',
    'email-unverified': 'Your identity provider did not confirm your email address, so no account was linked to it.',
    'account-disabled': 'An administrator disabled this account.',
    'signup-closed': 'Sign-up is closed here; ask an administrator for an invite.',
    'signup-domain': 'Accounts here need an email address of an allowed domain.',
    'invite-required': 'Sign-up here needs an invite from an administrator.',
    'access-denied': 'The identity provider did not let you sign in.',
  };

  /** Takes the session token (or the refusal) a single sign-on left in the URL fragment, and removes it. */
  function takeSingleSignOn() {
    const hash = location.hash;
    if (hash.startsWith('#sso=')) {
      localStorage.setItem(TOKEN, decodeURIComponent(hash.slice(5)));
      history.replaceState(null, '', '#/');
      return '';
    }
    if (hash.startsWith('#invite=')) {
      $('sign-up-invite').value = decodeURIComponent(hash.slice(8));
      history.replaceState(null, '', '#/');
      state.firstForm = 'sign-up';
      return '';
    }
    if (hash.startsWith('#sso-error=')) {
      const code = decodeURIComponent(hash.slice(11));
      history.replaceState(null, '', '#/');
      return SSO_ERRORS[code] || 'Single sign-on failed. Try again, or ask an administrator.';
    }
    return '';
  }

  async function showProviders() {
    try {
      const providers = (await api('/api/auth/providers')).items;
      $('providers').replaceChildren(...providers.map((p) => el('a', {
        href: p.url,
        dataset: { provider: p.id },
        text: `Sign in with ${p.name}`,
      })));
      $('providers').hidden = providers.length === 0;
    } catch {
      $('providers').hidden = true;
    }
  }

  function showPending(me) {
    $('app').hidden = true;
    $('auth').hidden = false;
    $('sign-in').hidden = true;
    $('sign-up').hidden = true;
    $('pending-email').textContent = me.email;
    $('pending').hidden = false;
  }

  // ---- start and routing -------------------------------------------------------------------------
  async function start(message = '') {
    if (!token()) {
      showAuth(state.firstForm, message);
      ready();
      return;
    }
    try {
      const me = await api('/api/me');
      if (me.status === 'PENDING') {
        showPending(me);
        ready();
        return;
      }
      [state.me, state.models] = [me, await api('/api/models')];
    } catch (e) {
      if (e.status !== 401) showAuth('sign-in', e.message);
      return;
    }
    $('auth').hidden = true;
    $('app').hidden = false;
    $('who').textContent = state.me.displayName;
    document.querySelector('[data-nav=admin]').hidden = state.me.role !== 'ADMIN';
    $('new-model').replaceChildren(...state.models.items.map((m) => el('option', {
      value: m.name,
      selected: m.name === state.models.defaultModel,
      text: m.local ? `${m.name} (built in)` : m.name,
    })));
    state.conversations.clear();
    state.nextCursor = undefined;
    $('conversations').replaceChildren();
    await loadConversations();
    await route();
    ready();
  }

  /** The page is usable: a user-timing mark for real-user monitoring and for bench/run-ui. */
  function ready() {
    if (!document.documentElement.dataset.ready) performance.mark('colloquy-ready');
    document.documentElement.dataset.ready = 'true';
  }

  async function route() {
    if (!state.me) return;
    const hash = location.hash || '#/';
    const admin = state.me.role === 'ADMIN';
    const view = hash.startsWith('#/documents') ? 'documents'
      : hash.startsWith('#/usage') ? 'usage'
        : hash.startsWith('#/admin') && admin ? 'admin' : 'chat';
    for (const name of ['chat', 'documents', 'usage', 'admin']) {
      $(`${name}-view`).hidden = name !== view;
      const link = document.querySelector(`[data-nav=${name}]`);
      if (name === view) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    clearTimeout(state.documentsPoll);
    closeSidebar();
    if (view === 'documents') return showDocuments();
    if (view === 'usage') return showUsage();
    if (view === 'admin') return showAdmin();
    const match = hash.match(/^#\/c\/([0-9a-f-]{36})$/);
    return match ? openConversation(match[1]) : openConversation(null);
  }

  window.addEventListener('hashchange', route);

  // ---- the conversation list: keyset pages, loaded as the end of the list scrolls into view --------
  async function loadConversations() {
    if (state.loadingList || state.nextCursor === null) return;
    state.loadingList = true;
    try {
      const query = new URLSearchParams({ limit: PAGE });
      if (state.nextCursor) query.set('cursor', state.nextCursor);
      const page = await api(`/api/conversations?${query}`);
      for (const conversation of page.items) addConversation(conversation, false);
      state.nextCursor = page.nextCursor;
      $('conversations-end').textContent =
        page.nextCursor === null && state.conversations.size > 0 ? 'No older conversations' : '';
    } catch (e) {
      $('conversations-end').textContent = e.message;
    } finally {
      state.loadingList = false;
    }
  }

  new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) loadConversations();
  }, { root: $('sidebar') }).observe($('conversations-end'));

  function addConversation(conversation, first) {
    state.conversations.set(conversation.id, conversation);
    const existing = document.querySelector(`#conversations [data-id="${conversation.id}"]`);
    const item = el('li', { dataset: { id: conversation.id } },
      el('a', { href: `#/c/${conversation.id}`, text: conversation.title }));
    if (state.current && state.current.id === conversation.id) item.firstChild.setAttribute('aria-current', 'true');
    if (existing) existing.remove();
    if (first) $('conversations').prepend(item);
    else $('conversations').append(item);
  }

  /** Starts a conversation with the chosen model (none named: the service's default). */
  async function newConversation() {
    const model = $('new-model').value;
    const conversation = await api('/api/conversations', {
      method: 'POST',
      body: model && model !== state.models.defaultModel ? { model } : {},
      headers: { 'Idempotency-Key': crypto.randomUUID() },
    });
    addConversation(conversation, true);
    return conversation;
  }

  $('new-model').addEventListener('change', () => {
    if (!state.current) updateLocalBanner($('new-model').value);
  });

  $('new-conversation').addEventListener('click', async () => {
    try {
      const conversation = await newConversation();
      location.hash = `#/c/${conversation.id}`;
    } catch (e) {
      showError($('composer-error'), e);
    }
  });

  // ---- one conversation --------------------------------------------------------------------------
  async function openConversation(id) {
    if (state.streaming) state.streaming.abort();
    for (const link of document.querySelectorAll('#conversations a')) link.removeAttribute('aria-current');
    $('messages').replaceChildren();
    showError($('composer-error'), null);
    $('rename').hidden = true;
    if (!id) {
      state.current = null;
      $('conversation-title').hidden = false;
      $('conversation-title').textContent = 'Start a conversation';
      $('conversation-actions').hidden = true;
      $('conversation-model').textContent = '';
      updateLocalBanner($('new-model').value);
      $('composer-text').focus();
      return;
    }
    try {
      const conversation = await api(`/api/conversations/${id}`);
      state.current = conversation;
      $('conversation-title').hidden = false;
      $('conversation-title').textContent = conversation.title;
      $('conversation-actions').hidden = false;
      $('conversation-model').textContent = `Model: ${conversation.model || state.models.defaultModel}`;
      document.querySelector(`#conversations [data-id="${id}"] a`)?.setAttribute('aria-current', 'true');
      updateLocalBanner(conversation.model);
      let cursor;
      for (let page = 0; page < 100; page++) {
        const query = new URLSearchParams({ limit: 100 });
        if (cursor) query.set('cursor', cursor);
        const messages = await api(`/api/conversations/${id}/messages?${query}`);
        for (const message of messages.items) $('messages').append(messageItem(message));
        cursor = messages.nextCursor;
        if (!cursor) break;
      }
      scrollToEnd();
      $('composer-text').focus();
    } catch (e) {
      state.current = null;
      $('conversation-title').textContent = 'Conversation not found';
      $('conversation-model').textContent = '';
      $('conversation-actions').hidden = true;
      showError($('composer-error'), e);
    }
  }

  function updateLocalBanner(model) {
    const name = model || state.models.defaultModel;
    const found = state.models.items.find((m) => m.name === name);
    $('local-banner').hidden = !(found && found.local);
    checkAttachments();
  }

  function messageItem(message) {
    const item = el('li', { class: `message ${message.role}`, dataset: { id: message.id } });
    const body = el('div', { class: 'body' });
    if (message.role === 'assistant') renderMarkdown(body, message.content);
    else body.textContent = message.content;
    if (message.images && message.images.length) item.append(storedImages(message));
    item.append(body);
    if (message.role === 'assistant') item.append(meta(message, null));
    else item.append(el('p', { class: 'meta' }, versions(message), el('button', {
      type: 'button', class: 'edit', text: 'Edit', on: { click: () => editMessage(item, message) },
    })));
    if (message.citations && message.citations.length) item.append(citations(message.citations));
    return item;
  }

  /** "‹ 2 / 3 ›" between the versions of a message (its siblings); nothing when it has none. */
  function versions(message) {
    const siblings = message.siblings || [];
    if (siblings.length < 2) return '';
    const at = siblings.indexOf(message.id);
    const go = (to) => async () => {
      if (state.streaming) return;
      try {
        await api(`/api/conversations/${message.conversationId}/messages/${siblings[to]}/select`, { method: 'POST' });
        await openConversation(message.conversationId);
      } catch (e) {
        showError($('composer-error'), e);
      }
    };
    const kind = message.role === 'assistant' ? 'answer' : 'question';
    return el('span', { class: 'versions', role: 'group', 'aria-label': `Versions of this ${kind}` },
      el('button', { type: 'button', text: '‹', 'aria-label': `Previous ${kind}`, disabled: at <= 0, on: { click: go(at - 1) } }),
      el('span', { text: `${at + 1} / ${siblings.length}` }),
      el('button', { type: 'button', text: '›', 'aria-label': `Next ${kind}`, disabled: at >= siblings.length - 1, on: { click: go(at + 1) } }));
  }

  /** Removes a message and everything after it from the page (a new version replaces them). */
  function removeFrom(item) {
    while (item.nextElementSibling) item.nextElementSibling.remove();
    item.remove();
  }

  /** Edit a question in place: sending it asks again from there; the earlier version stays as a branch. */
  function editMessage(item, message) {
    if (state.streaming || item.querySelector('form')) return;
    const text = el('textarea', { 'aria-label': 'Edited question', rows: 3 });
    text.value = message.content;
    const form = el('form', { class: 'edit-form' }, text, el('div', { class: 'composer-actions' },
      el('button', { type: 'button', text: 'Cancel', on: { click: () => { form.remove(); body.hidden = false; meta.hidden = false; } } }),
      el('button', { type: 'submit', class: 'primary', text: 'Send' })));
    const body = item.querySelector('.body');
    const meta = item.querySelector('.meta');
    body.hidden = true;
    meta.hidden = true;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!text.value.trim() || state.streaming) return;
      const conversationId = message.conversationId;
      removeFrom(item);
      if (await send(conversationId, text.value, { editOf: message.id })) await openConversation(conversationId);
    });
    text.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      } else if (event.key === 'Escape') {
        event.stopPropagation();
        form.querySelector('button').click();
      }
    });
    item.append(form);
    text.focus();
  }

  /** A new answer in place of this one; the earlier answer stays as a version. */
  async function regenerate(item, message) {
    if (state.streaming) return;
    removeFrom(item);
    if (await send(message.conversationId, null, { regenerate: message.id })) await openConversation(message.conversationId);
  }

  /** What answered and what it cost: from the stored message, and from the live turn when there is one. */
  function meta(message, turn) {
    const line = el('p', { class: 'meta' });
    const model = (turn && turn.model) || message.model;
    if (model) line.append(el('span', { class: 'model', text: `Model: ${model}` }));
    const input = turn ? turn.usage.inputTokens : message.inputTokens;
    const output = turn ? turn.usage.outputTokens : message.outputTokens;
    if (input !== null && input !== undefined) line.append(el('span', { text: `${input} → ${output} tokens` }));
    if (turn) {
      line.append(el('span', { class: 'cost', text: `Cost: ${usd(turn.usage.costUsd)}` }));
      if (turn.cached) line.append(el('span', { class: 'cached', text: 'From the cache' }));
    }
    if (message.status === 'incomplete' || (turn && !turn.complete)) {
      line.append(el('span', { class: 'incomplete', text: 'Incomplete' }));
    }
    line.append(versions(message));
    line.append(copyButton(() => message.content, 'Copy answer'));
    line.append(el('button', {
      type: 'button', class: 'regenerate', text: 'Regenerate',
      on: { click: (event) => regenerate(event.target.closest('li'), message) },
    }));
    return line;
  }

  function citations(list) {
    const items = el('ul', { class: 'citations', 'aria-label': 'Sources' });
    for (const citation of list) {
      const where = [citation.filename, citation.headingPath, citation.page ? `p. ${citation.page}` : null]
        .filter(Boolean).join(' › ');
      items.append(el('li', {}, el('button', {
        type: 'button',
        class: citation.cited ? 'cited' : null,
        title: citation.cited ? 'Cited in the answer' : 'Given to the model',
        text: `[${citation.number}] ${where}`,
        on: { click: () => openPassage(citation) },
      })));
    }
    return items;
  }

  async function openPassage(citation) {
    const dialog = $('passage');
    $('passage-title').textContent = `[${citation.number}] ${citation.filename}`;
    $('passage-where').textContent = [citation.headingPath, citation.page ? `page ${citation.page}` : null]
      .filter(Boolean).join(' · ');
    $('passage-text').textContent = 'Loading…';
    dialog.showModal();
    try {
      const passage = await api(`/api/documents/${citation.documentId}/chunks/${citation.chunkId}`);
      $('passage-text').textContent = passage.content;
    } catch (e) {
      $('passage-text').textContent = e.status === 404
        ? 'This passage is gone: its document was deleted or re-ingested since.'
        : e.message;
    }
  }

  function scrollToEnd() {
    const list = $('messages');
    list.scrollTop = list.scrollHeight;
  }

  // ---- images: attached to a question, shown with it ----------------------------------------------
  /** The stored images of a question, each fetched with the session's token and shown from a blob: URL. */
  function storedImages(message) {
    const box = el('div', { class: 'images' });
    message.images.forEach((image, i) => {
      const img = el('img', {
        alt: `Image ${i + 1} attached to this question`, width: image.width, height: image.height, loading: 'lazy',
      });
      box.append(img);
      showStoredImage(img, message.conversationId, image.id);
    });
    return box;
  }

  async function showStoredImage(img, conversationId, imageId) {
    try {
      let url = imageUrls.get(imageId);
      if (!url) {
        const response = await fetch(`/api/conversations/${conversationId}/images/${imageId}`, {
          headers: { Authorization: `Bearer ${token()}` },
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        url = URL.createObjectURL(await response.blob());
        imageUrls.set(imageId, url);
      }
      img.src = url;
    } catch {
      img.alt = `${img.alt} (it could not be loaded)`;
    }
  }

  /** The model the next question goes to. */
  function nextModel() {
    const chosen = state.current ? state.current.model : $('new-model').value;
    return state.models.items.find((m) => m.name === (chosen || state.models.defaultModel));
  }

  /** Says so, before anything is sent, when images are attached for a model that does not take them. */
  function checkAttachments() {
    const model = nextModel();
    const refused = attached.length > 0 && model && !model.images;
    $('images-refused').textContent = refused
      ? `Model ${model.name} does not take images. Choose another model in Settings, or remove the images.`
      : '';
    return !refused;
  }

  function attach(files) {
    showError($('composer-error'), null);
    for (const file of files) {
      if (!IMAGE_TYPES.includes(file.type)) {
        showError($('composer-error'), new Error(`${file.name || 'That file'} is not a PNG, JPEG, GIF or WebP image.`));
      } else {
        attached.push({ file, url: URL.createObjectURL(file) });
      }
    }
    showAttachments();
  }

  function clearAttachments() {
    for (const { url } of attached.splice(0)) URL.revokeObjectURL(url);
    showAttachments();
  }

  function showAttachments() {
    $('attachments').replaceChildren(...attached.map(({ url }, i) => el('li', {},
      el('img', { src: url, alt: `Image ${i + 1} to send` }),
      el('button', {
        type: 'button', text: 'Remove', 'aria-label': `Remove image ${i + 1}`,
        on: { click: () => { URL.revokeObjectURL(attached.splice(i, 1)[0].url); showAttachments(); } },
      }))));
    $('attachments').hidden = !attached.length;
    checkAttachments();
  }

  $('attach-image').addEventListener('change', (event) => {
    attach([...event.target.files]);
    event.target.value = '';
  });
  $('composer-text').addEventListener('paste', (event) => {
    const images = [...(event.clipboardData?.files || [])].filter((f) => f.type.startsWith('image/'));
    if (images.length) {
      event.preventDefault();
      attach(images);
    }
  });
  $('composer').addEventListener('dragover', (event) => {
    if ([...event.dataTransfer.types].includes('Files')) event.preventDefault();
  });
  $('composer').addEventListener('drop', (event) => {
    if (!event.dataTransfer.files.length) return;
    event.preventDefault();
    attach([...event.dataTransfer.files]);
  });

  // ---- sending: the answer streams as server-sent events over fetch --------------------------------
  $('composer-text').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $('composer').requestSubmit();
    }
  });

  $('composer').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('composer-text').value;
    if ((!text.trim() && !attached.length) || state.streaming || !checkAttachments()) return;
    showError($('composer-error'), null);
    const images = attached.map(({ file }) => file);
    try {
      if (!state.current) {
        const conversation = await newConversation();
        history.replaceState(null, '', `#/c/${conversation.id}`);
        state.current = conversation;
        $('conversation-title').textContent = conversation.title;
        $('conversation-actions').hidden = false;
        $('conversation-model').textContent = `Model: ${conversation.model || state.models.defaultModel}`;
        updateLocalBanner(conversation.model);
      }
      $('composer-text').value = '';
      const first = !$('messages').children.length && state.current.title === DEFAULT_TITLE;
      await send(state.current.id, text, { images });
      if (first && text.trim()) await autoTitle(state.current, text);
    } catch (e) {
      $('composer-text').value = text;
      showError($('composer-error'), e);
    }
  });

  /** A first message names a conversation that still has the default title. */
  async function autoTitle(conversation, text) {
    const line = text.trim().split('\n')[0];
    const title = line.length > 60 ? `${line.slice(0, 59)}…` : line;
    try {
      const updated = await api(`/api/conversations/${conversation.id}`, { method: 'PATCH', body: { title } });
      showTitle(updated);
    } catch {
      // the default title stays; nothing is lost
    }
  }

  function showTitle(updated) {
    if (state.current && state.current.id === updated.id) {
      state.current = updated;
      $('conversation-title').textContent = updated.title;
    }
    const link = document.querySelector(`#conversations [data-id="${updated.id}"] a`);
    if (link) link.textContent = updated.title;
    state.conversations.set(updated.id, updated);
  }

  $('stop').addEventListener('click', () => state.streaming && state.streaming.abort());

  /**
   * Streams one answer into the page: to a new question, to a new version of a question ({ editOf }),
   * or again to the question of an answer ({ regenerate }). True when the answer came whole.
   */
  async function send(conversationId, text, { editOf, regenerate: again, images = [] } = {}) {
    let pending = again ? null : el('li', { class: 'message user' }, el('div', { class: 'body', text }));
    if (pending && images.length) {
      pending.prepend(el('div', { class: 'images' }, ...attached.map(({ url }, i) => el('img', { src: url, alt: `Image ${i + 1} attached to this question` }))));
    }
    const answer = el('li', { class: 'message assistant streaming', 'aria-busy': 'true' });
    const body = el('div', { class: 'body' });
    answer.append(body);
    if (pending) $('messages').append(pending);
    $('messages').append(answer);
    scrollToEnd();
    const controller = new AbortController();
    state.streaming = controller;
    $('send').hidden = true;
    $('stop').hidden = false;
    let content = '';
    let scheduled = false;
    let finished = false;
    const paint = () => {
      scheduled = false;
      renderMarkdown(body, content);
      scrollToEnd();
    };
    try {
      const response = await api(
        again ? `/api/conversations/${conversationId}/messages/${again}/regenerate` : `/api/conversations/${conversationId}/messages`, {
          method: 'POST',
          body: again ? undefined : question(text, editOf, images),
          headers: { Accept: 'text/event-stream' },
          signal: controller.signal,
        });
      for await (const { event, data } of serverSentEvents(response)) {
        if (event === 'user_message') {
          if (images.length) clearAttachments(); // stored with the question
          if (pending) {
            // the stored question, which can be edited from now on
            const stored = messageItem(data);
            pending.replaceWith(stored);
            pending = stored;
          }
        } else if (event === 'token') {
          content += data.text;
          if (!scheduled) {
            scheduled = true;
            requestAnimationFrame(paint);
          }
        } else if (event === 'done') {
          content = data.assistantMessage.content;
          paint();
          answer.dataset.id = data.assistantMessage.id;
          answer.append(meta(data.assistantMessage, data));
          if (data.citations && data.citations.length) answer.append(citations(data.citations));
          moveToTop(conversationId);
          finished = true;
        } else if (event === 'error') {
          throw new ApiError(data.status, data);
        }
      }
    } catch (e) {
      if (e.name === 'AbortError') {
        paint();
        answer.append(el('p', { class: 'meta' }, el('span', { class: 'incomplete', text: 'Stopped: the partial answer is kept' })));
      } else {
        if (!content) answer.remove();
        showError($('composer-error'), e);
      }
    } finally {
      answer.classList.remove('streaming');
      answer.removeAttribute('aria-busy');
      state.streaming = null;
      $('send').hidden = false;
      $('stop').hidden = true;
      scrollToEnd();
    }
    return finished;
  }

  /** A question as JSON, or as a form when images go with it. */
  function question(content, editOf, images) {
    if (!images.length) return { content, ...(editOf ? { editOf } : {}) };
    const form = new FormData();
    form.append('content', content);
    if (editOf) form.append('editOf', editOf);
    for (const image of images) form.append('image', image, image.name || 'pasted-image');
    return form;
  }

  function moveToTop(conversationId) {
    const conversation = state.conversations.get(conversationId) || state.current;
    if (conversation) addConversation(conversation, true);
  }

  /** Parses a text/event-stream body into {event, data} objects as it arrives. */
  async function* serverSentEvents(response) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length) yield { event, data: JSON.parse(data.join('\n')) };
      }
    }
  }

  // ---- rename and delete -------------------------------------------------------------------------
  // ---- a conversation's settings: its model and system prompt --------------------------------------
  $('settings-button').addEventListener('click', () => {
    const conversation = state.current;
    $('settings-model').replaceChildren(
      el('option', { value: '', text: `The default (${state.models.defaultModel})`, selected: !conversation.model }),
      ...state.models.items.map((m) => el('option', {
        value: m.name,
        selected: m.name === conversation.model,
        text: m.local ? `${m.name} (built in)` : m.name,
      })),
    );
    $('settings-system').value = conversation.systemPrompt || '';
    $('settings-temperature').value = conversation.temperature ?? '';
    $('settings').showModal();
  });

  $('settings').addEventListener('close', async () => {
    if ($('settings').returnValue !== 'save' || !state.current) return;
    const id = state.current.id;
    try {
      // an empty string clears a field, null the temperature; each is sent as the dialog shows it
      const temperature = $('settings-temperature').value;
      const updated = await api(`/api/conversations/${id}`, {
        method: 'PATCH',
        body: {
          model: $('settings-model').value,
          systemPrompt: $('settings-system').value,
          temperature: temperature === '' ? null : Number(temperature),
        },
      });
      if (state.current && state.current.id === id) {
        state.current = updated;
        $('conversation-model').textContent = `Model: ${updated.model || state.models.defaultModel}`;
        updateLocalBanner(updated.model);
      }
    } catch (e) {
      showError($('composer-error'), e);
    }
  });

  // ---- export: the whole conversation as Markdown or as JSON that import takes back ----------------
  const EXPORT_FORMAT = 'colloquy.conversation';

  async function allMessages(id) {
    const messages = [];
    let cursor;
    do {
      const query = new URLSearchParams({ limit: 100 });
      if (cursor) query.set('cursor', cursor);
      const page = await api(`/api/conversations/${id}/messages?${query}`);
      messages.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return messages;
  }

  function download(name, type, text) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const link = el('a', { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function fileName(title, extension) {
    const base = title.normalize('NFKC').replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').trim().slice(0, 80);
    return `${base || 'conversation'}.${extension}`;
  }

  async function exportConversation(format) {
    const conversation = state.current;
    try {
      const messages = await allMessages(conversation.id);
      if (format === 'json') {
        download(fileName(conversation.title, 'json'), 'application/json', `${JSON.stringify({
          format: EXPORT_FORMAT,
          version: 1,
          title: conversation.title,
          model: conversation.model,
          systemPrompt: conversation.systemPrompt,
          temperature: conversation.temperature ?? null,
          createdAt: conversation.createdAt,
          messages: messages.map((m) => ({
            role: m.role, content: m.content, model: m.model, status: m.status, createdAt: m.createdAt,
            ...(m.images && m.images.length ? { images: m.images.map(({ mediaType, width, height }) => ({ mediaType, width, height })) } : {}),
          })),
        }, null, 2)}\n`);
        return;
      }
      const lines = [`# ${conversation.title}`, ''];
      lines.push(`Model: ${conversation.model || state.models.defaultModel}`, '');
      if (conversation.systemPrompt) lines.push('## System prompt', '', conversation.systemPrompt, '');
      for (const m of messages) {
        const who = m.role === 'user' ? 'You' : m.role === 'assistant' ? `Assistant${m.model ? ` (${m.model})` : ''}` : 'System';
        lines.push(`## ${who}`, '', m.content, '');
        for (const image of m.images || []) lines.push(`*[Image: ${image.mediaType}, ${image.width}×${image.height}]*`, '');
      }
      download(fileName(conversation.title, 'md'), 'text/markdown', lines.join('\n'));
    } catch (e) {
      showError($('composer-error'), e);
    }
  }
  $('export-markdown').addEventListener('click', () => exportConversation('markdown'));
  $('export-json').addEventListener('click', () => exportConversation('json'));

  // ---- import: Colloquy's own export, or ChatGPT's conversations.json ------------------------------
  const IMPORT_BODY_BYTES = 900 * 1024; // under the service's 1 MB body limit
  const IMPORT_BATCH = 10000;
  const UTF8 = new TextEncoder();

  /** ChatGPT's export keeps every version of a conversation as a tree; the path to current_node is the one shown. */
  function fromChatGpt(conversation) {
    const mapping = conversation.mapping || {};
    const path = [];
    const seen = new Set();
    let node = mapping[conversation.current_node];
    while (node && !seen.has(node.id)) {
      seen.add(node.id);
      path.push(node);
      node = node.parent ? mapping[node.parent] : null;
    }
    path.reverse();
    let systemPrompt = null;
    const messages = [];
    for (const { message } of path) {
      if (!message || !message.content || message.content.content_type !== 'text') continue;
      const role = message.author && message.author.role;
      const text = (message.content.parts || []).filter((part) => typeof part === 'string').join('\n').trim();
      if (!text || !['user', 'assistant', 'system'].includes(role)) continue;
      if (message.metadata && message.metadata.is_visually_hidden_from_conversation) continue;
      if (role === 'system' && !messages.length && systemPrompt === null) systemPrompt = text;
      else messages.push({ role, content: text, model: (message.metadata && message.metadata.model_slug) || null });
    }
    return { title: conversation.title || 'Imported from ChatGPT', model: null, systemPrompt, messages };
  }

  function conversationsIn(data) {
    const list = Array.isArray(data) ? data : [data];
    return list.map((c) => {
      if (c && c.format === EXPORT_FORMAT) {
        return {
          title: c.title, model: c.model, systemPrompt: c.systemPrompt,
          temperature: typeof c.temperature === 'number' && c.temperature >= 0 && c.temperature <= 2 ? c.temperature : null,
          messages: (c.messages || []).map((m) => ({ role: m.role, content: m.content, model: m.model || null })),
        };
      }
      if (c && c.mapping && typeof c.mapping === 'object') return fromChatGpt(c);
      throw new Error('This file is neither a Colloquy export nor ChatGPT\'s conversations.json.');
    });
  }

  /** Batches of messages whose JSON stays under the body limit. */
  function batches(messages) {
    const out = [];
    let batch = [];
    let bytes = 0;
    for (const message of messages) {
      const size = UTF8.encode(JSON.stringify(message)).length + 1;
      if (batch.length && (bytes + size > IMPORT_BODY_BYTES || batch.length === IMPORT_BATCH)) {
        out.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(message);
      bytes += size;
    }
    if (batch.length) out.push(batch);
    return out;
  }

  async function importOne(imported) {
    const known = imported.model && state.models.items.some((m) => m.name === imported.model);
    const conversation = await api('/api/conversations', {
      method: 'POST',
      body: {
        title: String(imported.title || 'Imported conversation').replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 200),
        ...(known ? { model: imported.model } : {}),
        ...(imported.systemPrompt ? { systemPrompt: imported.systemPrompt } : {}),
        ...(typeof imported.temperature === 'number' ? { temperature: imported.temperature } : {}),
      },
      headers: { 'Idempotency-Key': crypto.randomUUID() },
    });
    try {
      for (const batch of batches(imported.messages)) {
        await api(`/api/conversations/${conversation.id}/messages/import`, { method: 'POST', body: { messages: batch } });
      }
    } catch (e) {
      // half a conversation is worse than none: it goes, and the error says why
      await api(`/api/conversations/${conversation.id}`, { method: 'DELETE' }).catch(() => {});
      throw e;
    }
    return conversation;
  }

  $('import-file').addEventListener('change', async () => {
    const file = $('import-file').files[0];
    if (!file) return;
    const result = $('import-result');
    result.textContent = `Importing ${file.name}…`;
    let done = 0;
    let messages = 0;
    const failed = [];
    try {
      const list = conversationsIn(JSON.parse(await file.text())).filter((c) => c.messages.length);
      for (const imported of list) {
        try {
          addConversation(await importOne(imported), true);
          done++;
          messages += imported.messages.length;
        } catch (e) {
          failed.push(`${imported.title}: ${e.message}`);
        }
      }
      result.textContent = [`Imported ${done} conversation${done === 1 ? '' : 's'} (${messages} messages).`,
        failed.length ? `Not imported: ${failed.join('; ')}` : ''].filter(Boolean).join(' ');
    } catch (e) {
      result.textContent = `Not imported: ${e instanceof SyntaxError ? 'the file is not JSON' : e.message}`;
    } finally {
      $('import-file').value = '';
    }
  });

  $('rename-button').addEventListener('click', () => {
    $('rename-title').value = state.current.title;
    $('conversation-title').hidden = true;
    $('conversation-actions').hidden = true;
    $('rename').hidden = false;
    $('rename-title').focus();
  });

  function closeRename() {
    $('rename').hidden = true;
    $('conversation-title').hidden = false;
    $('conversation-actions').hidden = false;
  }

  $('rename').querySelector('[data-cancel]').addEventListener('click', closeRename);
  $('rename').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const updated = await api(`/api/conversations/${state.current.id}`, {
        method: 'PATCH', body: { title: $('rename-title').value },
      });
      showTitle(updated);
      closeRename();
    } catch (e) {
      showError($('composer-error'), e);
    }
  });

  $('delete-button').addEventListener('click', async () => {
    const conversation = state.current;
    if (!conversation || !confirm(`Delete “${conversation.title}” and all its messages?`)) return;
    try {
      await api(`/api/conversations/${conversation.id}`, { method: 'DELETE' });
      state.conversations.delete(conversation.id);
      document.querySelector(`#conversations [data-id="${conversation.id}"]`)?.remove();
      location.hash = '#/';
    } catch (e) {
      showError($('composer-error'), e);
    }
  });

  // ---- search across conversations ---------------------------------------------------------------
  $('search').addEventListener('submit', async (event) => {
    event.preventDefault();
    const q = $('search-q').value.trim();
    const results = $('search-results');
    results.replaceChildren();
    results.hidden = !q;
    if (!q) return;
    try {
      const hits = await api(`/api/search?${new URLSearchParams({ q, limit: 20 })}`);
      if (!hits.items.length) results.append(el('li', { class: 'muted', text: 'No messages match.' }));
      for (const hit of hits.items) {
        results.append(el('li', {}, el('a', { href: `#/c/${hit.conversationId}` },
          el('span', { text: hit.conversationTitle }), snippet(hit.snippet))));
      }
    } catch (e) {
      results.append(el('li', { class: 'error', text: e.message }));
    }
  });
  $('search-q').addEventListener('input', () => {
    if (!$('search-q').value) $('search-results').hidden = true;
  });

  /** The snippet with its «matched» words marked, built from text nodes only. */
  function snippet(text) {
    const out = el('span', { class: 'snippet' });
    text.split(/(«[^»]*»)/).forEach((part) => {
      if (part.startsWith('«') && part.endsWith('»')) out.append(el('mark', { text: part.slice(1, -1) }));
      else if (part) out.append(document.createTextNode(part));
    });
    return out;
  }

  // ---- documents ---------------------------------------------------------------------------------
  async function showDocuments(more = false) {
    clearTimeout(state.documentsPoll);
    try {
      const query = new URLSearchParams({ limit: 50 });
      if (more && state.documentsCursor) query.set('cursor', state.documentsCursor);
      const page = await api(`/api/documents?${query}`);
      if (!more) $('documents').replaceChildren();
      for (const doc of page.items) $('documents').append(documentRow(doc));
      state.documentsCursor = page.nextCursor;
      $('documents-more').hidden = !page.nextCursor;
      if (!$('documents').children.length) {
        $('documents').append(el('tr', {}, el('td', { colspan: 5, class: 'muted', text: 'No documents yet.' })));
      }
      pollWhileProcessing();
    } catch (e) {
      showError($('upload').querySelector('[data-error]'), e);
    }
  }

  function documentRow(doc) {
    const status = doc.status === 'failed' && doc.failureReason ? `failed: ${doc.failureReason}` : doc.status;
    return el('tr', { dataset: { id: doc.id, status: doc.status } },
      el('td', { text: doc.filename }),
      el('td', { class: `status-${doc.status}`, text: status }),
      el('td', { text: bytes(doc.sizeBytes) }),
      el('td', { text: doc.status === 'ready' ? String(doc.chunkCount) : '' }),
      el('td', {}, el('button', {
        type: 'button', class: 'danger', text: 'Delete', 'aria-label': `Delete ${doc.filename}`,
        on: { click: () => deleteDocument(doc) },
      })));
  }

  /** While a document is processing, its row is refreshed every 1.5 s until it is ready or failed. */
  function pollWhileProcessing() {
    const rows = [...document.querySelectorAll('#documents tr[data-status=processing]')];
    if (!rows.length || $('documents-view').hidden) return;
    state.documentsPoll = setTimeout(async () => {
      for (const row of rows) {
        try {
          const fresh = await api(`/api/documents/${row.dataset.id}`);
          row.replaceWith(documentRow(fresh));
        } catch (e) {
          if (e.status === 404) row.remove();
        }
      }
      pollWhileProcessing();
    }, 1500);
  }

  $('documents-more').addEventListener('click', () => showDocuments(true));

  $('upload').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const error = form.querySelector('[data-error]');
    const file = $('upload-file').files[0];
    if (!file) return;
    const data = new FormData();
    data.append('file', file);
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const doc = await api('/api/documents', { method: 'POST', body: data });
      error.textContent = '';
      form.reset();
      $('documents').querySelector(`[data-id="${doc.id}"]`)?.remove();
      $('documents').querySelector('td[colspan]')?.parentElement.remove();
      $('documents').prepend(documentRow(doc));
      pollWhileProcessing();
    } catch (e) {
      showError(error, e);
    } finally {
      button.disabled = false;
    }
  });

  async function deleteDocument(doc) {
    if (!confirm(`Delete “${doc.filename}”? Answers that quoted it are dropped from the cache.`)) return;
    try {
      await api(`/api/documents/${doc.id}`, { method: 'DELETE' });
      $('documents').querySelector(`[data-id="${doc.id}"]`)?.remove();
    } catch (e) {
      showError($('upload').querySelector('[data-error]'), e);
    }
  }

  // ---- usage and budget --------------------------------------------------------------------------
  async function showUsage() {
    const budget = $('budget');
    const rows = $('usage');
    try {
      const [status, usage] = await Promise.all([api('/api/usage/budget'), api('/api/usage')]);
      budget.replaceChildren(
        el('dt', { text: 'Month' }), el('dd', { text: status.month }),
        el('dt', { text: 'Monthly limit' }), el('dd', { text: status.limitUsd === null ? 'none' : usd(status.limitUsd) }),
        el('dt', { text: 'Spent' }), el('dd', { text: usd(status.spentUsd) }),
        el('dt', { text: 'Reserved by calls under way' }), el('dd', { text: usd(status.reservedUsd) }),
        el('dt', { text: 'Left' }), el('dd', { text: status.leftUsd === null ? 'no limit' : usd(status.leftUsd) }),
        el('dt', { text: 'Saved by the cache (30 days)' }), el('dd', { text: usd(usage.totals.savedUsd) }));
      rows.replaceChildren(...usage.days.map((day) => el('tr', {},
        el('td', { text: day.day }), el('td', { text: day.model }), el('td', { text: String(day.calls) }),
        el('td', { text: String(day.inputTokens) }), el('td', { text: String(day.outputTokens) }),
        el('td', { text: usd(day.costUsd) }), el('td', { text: usd(day.savedUsd) }))));
      if (!usage.days.length) rows.append(el('tr', {}, el('td', { colspan: 7, class: 'muted', text: 'No calls yet.' })));
    } catch (e) {
      budget.replaceChildren(el('dd', { class: 'error', text: e.message }));
    }
  }

  // ---- administration (admins only; the server refuses everyone else) ------------------------------
  const STATUS_NAMES = { PENDING: 'waiting for approval', ACTIVE: 'active', DISABLED: 'disabled' };

  async function showAdmin(more = false) {
    const rows = $('accounts');
    const error = $('admin-error');
    const query = new URLSearchParams({ limit: String(PAGE) });
    const q = $('admin-q').value.trim();
    const status = $('admin-status').value;
    if (q) query.set('q', q);
    if (status) query.set('status', status);
    if (more && state.accountsCursor) query.set('cursor', state.accountsCursor);
    try {
      const page = await api(`/api/admin/users?${query}`);
      if (!more) rows.replaceChildren();
      rows.append(...page.items.map(accountRow));
      if (!more && !page.items.length) rows.append(el('tr', {}, el('td', { colspan: 5, class: 'muted', text: 'No accounts found.' })));
      state.accountsCursor = page.nextCursor;
      $('accounts-more').hidden = !page.nextCursor;
      error.textContent = '';
    } catch (e) {
      showError(error, e);
    }
    if (!more) showAudit();
  }

  function accountRow(user) {
    const limits = [
      user.monthlyBudgetUsd === null || user.monthlyBudgetUsd === undefined ? 'default budget' : `${usd(user.monthlyBudgetUsd)} a month`,
      user.models ? user.models.join(', ') : 'every model',
    ].join(' · ');
    const act = (label, handler, cls) => el('button', { type: 'button', class: cls, text: label, on: { click: handler } });
    const actions = [];
    if (user.status === 'PENDING') actions.push(act('Approve', () => adminAction(user, 'approve'), 'primary'));
    if (user.status !== 'DISABLED' && user.id !== state.me.id) actions.push(act('Disable', () => adminAction(user, 'disable')));
    if (user.status === 'DISABLED') actions.push(act('Enable', () => adminAction(user, 'enable')));
    actions.push(act(user.role === 'ADMIN' ? 'Make user' : 'Make admin', () => changeRole(user)));
    actions.push(act('Budget and models', () => editLimits(user)));
    if (user.id !== state.me.id) actions.push(act('Delete', () => deleteAccount(user), 'danger'));
    return el('tr', { dataset: { account: user.id } },
      el('td', {}, el('strong', { text: user.displayName }), el('br'), el('span', { class: 'muted', text: user.email })),
      el('td', { text: user.role === 'ADMIN' ? 'admin' : 'user' }),
      el('td', { dataset: { status: user.status }, text: STATUS_NAMES[user.status] || user.status }),
      el('td', { text: limits }),
      el('td', {}, ...actions));
  }

  async function adminAction(user, action) {
    try {
      await api(`/api/admin/users/${user.id}/${action}`, { method: 'POST', body: {} });
      await showAdmin();
    } catch (e) {
      showError($('admin-error'), e);
    }
  }

  async function changeRole(user) {
    const role = user.role === 'ADMIN' ? 'USER' : 'ADMIN';
    if (!confirm(`Make ${user.email} ${role === 'ADMIN' ? 'an admin' : 'a user'}?`)) return;
    try {
      await api(`/api/admin/users/${user.id}/role`, { method: 'POST', body: { role } });
      await showAdmin();
    } catch (e) {
      showError($('admin-error'), e);
    }
  }

  async function deleteAccount(user) {
    if (!confirm(`Delete ${user.email} and everything the account owns? This cannot be undone.`)) return;
    try {
      await api(`/api/admin/users/${user.id}`, { method: 'DELETE', body: {} });
      await showAdmin();
    } catch (e) {
      showError($('admin-error'), e);
    }
  }

  function editLimits(user) {
    const dialog = $('limits');
    const form = $('limits-form');
    $('limits-who').textContent = user.email;
    $('limits-budget').value = user.monthlyBudgetUsd ?? '';
    $('limits-models').replaceChildren(...state.models.items.map((m) => el('label', {},
      el('input', { type: 'checkbox', name: 'model', value: m.name, checked: Boolean(user.models && user.models.includes(m.name)) }),
      el('span', { text: m.name }))));
    form.querySelector('[data-error]').textContent = '';
    form.onsubmit = async (event) => {
      if (event.submitter && event.submitter.value === 'cancel') return;
      event.preventDefault();
      const budget = $('limits-budget').value.trim();
      const models = [...form.querySelectorAll('input[name=model]:checked')].map((box) => box.value);
      try {
        await api(`/api/admin/users/${user.id}/entitlements`, {
          method: 'PUT',
          body: { monthlyBudgetUsd: budget === '' ? null : Number(budget), models: models.length ? models : null },
        });
        dialog.close();
        await showAdmin();
      } catch (e) {
        showError(form.querySelector('[data-error]'), e);
      }
    };
    dialog.showModal();
  }

  async function showAudit() {
    const rows = $('audit');
    try {
      const page = await api('/api/admin/audit?limit=50');
      rows.replaceChildren(...page.items.map((entry) => el('tr', {},
        el('td', { text: entry.at.replace('T', ' ').slice(0, 19) }),
        el('td', { text: entry.action }),
        el('td', { text: entry.actorId ? entry.actorId.slice(0, 8) : '—' }),
        el('td', { text: entry.targetId ? entry.targetId.slice(0, 8) : '—' }),
        el('td', { text: JSON.stringify(entry.detail) }))));
    } catch (e) {
      rows.replaceChildren(el('tr', {}, el('td', { colspan: 5, class: 'error', text: e.message })));
    }
  }

  $('admin-filter').addEventListener('submit', (event) => {
    event.preventDefault();
    showAdmin();
  });
  $('accounts-more').addEventListener('click', () => showAdmin(true));
  $('invite').addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = $('invite-email').value.trim();
    try {
      const invite = await api('/api/admin/invites', { method: 'POST', body: email ? { email } : {} });
      const link = `${location.origin}/#invite=${encodeURIComponent(invite.code)}`;
      $('invite-result').replaceChildren(
        el('span', { text: `Give this link to ${invite.email || 'the person you invite'}; it works once, until ${invite.expiresAt.slice(0, 10)}: ` }),
        el('code', { text: link }));
      event.target.reset();
      showAudit();
    } catch (e) {
      showError($('invite-result'), e);
    }
  });

  // ---- the sidebar on a phone --------------------------------------------------------------------
  $('menu').addEventListener('click', () => {
    const open = !$('sidebar').classList.contains('open');
    $('sidebar').classList.toggle('open', open);
    $('menu').setAttribute('aria-expanded', String(open));
  });

  function closeSidebar() {
    $('sidebar').classList.remove('open');
    $('menu').setAttribute('aria-expanded', 'false');
  }

  // ---- theme: the system's, or the one chosen here (kept in this browser) ---------------------------
  const THEME = 'colloquy.theme';
  function applyTheme(theme) {
    if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
    else delete document.documentElement.dataset.theme;
    $('theme').value = document.documentElement.dataset.theme || '';
  }
  $('theme').addEventListener('change', () => {
    const theme = $('theme').value;
    if (theme) localStorage.setItem(THEME, theme);
    else localStorage.removeItem(THEME);
    applyTheme(theme);
  });
  applyTheme(localStorage.getItem(THEME));

  // ---- keyboard shortcuts, listed in a dialog ------------------------------------------------------
  function focusComposer() {
    $('composer-text').focus();
  }
  $('shortcuts-button').addEventListener('click', () => $('shortcuts').showModal());
  document.addEventListener('keydown', (event) => {
    if ($('app').hidden || event.isComposing) return;
    const command = event.ctrlKey || event.metaKey;
    const dialogOpen = document.querySelector('dialog[open]');
    if (command && !event.shiftKey && event.key === '/') {
      event.preventDefault();
      if (!dialogOpen) $('shortcuts').showModal();
    } else if (dialogOpen) {
      // a dialog's own keys (Esc closes it)
    } else if (command && event.shiftKey && event.key.toLowerCase() === 'o') {
      event.preventDefault();
      if (location.hash !== '#/') location.hash = '#/';
      else route();
      focusComposer();
    } else if (event.key === 'Escape' && event.shiftKey) {
      event.preventDefault();
      focusComposer();
    } else if (event.key === 'Escape' && state.streaming) {
      event.preventDefault();
      state.streaming.abort();
    }
  });

  showProviders();
  start(takeSingleSignOn());
})();
