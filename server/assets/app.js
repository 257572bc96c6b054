/*
 * indaga serve: the search page. Plain script, no library, no network but
 * this server's own API. Every piece of text from the index or the query
 * reaches the page through textContent or text nodes, never as HTML.
 * The page's state lives in its URL (?q=&year=&symbol=&docf=&annex=&page=,
 * or ?doc=&part=&paragraph= for a document), so every view and every
 * paragraph has a permalink and the browser's back button works.
 */
'use strict';
(function () {
  const PAGE = 10;
  const MESES = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto',
    'septiembre', 'octubre', 'noviembre', 'diciembre'];
  const $ = (id) => document.getElementById(id);
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let pending = null;   // the AbortController of the request in flight

  /* An element with attributes and children (strings become text nodes). */
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const k of kids) if (k !== null && k !== undefined) e.append(k);
    return e;
  }

  function fecha(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
    return m ? `${Number(m[3])} de ${MESES[Number(m[2]) - 1]} de ${m[1]}` : (iso || '');
  }

  /* "S/2017/968 · Anexo I · párr. 3." ("[un] S/2017/968 ..." when several indexes are served) */
  function cita(h) {
    let s = (h.index ? '[' + h.index + '] ' : '') + (h.symbol || h.doc);
    if (h.part) s += ' · ' + (h.part_label || 'Anexo ' + h.part);
    return s + ' · párr. ' + (h.label || h.paragraph);
  }

  /* The snippet with its highlights, which are UTF-8 byte ranges, as <mark>s. */
  function resaltar(snippet, hl) {
    const b = enc.encode(snippet);
    const f = document.createDocumentFragment();
    let at = 0;
    for (const [s, e] of hl || []) {
      if (s < at || e < s || e > b.length) continue;
      f.append(dec.decode(b.subarray(at, s)), el('mark', {}, dec.decode(b.subarray(s, e))));
      at = e;
    }
    f.append(dec.decode(b.subarray(at)));
    return f;
  }

  function estado() {
    const p = new URLSearchParams(location.search);
    const g = (k) => (p.get(k) || '').trim();
    return {
      q: g('q'), year: g('year'), symbol: g('symbol'), docf: g('docf'), annex: g('annex'),
      sort: ['date', '-date'].includes(g('sort')) ? g('sort') : '',
      page: Math.max(1, parseInt(g('page'), 10) || 1),
      doc: p.get('doc'), part: g('part'), paragraph: g('paragraph'), index: g('index'),
    };
  }

  function url(params) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) p.set(k, v);
    const s = p.toString();
    return '/' + (s ? '?' + s : '');
  }

  function citar(v) { return /[\s"()]/.test(v) ? '"' + v.replace(/"/g, '') + '"' : v; }

  /* The query sent: the words typed and the filters, in the query language. */
  function consulta(st) {
    const f = [st.q];
    if (st.year) f.push('year:' + citar(st.year));
    if (st.symbol) f.push('symbol:' + citar(st.symbol));
    if (st.docf) f.push('doc:' + citar(st.docf));
    if (st.annex) f.push('annex:' + citar(st.annex));
    return f.filter(Boolean).join(' ');
  }

  async function api(path, params) {
    if (pending) pending.abort();
    pending = new AbortController();
    const u = new URL(path, location.origin);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    const r = await fetch(u, { signal: pending.signal, headers: { Accept: 'application/json' } });
    const j = await r.json().catch(() => null);
    if (!r.ok) throw new Error(j && j.error ? j.error.message : 'error HTTP ' + r.status);
    return j;
  }

  function mostrar(seccion) {
    for (const id of ['resultados', 'documento', 'bienvenida']) $(id).hidden = id !== seccion;
  }

  function avisar(texto) { $('estado').textContent = texto; }

  /* ---- search ---- */
  function resultado(h, st) {
    const enlace = url({ doc: h.doc, index: h.index, part: h.part, paragraph: h.paragraph, ...base(st),
      page: st.page > 1 ? st.page : '' });
    return el('li', { class: 'resultado' },
      el('p', { class: 'cita' }, el('a', { href: enlace, 'data-spa': true }, cita(h))),
      h.title ? el('p', { class: 'titulo' }, h.title) : null,
      h.date ? el('p', { class: 'fecha' }, el('time', { datetime: h.date }, fecha(h.date))) : null,
      h.snippet ? el('p', { class: 'fragmento' }, resaltar(h.snippet, h.highlights)) : null);
  }

  function paginas(st, total) {
    const nav = $('paginas');
    nav.replaceChildren();
    const ultima = Math.max(1, Math.ceil(Math.min(total, 10000) / PAGE));
    const ir = (p, texto, rel) => el('a', { href: url({ ...base(st), page: p }), rel, 'data-spa': true }, texto);
    if (st.page > 1) nav.append(ir(st.page - 1, '← Anterior', 'prev'));
    nav.append(el('span', {}, `Página ${st.page} de ${ultima}`));
    if (st.page < ultima) nav.append(ir(st.page + 1, 'Siguiente →', 'next'));
  }

  /* The spelling suggestion of summary @s: "Mostrando resultados de «…»" when the hits are its,
  ** else "¿Quisiste decir «…»?", a link when the query is the words typed alone (no filters). */
  function quisiste(s, st, q) {
    const p = $('quisiste');
    p.hidden = !s.suggestion;
    if (!s.suggestion) return p.replaceChildren();
    if (s.corrected) return p.replaceChildren('Mostrando resultados de «', el('strong', {}, s.suggestion), '».');
    const texto = st.q === q ? el('a', { href: url({ q: s.suggestion }), 'data-spa': true }, s.suggestion)
      : el('strong', {}, s.suggestion);
    p.replaceChildren('¿Quisiste decir «', texto, '»?');
  }

  function base(st) {
    return { q: st.q, year: st.year, symbol: st.symbol, docf: st.docf, annex: st.annex, sort: st.sort };
  }

  /* The year counts of facet list @fs beside the results: each a link that sets the year filter. */
  function facetas(fs, st) {
    const aside = $('facetas');
    const anios = fs.filter((f) => f.field === 'year');
    aside.hidden = !anios.length || !!st.year;
    aside.replaceChildren();
    if (aside.hidden) return;
    aside.append(el('h2', {}, 'Por año'), el('ul', {}, ...anios.map((f) => el('li', {},
      el('a', { href: url({ ...base(st), year: f.value }), 'data-spa': true, class: 'faceta' },
        f.value, ' ', el('span', { class: 'cuenta' }, String(f.paragraphs)))))));
  }

  async function buscar(st) {
    mostrar('resultados');
    const q = consulta(st);
    avisar('Buscando…');
    let j;
    try {
      j = await api('/api/search', { q, n: PAGE, offset: (st.page - 1) * PAGE, facet: 'year',
        ...(st.sort ? { sort: st.sort } : {}) });
    } catch (e) {
      if (e.name === 'AbortError') return;
      $('lista').replaceChildren();
      $('paginas').replaceChildren();
      facetas([], st);
      quisiste({}, st, q);
      avisar('No se pudo buscar: ' + e.message);
      return;
    }
    const s = j.summary;
    $('lista').replaceChildren(...j.hits.map((h) => resultado(h, st)));
    quisiste(s, st, q);
    facetas(j.facets || [], st);
    if (!j.hits.length) avisar(`Ningún resultado para «${q}».`);
    else avisar(`${s.total === 1 ? '1 resultado' : s.total + ' resultados'} para «${q}»` +
      ` (${(s.took_us / 1000).toFixed(1)} ms).` +
      (s.partial ? ' Resultados parciales: el tiempo de la búsqueda se agotó.' : '') +
      (s.note ? ' Nota: ' + s.note : ''));
    $('lista').start = (st.page - 1) * PAGE + 1;
    paginas(st, s.total);
    document.title = `${st.q} · indaga`;
  }

  /* ---- the document view ---- */
  function plegar(s) { return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(); }

  /* Mark in @nodo the words that begin as a query word does (accents and case aside). */
  function marcarPalabras(nodo, q) {
    const raices = q.split(/\s+/).filter((w) => !/[:*]/.test(w) && !/^(OR|AND|NOT)$/.test(w))
      .map((w) => plegar(w.replace(/^[-+"(]+|["()]+$/g, ''))).filter((w) => w.length >= 3)
      .map((w) => w.slice(0, Math.max(3, Math.min(w.length, 6))));
    if (!raices.length) return;
    const texto = nodo.textContent;
    const f = document.createDocumentFragment();
    let at = 0;
    for (const m of texto.matchAll(/[\p{L}\p{N}]+/gu)) {
      if (!raices.some((r) => plegar(m[0]).startsWith(r))) continue;
      f.append(texto.slice(at, m.index), el('mark', {}, m[0]));
      at = m.index + m[0].length;
    }
    f.append(texto.slice(at));
    nodo.replaceChildren(f);
  }

  function parrafo(doc, p, st) {
    const id = `p-${p.part}-${p.paragraph}`;
    const enlace = url({ doc, index: st.index, part: p.part, paragraph: p.paragraph });
    const nombre = (p.label || p.paragraph) + '';
    const div = el('div', { class: 'parrafo' + (p.heading ? ' encabezado' : ''), id },
      el('span', { class: 'etiqueta' }, p.label || ''),
      el('div', { class: 'texto' }, el('span', {}, p.text), ' ',
        el('a', { class: 'enlace', href: enlace, 'aria-label': `Enlace permanente al párrafo ${nombre}` }, '¶')));
    if (String(p.part) === st.part && String(p.paragraph) === st.paragraph) {
      div.classList.add('hit');
      div.setAttribute('tabindex', '-1');
      div.setAttribute('aria-current', 'true');
      if (st.q) marcarPalabras(div.querySelector('.texto > span'), st.q);
    }
    return div;
  }

  function ficha(d) {
    const m = d.meta || {};
    const dl = el('dl', {});
    const fila = (k, v) => { if (v) dl.append(el('dt', {}, k), el('dd', {}, v)); };
    fila('Símbolo', m.symbol);
    fila('Fecha', m.date ? el('time', { datetime: m.date }, fecha(m.date)) : null);
    fila('Original', m.original);
    fila('Documento', d.doc);
    return dl;
  }

  async function documento(st) {
    mostrar('documento');
    avisar('Cargando el documento…');
    let j;
    try {
      j = await api('/api/doc', st.index ? { doc: st.doc, index: st.index } : { doc: st.doc });
    } catch (e) {
      if (e.name === 'AbortError') return;
      $('documento').replaceChildren();
      avisar('No se pudo abrir el documento: ' + e.message);
      return;
    }
    const d = j.document;
    const art = $('documento');
    const partes = new Map();
    for (const p of d.parts) partes.set(p.part, el('section', { 'aria-label': p.label || 'Cuerpo del documento' },
      p.part ? el('h2', {}, p.label || 'Anexo ' + p.part) : null));
    for (const p of j.paragraphs) {
      const sec = partes.get(p.part);
      if (sec) sec.append(parrafo(d.doc, p, st));
    }
    const volver = st.q ? el('a', { class: 'volver', href: url({ ...base(st), page: st.page > 1 ? st.page : '' }),
      'data-spa': true }, '← Volver a los resultados') : null;
    art.replaceChildren(volver || '', el('h1', {}, (d.meta && d.meta.title) || d.doc), ficha(d), ...partes.values());
    document.title = ((d.meta && (d.meta.symbol || d.meta.title)) || d.doc) + ' · indaga';
    const hit = art.querySelector('.hit');
    if (hit) {
      avisar(`Documento abierto en el párrafo ${st.paragraph}` + (st.part !== '0' ? ` del anexo ${st.part}.` : '.'));
      hit.scrollIntoView({ block: 'center' });
      hit.focus({ preventScroll: true });
    } else {
      avisar('Documento abierto.');
    }
  }

  async function bienvenida() {
    mostrar('bienvenida');
    avisar('');
    document.title = 'indaga: búsqueda en documentos';
    try {
      const s = await api('/api/stats', {});
      $('cifras').textContent = `El índice tiene ${s.documents} documentos y ${s.paragraphs} párrafos.`;
    } catch (e) {
      if (e.name !== 'AbortError') $('cifras').textContent = 'El índice no está disponible: ' + e.message;
    }
  }

  function pintar() {
    const st = estado();
    /* The filters stay open on a wide screen, or when one is set; folded on a phone. */
    if (matchMedia('(min-width: 40rem)').matches || st.year || st.symbol || st.docf || st.annex) {
      $('caja-filtros').open = true;
    }
    $('q').value = st.q;
    $('f-year').value = st.year;
    $('f-symbol').value = st.symbol;
    $('f-doc').value = st.docf;
    $('f-annex').value = st.annex;
    $('orden').value = st.sort;
    if (st.doc) return documento(st);
    if (st.q || st.year || st.symbol || st.docf || st.annex) return buscar(st);
    return bienvenida();
  }

  function navegar(href) {
    history.pushState(null, '', href);
    pintar();
    $('principal').focus({ preventScroll: true });
  }

  /* ---- suggestions as one types (a combobox, WAI-ARIA 1.2) ---- */
  const caja = $('q');
  const lista = $('sugerencias');
  let elegida = -1;
  let espera = 0;
  let turno = 0;

  function cerrar() {
    lista.hidden = true;
    lista.replaceChildren();
    caja.setAttribute('aria-expanded', 'false');
    caja.removeAttribute('aria-activedescendant');
    elegida = -1;
  }

  function marcar(i) {
    const items = lista.children;
    if (!items.length) return;
    elegida = (i + items.length) % items.length;
    for (let k = 0; k < items.length; k++) items[k].setAttribute('aria-selected', k === elegida ? 'true' : 'false');
    caja.setAttribute('aria-activedescendant', items[elegida].id);
  }

  async function sugerir() {
    const q = caja.value;
    const mio = ++turno;
    if (!q.trim() || /\s$/.test(q)) { cerrar(); return; }
    let j;
    try {
      const u = new URL('/api/suggest', location.origin);
      u.searchParams.set('q', q);
      u.searchParams.set('n', '8');
      const r = await fetch(u, { headers: { Accept: 'application/json' } });
      if (!r.ok) { cerrar(); return; }
      j = await r.json();
    } catch (e) { cerrar(); return; }
    if (mio !== turno || caja.value !== q) return;   // the text moved on
    const todas = (j.completions || []).filter((c) => c !== q);
    if (!todas.length) { cerrar(); return; }
    lista.replaceChildren(...todas.map((c, i) => el('li', { role: 'option', id: 'sug-' + i, 'aria-selected': 'false' }, c)));
    lista.hidden = false;
    caja.setAttribute('aria-expanded', 'true');
    elegida = -1;
  }

  function elegir(i) {
    const li = lista.children[i];
    if (!li) return;
    caja.value = li.textContent;
    cerrar();
    $('buscar').requestSubmit();
  }

  caja.addEventListener('input', () => { clearTimeout(espera); espera = setTimeout(sugerir, 120); });
  caja.addEventListener('keydown', (e) => {
    if (lista.hidden) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); marcar(elegida + 1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); marcar(elegida - 1); }
    else if (e.key === 'Escape') { e.preventDefault(); cerrar(); }
    else if (e.key === 'Enter' && elegida >= 0) { e.preventDefault(); elegir(elegida); }
  });
  caja.addEventListener('blur', () => setTimeout(cerrar, 150));
  lista.addEventListener('mousedown', (e) => {
    const li = e.target.closest('li');
    if (li) { e.preventDefault(); elegir([...lista.children].indexOf(li)); }
  });

  /* ---- wiring ---- */
  $('buscar').addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(espera);
    turno++;
    cerrar();
    navegar(url({ q: caja.value.trim(), year: $('f-year').value.trim(), symbol: $('f-symbol').value.trim(),
      docf: $('f-doc').value.trim(), annex: $('f-annex').value, sort: $('orden').value }));
  });
  $('orden').addEventListener('change', () => $('buscar').requestSubmit());
  $('limpiar').addEventListener('click', () => {
    for (const id of ['f-year', 'f-symbol', 'f-doc', 'f-annex']) $(id).value = '';
    $('buscar').requestSubmit();
  });
  document.addEventListener('click', (e) => {
    const a = e.target.closest('a[data-spa]');
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navegar(a.getAttribute('href'));
  });
  window.addEventListener('popstate', pintar);
  pintar();
})();
