'use strict';
// SmartSync's pages: a small router over the JSON API, SVG charts, live updates from /v1/stream.
// Amounts stay decimal strings; sums and percentages are exact (BigInt in units of 1e-8). Numbers are used only for
// the pixel coordinates of charts.
const S = { key: localStorage.getItem('smartsync.key'), me: null, ws: null, onEvent: null, missed: null, wsRetry: 0, config: null, market: null, drawings: 0, drawnAt: 0 };
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const main = () => $('#main');

// ---- exact decimals (units of 1e-8) ----
const SCALE = 100000000n;
function dec(s) {
  s = String(s ?? '0').trim();
  const neg = s.startsWith('-'); if (neg || s.startsWith('+')) s = s.slice(1);
  if (!/^\d*(\.\d*)?$/.test(s) || s === '' || s === '.') return null;
  const [i, f = ''] = s.split('.');
  if (f.length > 8) return null;
  const v = BigInt(i || '0') * SCALE + BigInt((f + '00000000').slice(0, 8));
  return neg ? -v : v;
}
const D = s => dec(s) ?? 0n;
function exact(v) {  // units -> shortest exact decimal string
  const neg = v < 0n; if (neg) v = -v;
  const s = (v / SCALE).toString(), f = (v % SCALE).toString().padStart(8, '0').replace(/0+$/, '');
  return (neg ? '-' : '') + s + (f ? '.' + f : '');
}
function fixed(v, places) {  // units -> rounded half away from zero, grouped
  const neg = v < 0n; if (neg) v = -v;
  const div = 10n ** BigInt(8 - places);
  const q = (v + div / 2n) / div;
  const s = q.toString().padStart(places + 1, '0');
  let a = places ? s.slice(0, -places) : s; const b = places ? s.slice(-places) : '';
  a = a.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg && q !== 0n ? '-' : '') + a + (b ? '.' + b : '');
}
const usd = s => fixed(typeof s === 'bigint' ? s : D(s), 2);
const pct = (s, places = 2) => fixed((typeof s === 'bigint' ? s : D(s)) * 100n, places) + '%';
const ratioOf = (a, b) => b === 0n ? 0n : (a * SCALE) / b;
const sign = v => { const x = typeof v === 'bigint' ? v : D(v); return x > 0n ? 1 : x < 0n ? -1 : 0; };
const cls = v => ['down', '', 'up'][sign(v) + 1];
const shown = t => /[1-9]/.test(t);  // a formatted value that is not zero once rounded
const signed = (s, f = usd) => { const t = f(s); return (sign(s) > 0 && shown(t) ? '+' : '') + t; };
const tone = (s, f = usd) => shown(f(s)) ? cls(s) : '';  // the colour of what signed() shows
const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now());
const base = symbol => String(symbol).split('-')[0];

// ---- dates, in the reader's time zone ----
const two = n => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function when(t) {
  if (!t) return '';
  const d = new Date(t);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
function shortDate(ms, withYear) {
  const d = new Date(ms);
  return `${MONTHS[d.getMonth()]} ${d.getDate()}` + (withYear ? ` ${d.getFullYear()}` : '');
}

// ---- the API ----
class APIError extends Error { constructor(m, status, code, field) { super(m); this.status = status; this.code = code; this.field = field; } }
async function api(method, path, body, idempotencyKey) {
  const headers = { Accept: 'application/json' };
  if (S.key) headers.Authorization = 'Bearer ' + S.key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let data = null; try { data = text ? JSON.parse(text) : null; } catch (_) {}
  if (!r.ok) {
    const e = data && data.error;
    throw new APIError(e ? e.message : (r.status + ' ' + r.statusText), r.status, e && e.code, e && e.field);
  }
  return data;
}
const get = p => api('GET', p);
const enc = encodeURIComponent;

// ---- money-moving forms: one Idempotency-Key per intent, buttons off while a request is out ----
// The same form submitted again with the same content (a double click, a retry after a lost answer) reuses the
// key, so the server acts once; changed content is a new intent with a new key; success forgets the key.
function keyFor(form, payload) {
  const sig = JSON.stringify(payload);
  if (form._sig !== sig) { form._sig = sig; form._key = newKey(); }
  return form._key;
}
async function submitting(form, run) {
  if (form._busy) return false;
  form._busy = true;
  $$('button', form).forEach(b => b.disabled = true);
  try { await run(); form._sig = null; return true; }
  finally { form._busy = false; $$('button', form).forEach(b => b.disabled = false); }
}

// ---- forms: the API's message next to the field it names ----
function clearErrors(form) { $$('.error', form).forEach(e => e.textContent = ''); }
function showError(form, err, fieldMap = {}) {
  const field = err.field || '';
  const bare = field.replace(/^controls\./, '').split(/[.[]/)[0];
  const target = fieldMap[field] || fieldMap[field.split('.')[0]] || fieldMap[bare] || 'form';
  const box = form.querySelector(`[data-error-for="${target}"]`) || form.querySelector('[data-error-for="form"]');
  box.textContent = err.message;
}
const invalid = (message, field) => new APIError(message, 400, 'invalidInput', field);
// A percentage typed as a percentage ("20" is 20%), as an exact ratio string ("0.2"); limits in percent.
function percentInput(text, field, { max = null, maxText = '', allowZero = false } = {}) {
  const v = dec(String(text).trim().replace(/%$/, ''));
  if (String(text).trim() === '') throw invalid('is required', field);
  if (v === null) throw invalid('enter a percentage, like 20 or 12.5', field);
  if (v < 0n || (v === 0n && !allowZero)) throw invalid(allowZero ? 'must be 0% or more' : 'must be above 0%', field);
  if (max !== null && v > max * 100n) throw invalid(`must be at most ${maxText || exact(max * 100n) + '%'}`, field);
  if (v % 100n !== 0n) throw invalid('must have at most 6 decimals', field);
  return exact(v / 100n);
}
function amountInput(text, field) {
  const t = String(text).trim();
  if (!t) throw invalid('is required', field);
  const v = dec(t);
  if (v === null) throw invalid('enter an amount like 100 or 250.5 (at most 8 decimals)', field);
  if (v <= 0n) throw invalid('must be above 0', field);
  return exact(v);
}
function thresholdFrom(form, name) {
  const kind = form.elements[name + 'Kind'].value, value = form.elements[name + 'Value'].value;
  if (kind === 'none') return null;
  return kind === 'ratio'
    ? { ratio: percentInput(value, name + '.ratio', name === 'stopLoss' ? { max: SCALE, maxText: '100% (all of it)' } : {}) }
    : { amount: amountInput(value, name + '.amount') };
}
// Copy controls: the pairs copied (all when every box is ticked), the most one symbol may weigh (%), the most one
// buy spends (USDT). Blank fields are no limit.
function controlFields(c, markets) {
  const pairs = c && c.pairs;
  const weight = c && c.maxSymbolWeight ? exact(D(c.maxSymbolWeight) * 100n) : '';
  return `<fieldset class="choices controls" aria-label="Limits on what the copy buys"><b>Limits</b> <span class="muted small">optional; sells are always copied</span>
    <label class="check"><input type="checkbox" name="allPairs"${pairs ? '' : ' checked'}> Every pair, including pairs listed later</label>
    <div class="row" id="pairs-boxes">${markets.map(m => `<label class="check"><input type="checkbox" name="pair" value="${esc(m.symbol)}"${!pairs || pairs.includes(m.symbol) ? ' checked' : ''}> ${esc(m.symbol)}</label>`).join('')}</div>
    <div class="hint">Or only the pairs ticked: untick "Every pair" and any pair you do not want this copy to buy.</div><div class="error" data-error-for="pairs"></div>
    <div class="row"><label for="maxSymbolWeight">Max weight of one coin (%)</label><input type="text" inputmode="decimal" id="maxSymbolWeight" name="maxSymbolWeight" class="short" value="${esc(weight)}" placeholder="no limit"></div>
    <div class="error" data-error-for="maxSymbolWeight"></div>
    <div class="row"><label for="maxOrderAmount">Max per buy (USDT)</label><input type="text" inputmode="decimal" id="maxOrderAmount" name="maxOrderAmount" class="short" value="${esc(c && c.maxOrderAmount || '')}" placeholder="no limit"></div>
    <div class="error" data-error-for="maxOrderAmount"></div></fieldset>`;
}
function controlsFrom(form) {
  const c = {};
  if (!form.elements.allPairs.checked) {
    const ticked = [...form.querySelectorAll('input[name="pair"]')].filter(b => b.checked).map(b => b.value);
    if (!ticked.length) throw invalid('tick at least one pair', 'pairs');
    c.pairs = ticked;
  }
  const w = form.elements.maxSymbolWeight.value.trim();
  if (w) c.maxSymbolWeight = percentInput(w, 'maxSymbolWeight', { max: SCALE, maxText: '100%' });
  const a = form.elements.maxOrderAmount.value.trim();
  if (a) c.maxOrderAmount = amountInput(a, 'maxOrderAmount');
  return c;
}
function controlsText(c) {
  if (!c) return 'none';
  return [c.pairs ? 'only ' + c.pairs.join(', ') : null, c.maxSymbolWeight ? `at most ${pct(c.maxSymbolWeight)} in one coin` : null,
    c.maxOrderAmount ? `at most ${usd(c.maxOrderAmount)} USDT per buy` : null].filter(Boolean).join(' · ') || 'none';
}
function thresholdText(t) {
  if (!t) return 'none';
  return t.amount !== undefined ? `${usd(t.amount)} USDT` : pct(t.ratio);
}
const sameThreshold = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
function thresholdFields(name, label, t, help) {
  const kind = !t ? 'none' : t.amount !== undefined ? 'amount' : 'ratio';
  const value = !t ? '' : t.amount !== undefined ? t.amount : exact(D(t.ratio) * 100n);
  return `<div class="field"><label for="${name}Value">${label}</label>
    <div class="row"><select name="${name}Kind" id="${name}Kind">
      <option value="none"${kind === 'none' ? ' selected' : ''}>none</option>
      <option value="amount"${kind === 'amount' ? ' selected' : ''}>amount (USDT)</option>
      <option value="ratio"${kind === 'ratio' ? ' selected' : ''}>% of net invested</option></select>
    <input type="text" inputmode="decimal" name="${name}Value" id="${name}Value" value="${esc(value)}" class="short"></div>
    <div class="hint">${help}</div><div class="error" data-error-for="${name}"></div></div>`;
}
// The loss (stop loss) or gain (take profit) distance of a threshold from net invested, in units (DESIGN §3a).
function thresholdDistance(t, invested) {
  if (!t) return null;
  return t.amount !== undefined ? D(t.amount) : (invested * D(t.ratio)) / SCALE;
}

// ---- charts (SVG; colours from the style sheet, so they follow the light or dark theme) ----
function niceStep(span, count) {
  const raw = span / count, mag = 10 ** Math.floor(Math.log10(raw)), n = raw / mag;
  return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * mag;
}
// series: [{ name, cls, points: [{ t (ms), y (Number) }] }]; markers: [{ t, label }]
function lineChart(series, { width = chartWidth(), height = Math.round(Math.min(300, Math.max(200, chartWidth() * 0.32))), yFormat = v => v.toFixed(2), markers = [], label = 'chart' } = {}) {
  const pad = { l: 56, r: 14, t: 16, b: 26 };
  const all = series.flatMap(s => s.points).filter(p => p.t !== null && p.t !== undefined && Number.isFinite(p.y));
  if (all.length === 0) return '<p class="muted">No history yet.</p>';
  let x0 = Math.min(...all.map(p => p.t)), x1 = Math.max(...all.map(p => p.t));
  let y0 = Math.min(...all.map(p => p.y)), y1 = Math.max(...all.map(p => p.y));
  if (x1 === x0) x1 = x0 + 86400000;
  if (y1 === y0) { y0 -= Math.abs(y0) * 0.05 || 1; y1 += Math.abs(y1) * 0.05 || 1; }
  const step = niceStep(y1 - y0, 4);
  y0 = Math.floor(y0 / step) * step; y1 = Math.ceil(y1 / step) * step;
  const X = x => pad.l + (x - x0) / (x1 - x0) * (width - pad.l - pad.r);
  const Y = y => pad.t + (1 - (y - y0) / (y1 - y0)) * (height - pad.t - pad.b);
  let out = `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}">`;
  for (let v = y0; v <= y1 + step / 2; v += step) {
    out += `<line class="grid" x1="${pad.l}" x2="${width - pad.r}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}"/>`;
    out += `<text class="y" x="${pad.l - 6}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end">${esc(yFormat(v, step))}</text>`;
  }
  const years = new Date(x0).getFullYear() !== new Date(x1).getFullYear();
  const hours = x1 - x0 < 2 * 86400000;  // a short span is labelled with times of day
  const ticks = width < 500 ? 2 : 3;  // intervals: a narrow chart has room for three labels
  for (let k = 0; k <= ticks; k++) {
    const t = x0 + (x1 - x0) * k / ticks, d = new Date(t);
    const label = hours ? (k === 0 ? shortDate(t, years) + ' ' : '') + `${two(d.getHours())}:${two(d.getMinutes())}` : shortDate(t, years || k === 0);
    out += `<text class="x" x="${X(t).toFixed(1)}" y="${height - 8}" text-anchor="${k === 0 ? 'start' : k === ticks ? 'end' : 'middle'}">${esc(label)}</text>`;
  }
  for (const m of markers) {
    if (m.t < x0 || m.t > x1) continue;
    const x = X(m.t), right = x > width - pad.r - 60;
    out += `<line class="marker" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${pad.t}" y2="${height - pad.b}"><title>${esc(m.label)}</title></line>`;
    out += `<text class="marker-label" x="${(right ? x - 3 : x + 3).toFixed(1)}" y="${height - pad.b - 5}" text-anchor="${right ? 'end' : 'start'}">${esc(m.short || '')}</text>`;
  }
  for (const s of series) {
    const pts = s.points.filter(p => p.t !== null && p.t !== undefined && Number.isFinite(p.y));
    if (!pts.length) continue;
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${X(p.t).toFixed(1)},${Y(p.y).toFixed(1)}`).join('');
    out += `<path class="line ${s.cls}" d="${d}"><title>${esc(s.name)}</title></path>`;
    const p = pts[pts.length - 1];
    out += `<circle class="dot ${s.cls}" cx="${X(p.t).toFixed(1)}" cy="${Y(p.y).toFixed(1)}" r="3"><title>${esc(s.name)}: ${esc(yFormat(p.y))}</title></circle>`;
  }
  out += '</svg>';
  // The key above the chart, in the page's text (so it never sits on a line or a marker).
  return series.length > 1 ? `<div class="chart-key">${series.map(s => `<span class="${s.cls}"><i></i>${esc(s.name)}</span>`).join('')}</div>` + out : out;
}
// Drawn at the width it is shown at, so that its text is the size of the page's text.
function chartWidth() { return Math.max(300, Math.min(1068, (main().clientWidth || 800) - 34)); }
// A return in percent: on the axis with the decimals its step needs (all labels alike), elsewhere with two.
function percentAxis(v, step) {
  const t = v.toFixed(step === undefined ? 2 : step >= 1 ? 0 : step >= 0.1 ? 1 : 2);
  return (/[1-9]/.test(t) ? (v > 0 ? '+' : '') + t : t.replace('-', '')) + '%';
}
function sparkline(navs) {
  if (!navs || navs.length < 2) return '';
  const ys = navs.map(Number), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const d = ys.map((y, i) => `${i ? 'L' : 'M'}${(i / (ys.length - 1) * 100).toFixed(1)},${(26 - (y - y0) / ((y1 - y0) || 1) * 24).toFixed(1)}`).join('');
  return `<svg viewBox="0 0 100 28" width="100" height="28" aria-hidden="true"><path class="line ${ys[ys.length - 1] >= ys[0] ? 's-up' : 's-down'}" d="${d}"/></svg>`;
}
const stat = (label, value, c = '', id = '', note = '') => `<div class="stat"${id ? ` data-stat="${id}"` : ''}><div class="label">${label}</div><div class="value ${c}">${value}</div>${note ? `<div class="note">${note}</div>` : ''}</div>`;
const bar = (ratio, lead) => `<span class="bar${lead ? ' lead' : ''}" style="width:${Math.max(0, Math.min(60, Number(ratio) * 60)).toFixed(1)}px"></span>`;

// ---- pages ----
// A page returns nothing, or { redirect: path } to send the browser elsewhere (the router follows it).
const redirect = path => ({ redirect: path });
const signInFirst = () => redirect('/signin?next=' + enc(location.pathname + location.search));
const SORTS = [['roi', 'ROI'], ['pnl', 'PnL'], ['aum', 'AUM'], ['followers', 'Followers'], ['maxDrawdown', 'Max drawdown'], ['winRate', 'Win rate']];
const PERIODS = [['7d', '7 days'], ['30d', '30 days'], ['90d', '90 days'], ['all', 'All time']];
// The leads the signed-in user copies now: lead → copy id.
async function myActiveCopies() {
  if (!S.key) return new Map();
  const copies = await get('/v1/copies?view=summary');
  return new Map(copies.filter(c => c.status !== 'stopped').map(c => [c.lead, c.id]));
}
function copyAction(l, copying, { compact = false } = {}) {
  if (l.status !== 'active') return '<span class="muted">not leading</span>';
  if (S.me && S.me.id === l.user) return '<span class="muted">you</span>';
  if (copying.has(l.user)) return `<a class="button copying" href="/copies/${enc(copying.get(l.user))}" data-link data-copying="${esc(l.user)}">Copying</a>`;
  if (l.followers >= l.followerLimit) return '<button disabled>Full</button>';
  return `<a class="button primary" href="/copy/${enc(l.user)}" data-link data-copy="${esc(l.user)}"${compact ? '' : ' id="copy-button"'}>Copy</a>`;
}

async function pageBoard() {
  const q = new URLSearchParams(location.search);
  const sort = q.get('sort') || 'roi', period = q.get('period') || 'all';
  const [leads, copying] = await Promise.all([get(`/v1/leads?sort=${enc(sort)}&period=${enc(period)}`), myActiveCopies()]);
  const periodName = PERIODS.find(p => p[0] === period)?.[1] || 'All time';
  const link = (s, p) => `/leads?sort=${s}&period=${p}`;
  main().innerHTML = `<h1>Lead traders</h1>
    <div class="toolbar"><div class="sorts" id="periods" role="group" aria-label="Period">${PERIODS.map(([k, l]) => `<a class="button${k === period ? ' on' : ''}" data-period="${k}" href="${link(sort, k)}" data-link>${l}</a>`).join('')}</div>
    <div class="sorts" id="sorts" role="group" aria-label="Sort by"><span class="muted">Sort by</span> ${SORTS.map(([k, l]) => `<a class="button${k === sort ? ' on' : ''}" data-sort="${k}" href="${link(k, period)}" data-link>${l}</a>`).join('')}</div></div>
    <div class="scroll"><table id="board"><thead><tr><th>Lead</th><th>ROI<span class="hide-phone"> · ${esc(periodName)}</span></th><th>PnL<span class="hide-phone"> · ${esc(periodName)}</span></th><th class="hide-phone">AUM (USDT)</th><th class="hide-phone">Followers</th><th class="hide-phone">Max drawdown</th><th class="hide-phone">Win rate</th><th class="hide-phone">NAV</th><th></th></tr></thead><tbody>
    ${leads.map(l => { const r = l.returns[period] || l.returns.all; return `<tr data-lead="${esc(l.user)}"><td><a href="/leads/${enc(l.user)}" data-link>${esc(l.user)}</a></td>
      <td class="${cls(r.roi)}" data-col="roi">${signed(r.roi, pct)}</td><td class="${cls(r.pnl)}">${signed(r.pnl)}</td><td class="hide-phone">${usd(l.aum)}</td>
      <td class="hide-phone">${l.followers} / ${l.followerLimit}</td><td class="hide-phone">${pct(l.maxDrawdown)}</td><td class="hide-phone">${pct(l.winRate)}</td>
      <td class="hide-phone">${sparkline(l.sparkline)}</td><td>${copyAction(l, copying, { compact: true })}</td></tr>`; }).join('') || '<tr><td colspan="9" class="muted">Nobody is leading yet.</td></tr>'}
    </tbody></table></div>
    <p class="hint">ROI is the change of the lead portfolio's unit value (money the lead moves in or out is not profit). Periods end at the market's time.</p>`;
  // Prices move every few seconds: the board is read again at most every 10 s (a few kilobytes), not on every event.
  S.onEvent = paced(10000, ev => ev.type === 'leadFill' || ev.type === 'price');
}

async function pageLead(user) {
  const [l, fills, config, copying] = await Promise.all([
    get(`/v1/leads/${enc(user)}?curvePoints=300`), get(`/v1/leads/${enc(user)}/fills?limit=20`), getConfig(), myActiveCopies()]);
  const cashWeight = D(l.equity) > 0n ? exact(ratioOf(D(l.cash), D(l.equity))) : '0';
  main().innerHTML = `<h1>${esc(l.user)} <span class="badge ${l.status}">${l.status}</span></h1>
    <div class="grid">
      ${stat('ROI (all time)', signed(l.roi, pct), cls(l.roi), 'roi')}${stat('PnL', signed(l.pnl) + ' USDT', cls(l.pnl))}${stat('Equity', usd(l.equity) + ' USDT')}
      ${stat('AUM (copy accounts)', usd(l.aum) + ' USDT')}${stat('Followers', `${l.followers} / ${l.followerLimit}`, '', 'followers')}
      ${stat('Win rate', `${pct(l.winRate)}`, '', '', `${l.closedRoundTrips} closed round trip${l.closedRoundTrips === 1 ? '' : 's'}`)}${stat('Max drawdown', pct(l.maxDrawdown))}
      ${stat('Profit share', pct(l.profitShareRate), '', '', 'of followers\' realized profit above their high-water mark')}
    </div>
    <div class="scroll"><table id="returns" class="compact"><thead><tr><th>Period</th><th>ROI</th><th>PnL (USDT)</th></tr></thead><tbody>
      ${PERIODS.map(([k, name]) => `<tr data-period="${k}"><td>${name}</td><td class="${cls(l.returns[k].roi)}">${signed(l.returns[k].roi, pct)}</td><td class="${cls(l.returns[k].pnl)}">${signed(l.returns[k].pnl)}</td></tr>`).join('')}</tbody></table></div>
    <div class="card cta"><div>Copy ${esc(l.user)} in <b>Smart Sync</b> mode: every trade is copied as the same share of your copy's equity. Minimum ${usd(config.minInvestment)} USDT.</div>
      <div>${copyAction(l, copying)}</div></div>
    <h2>Return since it started leading</h2>${lineChart([{ name: 'Lead return', cls: 's-lead', points: l.equityCurve.map(p => ({ t: Date.parse(p.time), y: (Number(p.nav) - 1) * 100 })) }], { yFormat: percentAxis, label: 'lead return' })}
    <h2>Portfolio now</h2>
    <div class="scroll"><table id="weights" class="cards"><thead><tr><th>Asset</th><th>Quantity</th><th>Avg cost</th><th>Value (USDT)</th><th>Weight</th></tr></thead><tbody>
      ${l.holdings.map(h => `<tr><td>${esc(base(h.symbol))}</td><td>${esc(h.quantity)}</td><td>${usd(h.averageCost)}</td><td>${usd(h.value)}</td><td>${bar(h.weight)} ${pct(h.weight)}</td></tr>`).join('')}
      <tr><td>USDT</td><td>${usd(l.cash)}</td><td></td><td>${usd(l.cash)}</td><td>${bar(cashWeight)} ${pct(cashWeight)}</td></tr>
    </tbody></table></div>
    <h2>Latest trades</h2>${leadFillsTable(fills.slice().reverse())}`;
  S.onEvent = paced(5000, ev => (ev.type === 'leadFill' && ev.lead === user) || ev.type === 'price');
}
function leadFillsTable(fills) {
  return `<div class="scroll"><table class="cards lead-fills"><thead><tr><th>Time</th><th>Pair</th><th>Side</th><th>Quantity</th><th>Price</th><th>Value (USDT)</th></tr></thead><tbody>
    ${fills.map(f => `<tr><td>${when(f.time)}</td><td>${esc(f.symbol)}</td><td class="${f.side === 'buy' ? 'up' : 'down'}">${f.side}</td><td>${esc(f.quantity)}</td><td>${usd(f.price)}</td><td>${usd(f.quote)}</td></tr>`).join('') || '<tr><td colspan="6" class="muted">No trades yet.</td></tr>'}
    </tbody></table></div>`;
}

async function pageCopySetup(lead) {
  if (!S.key) return signInFirst();
  const [l, config, me, copying, markets] = await Promise.all([get(`/v1/leads/${enc(lead)}?curvePoints=0`), getConfig(), get('/v1/me'), myActiveCopies(), get('/v1/markets')]);
  if (copying.has(l.user)) {
    main().innerHTML = `<h1>Copy ${esc(l.user)}</h1><div class="card"><p>You already copy ${esc(l.user)}.</p>
      <a class="button primary" href="/copies/${enc(copying.get(l.user))}" data-link id="view-copy">View your copy</a></div>`;
    return;
  }
  const balance = me.main.USDT || '0';
  main().innerHTML = `<h1>Copy ${esc(l.user)} <span class="muted small">Smart Sync</span></h1>
    <form id="copy-form" class="card" novalidate>
      <div class="field"><label for="investment">Total investment (USDT)</label>
        <input type="text" inputmode="decimal" id="investment" name="investment" autocomplete="off" placeholder="${esc(config.minInvestment)}" class="medium">
        <div class="hint">Minimum ${usd(config.minInvestment)} USDT · available in your main account ${usd(balance)} USDT</div>
        <div class="error" data-error-for="investment"></div></div>
      <div class="field"><label class="check"><input type="checkbox" id="buyExisting" name="buyExisting"> Buy existing assets</label>
        <div class="hint">Buy the lead's current holdings now, in the lead's weights, so your copy starts where the lead is.</div>
        <div id="preview"></div></div>
      ${thresholdFields('stopLoss', 'Total stop loss', null, 'Stops the copy and sells everything when the loss reaches this amount or share of your investment.')}
      ${thresholdFields('takeProfit', 'Take profit', null, 'Stops the copy and sells everything when the profit reaches this.')}
      <div class="field">${controlFields(null, markets)}</div>
      <div class="field"><b>Forecast</b> <span class="muted small">what this copy would have done over the lead's last 30 days (without the limits)</span>
        <div id="forecast"><p class="hint">Enter the investment to see it.</p></div></div>
      <div class="error" data-error-for="form"></div>
      <div id="review"></div>
      <div class="row"><button type="submit" class="primary" id="review-button">Review</button><a href="/leads/${enc(l.user)}" data-link>Cancel</a></div>
    </form>`;
  const form = $('#copy-form');
  let body = null;
  const fieldMap = { investment: 'investment', stopLoss: 'stopLoss', takeProfit: 'takeProfit', pairs: 'pairs', maxSymbolWeight: 'maxSymbolWeight', maxOrderAmount: 'maxOrderAmount' };
  const refreshPreview = debounce(async () => {
    const box = $('#preview');
    if (!form.buyExisting.checked) { box.innerHTML = ''; return; }
    const inv = form.investment.value.trim();
    if (dec(inv) === null || D(inv) <= 0n) { box.innerHTML = '<p class="hint">Enter the investment to see what it would buy.</p>'; return; }
    try {
      const rows = await get(`/v1/leads/${enc(lead)}/buy-existing?investment=${enc(inv)}`);
      box.innerHTML = rows.length ? `<div class="scroll"><table id="preview-table"><thead><tr><th>Asset</th><th>Weight</th><th>Spend (USDT)</th><th>≈ Quantity</th></tr></thead><tbody>
        ${rows.map(r => `<tr><td>${esc(base(r.symbol))}</td><td>${pct(r.weight)}</td><td>${usd(r.notional)}</td><td>${r.skipped ? `<span class="muted wrap">not bought: ${esc(r.explanation)}</span>` : esc(r.quantity)}</td></tr>`).join('')}</tbody></table></div>
        <p class="hint">At current prices; the orders execute when you confirm.</p>` : '<p class="hint">The lead holds only USDT now: nothing to buy.</p>';
    } catch (e) { box.innerHTML = `<div class="error">${esc(e.message)}</div>`; }
  }, 250);
  // The forecast: the lead's own fills of the last 30 days replayed for this investment.
  let forecastAsked = 0;  // only the latest request's answer is shown
  const refreshForecast = debounce(async () => {
    const box = $('#forecast'), asked = ++forecastAsked;
    const inv = form.investment.value.trim();
    if (dec(inv) === null || D(inv) <= 0n) { box.innerHTML = '<p class="hint">Enter the investment to see it.</p>'; return; }
    try {
      const f = await get(`/v1/leads/${enc(lead)}/forecast?investment=${enc(inv)}&buyExisting=${form.buyExisting.checked}`);
      if (asked === forecastAsked) box.innerHTML = forecastTable(f);
    } catch (e) { if (asked === forecastAsked) box.innerHTML = `<div class="error">${esc(e.message)}</div>`; }
  }, 400);
  const unreview = () => { body = null; $('#review').innerHTML = ''; };
  form.investment.addEventListener('input', () => { unreview(); refreshPreview(); refreshForecast(); });
  form.buyExisting.addEventListener('change', () => { unreview(); refreshPreview(); refreshForecast(); });
  form.addEventListener('change', unreview);
  // Review (the form's submit) shows the summary; only its own Confirm button sends the request.
  form.addEventListener('submit', e => {
    e.preventDefault(); clearErrors(form);
    try {
      const inv = amountInput(form.investment.value, 'investment');
      const b = { lead, investment: inv, mode: 'smartSync', buyExisting: form.buyExisting.checked };
      const sl = thresholdFrom(form, 'stopLoss'), tp = thresholdFrom(form, 'takeProfit');
      if (sl && sl.amount !== undefined && D(sl.amount) > D(inv)) throw invalid(`must be at most the investment, ${usd(inv)} USDT`, 'stopLoss.amount');
      if (sl) b.stopLoss = sl; if (tp) b.takeProfit = tp;
      const controls = controlsFrom(form);
      if (Object.keys(controls).length) b.controls = controls;
      body = b;
      $('#review').innerHTML = `<div class="card confirm" id="confirm-box"><b>Please confirm</b><ul>
        <li>Copy <b>${esc(lead)}</b> in Smart Sync mode with <b>${esc(inv)} USDT</b>, moved from your main account to a new copy account.</li>
        <li>${b.buyExisting ? 'Buy the lead\'s current holdings now.' : 'Start in cash; copy the lead\'s next trades.'}</li>
        <li>Stop loss: ${thresholdText(sl)} · take profit: ${thresholdText(tp)}</li>
        <li>Limits: ${esc(controlsText(b.controls))}</li>
        <li>The lead receives ${pct(l.profitShareRate)} of the profit your copy realizes above its high-water mark.</li></ul>
        <button type="button" class="primary" id="confirm-button">Confirm and copy</button></div>`;
      $('#confirm-button').addEventListener('click', () => submitting(form, async () => {
        clearErrors(form);
        try {
          const copy = await api('POST', '/v1/copies', body, keyFor(form, body));
          toast(`Copy of ${lead} started`);
          go('/copies?new=' + enc(copy.id));
        } catch (err) {
          if (!(err instanceof APIError)) throw err;
          if (err.status < 500) unreview();
          showError(form, err, fieldMap);
        }
      }));
    } catch (err) {
      if (!(err instanceof APIError)) throw err;
      unreview();
      showError(form, err, fieldMap);
    }
  });
}

function forecastTable(f) {
  const t = f.tracking, failed = f.failedOrders.reduce((n, r) => n + r.count, 0);
  const tracks = D(f.gapBeyondProfitShare) >= -D(f.trackingWithin) && D(f.gapBeyondProfitShare) <= D(f.trackingWithin);
  const smallest = f.smallestTrackingInvestment === null
    ? 'No investment up to 1,000 times the minimum would have tracked the lead within ' + pct(f.trackingWithin) + ' beyond the profit share.'
    : `From <b id="forecast-smallest">${usd(f.smallestTrackingInvestment)} USDT</b> a copy would have tracked the lead within ${pct(f.trackingWithin)} beyond the profit share.`;
  return `<div class="scroll"><table id="forecast-table" class="compact"><tbody>
    <tr><td class="wrap">Your copy (${f.leadFills} lead trade${f.leadFills === 1 ? '' : 's'} copied)</td><td class="${tone(t.copyRoi, pct)}">${signed(t.copyRoi, pct)}</td></tr>
    <tr><td class="wrap">The lead</td><td class="${tone(t.leadRoi, pct)}">${signed(t.leadRoi, pct)}</td></tr>
    <tr data-part="gap"><td class="wrap">Gap (of which profit share ${signed(t.breakdown.profitShare, pct)})</td><td class="${tone(t.gap, pct)}">${signed(t.gap, pct)}</td></tr>
    <tr data-part="failed"><td class="wrap">Copy orders that would have failed</td><td>${failed}${failed ? ` <span class="muted small">${f.failedOrders.map(r => esc(r.explanation)).join('; ')}</span>` : ''}</td></tr>
    <tr><td class="wrap">Fees · profit share paid</td><td>${usd(f.fees)} · ${usd(f.profitShare)} USDT</td></tr></tbody></table></div>
    <p class="hint" id="forecast-verdict">${tracks ? 'This investment would have tracked the lead closely.' : 'This investment would have drifted from the lead.'} ${smallest}
    Replayed at the lead's own prices since ${when(f.from)}; the past does not promise the future.</p>`;
}

async function pageMyCopies() {
  if (!S.key) return signInFirst();
  const copies = await get('/v1/copies?view=summary');
  const fresh = new URLSearchParams(location.search).get('new');
  const active = copies.filter(c => c.status !== 'stopped');
  const inv = active.reduce((a, c) => a + D(c.netInvested), 0n), eq = active.reduce((a, c) => a + D(c.equity), 0n);
  const pnlAll = copies.reduce((a, c) => a + D(c.pnl), 0n);
  main().innerHTML = `<h1>My copies</h1>
    <div class="grid">${stat('Running copies', active.length)}${stat('Invested (running)', fixed(inv, 2) + ' USDT')}${stat('Equity (running)', fixed(eq, 2) + ' USDT', '', 'equity')}
      ${stat('PnL, all copies', signed(pnlAll) + ' USDT', cls(pnlAll), 'pnl')}</div>
    <h2>Copies</h2>
    <div class="scroll"><table id="copies" class="cards"><thead><tr><th>Lead</th><th>Status</th><th>Invested</th><th>Equity</th><th>PnL</th><th>ROI</th><th></th></tr></thead><tbody>
      ${copies.map(c => `<tr data-copy="${esc(c.id)}" class="${c.id === fresh ? 'flash' : ''}"><td><a href="/leads/${enc(c.lead)}" data-link>${esc(c.lead)}</a></td>
        <td><span class="badge ${c.status}">${c.status}</span>${c.stopReason ? ` <span class="muted">${esc(STOP[c.stopReason] || c.stopReason)}</span>` : ''}</td>
        <td>${c.status !== 'stopped' ? usd(c.netInvested) : '<span class="muted" title="closed: everything went back to your main account">—</span>'}</td><td>${usd(c.equity)}</td><td class="${cls(c.pnl)}">${signed(c.pnl)}</td><td class="${cls(c.roi)}">${signed(c.roi, pct)}</td>
        <td><a href="/copies/${enc(c.id)}" data-link>Details</a></td></tr>`).join('') || '<tr><td colspan="7" class="muted">No copies yet: pick a lead on the <a href="/leads" data-link>board</a>.</td></tr>'}
      ${active.length ? `<tr class="total"><td>Total running</td><td></td><td>${fixed(inv, 2)}</td><td>${fixed(eq, 2)}</td><td class="${cls(eq - inv)}">${signed(eq - inv)}</td><td class="${cls(eq - inv)}">${signed(ratioOf(eq - inv, inv), pct)}</td><td></td></tr>` : ''}
    </tbody></table></div>`;
  S.onEvent = paced(3000, ev => ['copyFill', 'copyStatus', 'failedCopyOrder', 'price'].includes(ev.type));
}
const STOP_MODES = [
  ['sellAll', 'Sell everything now', 'every holding is sold at market; the USDT goes to your main account.'],
  ['keepHoldings', 'Stop and keep the holdings', 'nothing is sold: the coins and the cash move to your main account as they are.'],
  ['closeOnly', 'Close only', 'no more buys; keep following the lead\'s sells until nothing is left, then stop.'],
];
const STOP = { follower: 'stopped by you', leadStopped: 'the lead stopped leading', removedByLead: 'removed by the lead', stopLoss: 'stop loss reached', takeProfit: 'take profit reached' };
const TRACK = [
  ['fees', 'Trading fees', 'what your copy paid in fees beyond what the lead paid.'],
  ['profitShare', 'Profit share paid', 'the share of your realized profit paid to the lead.'],
  ['priceDifference', 'Price difference', 'your merged orders executed at other prices than the lead\'s fills (slippage, timing).'],
  ['failedOrCapped', 'Failed or cash-capped orders', 'copy orders below the minimums, or smaller than the lead\'s ratio for lack of cash.'],
  ['sizing', 'Sizing by design', 'holdings never bought (no buy-existing), money added later, fixed amounts.'],
  ['rounding', 'Rounding and the rest', 'quantity steps and what the other parts do not explain.'],
];
const HISTORY = {
  started: h => `Started with ${usd(h.amount)} USDT`,
  startedWith: h => `Stop loss ${thresholdText(h.stopLoss)}, take profit ${thresholdText(h.takeProfit)}`,
  investmentAdded: h => `Added ${usd(h.amount)} USDT`,
  investmentRemoved: h => `Took out ${usd(h.amount)} USDT`,
  stopLossSet: h => h.stopLoss ? `Stop loss set to ${thresholdText(h.stopLoss)}` : 'Stop loss removed',
  takeProfitSet: h => h.takeProfit ? `Take profit set to ${thresholdText(h.takeProfit)}` : 'Take profit removed',
  closeOnly: () => 'Close only: no more buys; it stops once it has nothing left to sell',
  controlsSet: h => h.controls ? `Limits set: ${controlsText(h.controls)}` : 'Limits removed',
  stopped: h => `Stopped: ${STOP[h.stopReason] || h.stopReason}`,
};

async function pageCopy(id) {
  if (!S.key) return signInFirst();
  const path = '/v1/copies/' + enc(id);
  const c = await get(path + '?view=summary');
  // Rows the reader brought in with "Show older" stay when the page is drawn again (a live event, an action);
  // opening the page anew starts from the first page.
  if (!S.shown || S.shown.copy !== id) S.shown = { copy: id };  // the oldest row (n) shown of each list, if older pages were opened
  const shown = S.shown, down = (count, first, oldest) => oldest === undefined ? first : Math.max(first, count - oldest);
  const [curve, l, fills, failed, history, markets] = await Promise.all([
    get(path + '/equity-curve?points=300'), get(`/v1/leads/${enc(c.lead)}?curvePoints=300&curveFrom=${c.startedEvent}`),
    get(path + `/fills?order=newest&limit=${down(c.fillCount, 50, shown.fills)}`),
    get(path + `/failed-orders?order=newest&limit=${down(c.failedOrderCount, 20, shown.failed)}`), get(path + '/history'), get('/v1/markets')]);
  const mine = S.me && S.me.id === c.user, active = c.status !== 'stopped';
  const t = c.tracking;
  // Returns since the copy started, for the copy (its unit value) and the lead over the same span.
  const start = curve.length ? Date.parse(curve[0].time) : null, end = active ? Infinity : (curve.length ? Date.parse(curve[curve.length - 1].time) : 0);
  const leadSpan = l.equityCurve.filter(p => Date.parse(p.time) <= end);
  const before = leadSpan.filter(p => Date.parse(p.time) <= start);
  const leadBase = Number((before.length ? before[before.length - 1] : leadSpan[0] || { nav: '1' }).nav);
  // The lead's return is 0 at the copy's start by definition (its base is its value then): the line starts there
  // even when the lead's last point before it is older.
  const leadPoints = leadSpan.filter(p => Date.parse(p.time) > start).map(p => ({ t: Date.parse(p.time), y: (Number(p.nav) / leadBase - 1) * 100 }));
  if (start !== null) leadPoints.unshift({ t: start, y: 0 });
  const markers = history.filter(h => h.type === 'investmentAdded' || h.type === 'investmentRemoved')
    .map(h => ({ t: Date.parse(h.time), label: HISTORY[h.type](h), short: h.type === 'investmentAdded' ? '+' + usd(h.amount) : '−' + usd(h.amount) }));
  main().innerHTML = `<h1>Copy of <a href="/leads/${enc(c.lead)}" data-link>${esc(c.lead)}</a> <span class="badge ${c.status}" id="copy-status">${c.status}</span>
      ${c.stopReason ? `<span class="muted small" id="stop-reason">${esc(STOP[c.stopReason] || c.stopReason)}</span>` : ''}</h1>
    <div class="grid">${stat('Equity', usd(c.equity) + ' USDT', '', 'equity')}${stat(active ? 'Invested' : 'Net invested (paid in − paid out)', usd(c.netInvested) + ' USDT', '', 'invested')}${stat('PnL', signed(c.pnl) + ' USDT', cls(c.pnl), 'pnl')}
      ${stat('ROI', signed(c.roi, pct), cls(c.roi), 'roi', 'PnL ÷ all the money you put in')}${stat('Fees paid', usd(c.feesPaid) + ' USDT')}${stat('Profit share paid', usd(c.profitSharePaid) + ' USDT')}
      ${stat('Stop loss / take profit', thresholdText(c.stopLoss) + ' / ' + thresholdText(c.takeProfit), '', 'thresholds')}
      ${c.controls ? stat('Limits', esc(controlsText(c.controls)), '', 'limits') : ''}</div>
    <h2>Return since the copy started, beside the lead's</h2>
    ${lineChart([
      { name: `${c.lead} (lead)`, cls: 's-lead', points: leadPoints },
      { name: 'Your copy', cls: 's-copy', points: curve.map(p => ({ t: Date.parse(p.time), y: (Number(p.nav) - 1) * 100 })) },
    ], { yFormat: percentAxis, markers, label: 'returns of the copy and the lead' })}
    <p class="hint">Returns per unit of money invested, so money you add or take out (the dashed lines) is neither a gain nor a loss.</p>
    <h2>Holdings</h2>
    <div class="scroll"><table id="holdings" class="cards"><thead><tr><th>Asset</th><th>Quantity</th><th>Avg cost</th><th>Price</th><th>Value (USDT)</th><th>Your weight</th><th>Lead weight</th></tr></thead><tbody>
      ${c.holdings.map(h => `<tr><td>${esc(base(h.symbol))}${h.dust ? ' <span class="muted">dust</span>' : ''}</td><td>${esc(h.quantity)}</td><td data-col="average-cost">${usd(h.averageCost)}</td><td>${usd(h.mark)}</td><td>${usd(h.value)}</td><td>${bar(h.weight)} ${pct(h.weight)}</td><td>${bar(h.leadWeight || '0', true)} ${pct(h.leadWeight || '0')}</td></tr>`).join('')}
      <tr><td>USDT</td><td>${usd(c.cash)}</td><td></td><td></td><td>${usd(c.cash)}</td><td colspan="2"></td></tr></tbody></table></div>
    <h2>Copy trades and the lead trades behind them <span class="muted small">(${c.fillCount})</span></h2>
    <div class="scroll"><table id="fills" class="cards"><thead><tr><th>Time</th><th>Pair</th><th>Side</th><th>Your quantity</th><th>Your price</th><th>Fee</th><th>Lead quantity</th><th>Lead price</th><th>Receipt</th></tr></thead><tbody>
      ${fillRows(fills) || '<tr class="empty"><td colspan="9" class="muted">No copy trades yet: they appear here when the lead trades.</td></tr>'}
    </tbody></table></div>${more('fills', fills, c.fillCount)}
    <h2>Failed copy orders <span class="muted small">(${c.failedOrderCount})</span></h2>
    ${c.failedOrderReasons.length ? `<div class="scroll"><table id="failed-reasons" class="compact"><thead><tr><th class="wrap">Why</th><th>How many</th><th>Last</th></tr></thead><tbody>
      ${c.failedOrderReasons.map(r => `<tr data-reason="${r.reason}"><td class="wrap">${esc(r.explanation)}</td><td>${r.count}</td><td>${when(r.lastTime)}</td></tr>`).join('')}</tbody></table></div>` : ''}
    <div class="scroll"><table id="failed" class="cards"><thead><tr><th>Time</th><th>Pair</th><th>Side</th><th class="wrap">Why</th><th>Value (USDT)</th></tr></thead><tbody>
      ${failedRows(failed) || '<tr class="empty"><td colspan="5" class="muted">None: every copy order was sent.</td></tr>'}
    </tbody></table></div>${more('failed', failed, c.failedOrderCount)}
    <h2>Tracking report</h2>
    <p>Time-weighted, your copy returned <b class="${tone(t.copyRoi, pct)}">${signed(t.copyRoi, pct)}</b> and the lead <b class="${tone(t.leadRoi, pct)}">${signed(t.leadRoi, pct)}</b> over the same period: a gap of <b class="${tone(t.gap, pct)}">${signed(t.gap, pct)}</b>, made of:</p>
    <div class="scroll"><table id="tracking"><tbody>${TRACK.map(([k, label, why]) => `<tr data-part="${k}"><td class="wrap"><b>${label}</b>: <span class="muted">${why}</span></td><td class="${tone(t.breakdown[k], pct)}">${signed(t.breakdown[k], pct)}</td></tr>`).join('')}</tbody></table></div>
    <p class="hint">Time-weighted return: what one USDT invested at the start became, so it differs from the ROI above when you added or took out money.</p>
    <h2>History</h2>
    <div class="scroll"><table id="history" class="cards"><thead><tr><th>Time</th><th class="wrap">What</th><th>Net invested after</th></tr></thead><tbody>
      ${history.slice().reverse().map(h => `<tr data-type="${h.type}"><td>${when(h.time)}</td><td class="wrap">${esc(HISTORY[h.type] ? HISTORY[h.type](h) : h.type)}</td><td>${usd(h.netInvested)}</td></tr>`).join('')}
    </tbody></table></div>
    ${statementSection()}
    ${mine && active ? copySettings(c, markets) : ''}`;
  wireStatement({ json: path + '/statement', csv: path + '/statement.csv', file: `statement-${id}.csv` });
  if (mine && active) wireCopySettings(c);
  wireMore('fills', path + '/fills?order=newest&limit=50', fillRows);
  // A fill's allocation receipt, downloaded as JSON to check offline (docs/receipts.md).
  $('#fills').addEventListener('click', async e => {
    const b = e.target.closest('button[data-receipt]');
    if (!b) return;
    b.disabled = true;
    try { await download(path + `/fills/${b.dataset.receipt}/receipt`, `receipt-${id}-${b.dataset.receipt}.json`); }
    catch (err) { toast(err.message, 'error'); }
    finally { b.disabled = false; }
  });
  wireMore('failed', path + '/failed-orders?order=newest&limit=20', failedRows);
  const onPrice = paced(5000);
  S.onEvent = ev => {
    if ((ev.type === 'copyFill' || ev.type === 'copyStatus' || ev.type === 'failedCopyOrder') && ev.copy === id) liveRerender().then(() => {
      if (ev.type === 'copyFill') $$(`#fills tr[data-event="${ev.event}"]`).forEach(r => r.classList.add('flash'));
    });
    else if (ev.type === 'price' || (ev.type === 'leadFill' && ev.lead === c.lead)) onPrice();
  };
}
// ---- a copy's statement: totals and balances here, every line in the CSV ----
function statementSection(title = 'Statement', hint = 'Every line of this copy\'s account: money in and out, each trade beside the lead\'s, fees, profit share, and the realized PnL of each sale at average cost. Empty dates: the whole life of the copy; "To" includes its day (UTC).') {
  return `<h2>${title}</h2><form id="statement-form" class="card" novalidate>
    <div class="row"><label for="statement-from">From</label><input type="date" id="statement-from" name="from">
      <label for="statement-to">To</label><input type="date" id="statement-to" name="to">
      <button type="submit" id="statement-show">Show</button><button type="button" id="statement-csv">Download CSV</button></div>
    <div class="hint">${hint}</div>
    <div class="error" data-error-for="from"></div><div class="error" data-error-for="to"></div><div class="error" data-error-for="form"></div>
    <div id="statement"></div></form>`;
}
function statementQuery(form) {
  const q = [];
  if (form.from.value) q.push('from=' + enc(form.from.value));
  if (form.to.value) q.push('to=' + enc(form.to.value));
  return q.length ? '?' + q.join('&') : '';
}
function statementTable(s) {
  const balance = b => [usd(b.cash) + ' USDT', ...b.holdings.map(h => `${esc(h.quantity)} ${esc(base(h.symbol))}`)].join('<br>');
  const t = s.totals;
  const rows = [['Opening balance', balance(s.opening), 'opening'], ['Money in', usd(t.moneyIn)], ['Money out', usd(t.moneyOut)],
    ['Bought', usd(t.bought)], ['Sold', usd(t.sold)], ['Fees', usd(t.fees)], ['Profit share paid', usd(t.profitShare)],
    ['Realized PnL', signed(t.realizedPnl)], ['Closing balance', balance(s.closing), 'closing']];
  return `<div class="scroll"><table id="statement-totals" class="compact"><tbody>
    ${rows.map(([k, v, col]) => `<tr${col ? ` data-col="${col}"` : ''}><td class="wrap">${k}</td><td>${v}</td></tr>`).join('')}</tbody></table></div>
    <p class="hint" id="statement-lines">${s.lines.length} line${s.lines.length === 1 ? '' : 's'}. Opening cash plus every line is the closing cash, to the last 0.00000001; the CSV lists them.</p>`;
}
// A statement's form: `json` and `csv` are its two URLs (before the query), `table` draws the JSON.
function wireStatement({ json, csv, file, table = statementTable }) {
  const form = $('#statement-form');
  form.addEventListener('submit', async e => {
    e.preventDefault(); clearErrors(form);
    try { $('#statement').innerHTML = table(await get(json + statementQuery(form))); }
    catch (err) { if (!(err instanceof APIError)) throw err; showError(form, err, { from: 'from', to: 'to' }); }
  });
  $('#statement-csv').addEventListener('click', async () => {
    clearErrors(form);
    try { await download(csv + statementQuery(form), file); }
    catch (err) { if (!(err instanceof APIError)) throw err; showError(form, err, { from: 'from', to: 'to' }); }
  });
}
// Saves what `url` answers as the file `file`; an error answer is thrown as an APIError.
async function download(url, file) {
  const r = await fetch(url, { headers: { Authorization: 'Bearer ' + S.key } });
  if (!r.ok) {
    let err = new APIError(r.status + ' ' + r.statusText, r.status);
    try { const e = (await r.json()).error; err = new APIError(e.message, r.status, e.code, e.field); } catch (_) {}
    throw err;
  }
  const href = URL.createObjectURL(await r.blob());
  const a = document.createElement('a');
  a.href = href; a.download = file;
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 1000);
}
function shareStatementTable(s) {
  return `<div class="scroll"><table id="share-statement" class="cards"><thead><tr><th>Time</th><th>Copy</th><th>Paid</th><th>Amount (USDT)</th><th>Earned after</th></tr></thead><tbody>
    <tr data-col="opening"><td>${s.from ? when(s.from) : ''}</td><td colspan="2">Opening: earned before these dates</td><td></td><td>${usd(s.opening)}</td></tr>
    ${s.lines.map(l => `<tr data-event="${l.event}"><td>${when(l.time)}</td><td>${esc(l.copy)}</td><td>${l.type === 'stop' ? 'at its stop' : 'after a sale'}</td><td>${usd(l.amount)}</td><td>${usd(l.earnedAfter)}</td></tr>`).join('')}
    <tr data-col="closing" class="total"><td>${s.to ? when(s.to) : ''}</td><td colspan="2">Closing</td><td></td><td>${usd(s.closing)}</td></tr></tbody></table></div>
    <p class="hint">${s.lines.length} payment${s.lines.length === 1 ? '' : 's'}; the opening total plus every payment is the closing total.</p>`;
}
function fillRows(fills) {
  return fills.map(f => `<tr data-event="${f.event}" data-n="${f.n}"><td>${when(f.time)}</td><td>${esc(f.symbol)}</td><td class="${f.side === 'buy' ? 'up' : 'down'}">${f.side}</td>
    <td>${esc(f.quantity)}${f.cappedByCash ? ' <span class="muted" title="capped by the cash in the copy">capped</span>' : ''}</td><td>${usd(f.price)}</td><td>${esc(f.fee)}</td>
    <td>${f.lead ? esc(f.lead.quantity) : `<span class="muted">${f.side === 'buy' ? 'existing assets bought' : 'sold to stop or reduce'}</span>`}</td><td>${usd(f.leadPrice)}</td>
    <td><button type="button" data-receipt="${f.n}" title="How this fill was allocated from the merged order, with its proof (check it with smartsync verify-receipt)">Receipt</button></td></tr>`).join('');
}
function failedRows(failed) {
  return failed.map(f => `<tr data-n="${f.n}" data-reason="${f.reason}"><td>${when(f.time)}</td><td>${esc(f.symbol)}</td><td>${f.side}</td><td class="wrap">${esc(f.explanation)}</td><td>${f.notional ? usd(f.notional) : ''}</td></tr>`).join('');
}
// "Show more": the next page of a newest-first list, appended in place.
function more(name, page, total) {
  return page.length && page[page.length - 1].n > 0 && page.length < total
    ? `<div class="more"><button id="more-${name}" data-before="${page[page.length - 1].n}">Show older</button> <span class="muted small" id="count-${name}">${page.length} of ${total}</span></div>` : '';
}
function wireMore(name, url, rows) {
  const button = $('#more-' + name);
  if (!button) return;
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const page = await get(`${url}&before=${button.dataset.before}`);
      $(`#${name} tbody`).insertAdjacentHTML('beforeend', rows(page));
      const shown = $$(`#${name} tbody tr[data-n]`).length;
      if (S.shown && page.length) S.shown[name] = page[page.length - 1].n;
      const counter = $('#count-' + name); if (counter) counter.textContent = counter.textContent.replace(/^\d+/, shown);
      if (!page.length || page[page.length - 1].n === 0) button.parentElement.remove();
      else { button.dataset.before = page[page.length - 1].n; button.disabled = false; }
    } catch (e) { button.disabled = false; toast(e.message, 'error'); }
  });
}
function copySettings(c, markets) {
  return `<h2>Settings</h2><div class="two">
    <form id="adjust-form" class="card" novalidate><label for="delta">Adjust investment (USDT)</label>
      <input type="text" inputmode="decimal" id="delta" name="delta" class="medium" placeholder="100">
      <div class="hint">${c.status === 'closing' ? '' : `Adding moves USDT from your main account (${usd(S.me ? S.me.main.USDT || '0' : '0')} USDT there). `}Removing takes cash first, then sells the same share of every holding.</div>
      <div class="error" data-error-for="delta"></div><div class="error" data-error-for="form"></div>
      <div class="row">${c.status === 'closing' ? '' : '<button type="submit" name="add" value="add" class="primary" id="add-button">Add</button>'}<button type="submit" name="remove" value="remove" id="remove-button">Remove</button></div></form>
    <form id="thresholds-form" class="card" novalidate>
      ${thresholdFields('stopLoss', 'Total stop loss', c.stopLoss, 'Amount in USDT or % of your net investment.')}
      ${thresholdFields('takeProfit', 'Take profit', c.takeProfit, '')}
      <div class="error" data-error-for="form"></div><button type="submit" class="primary" id="save-thresholds">Save</button></form></div>
    ${c.status === 'closing' ? '' : `<form id="controls-form" class="card" novalidate>${controlFields(c.controls, markets)}
      <div class="error" data-error-for="form"></div><button type="submit" class="primary" id="save-controls">Save limits</button></form>`}
    <form id="stop-form" class="card" novalidate><b>Stop copying</b>
      ${c.status === 'closing' ? '<p class="hint" id="closing-note"><b>Closing:</b> this copy buys nothing more and sells as the lead sells; it stops by itself when nothing is left to sell. You can still end it now:</p>' : ''}
      <fieldset class="choices" aria-label="How to stop">
        ${STOP_MODES.filter(([m]) => c.status !== 'closing' || m !== 'closeOnly').map(([m, label, why], k) => `<label><input type="radio" name="mode" value="${m}"${k ? '' : ' checked'}> <b>${label}</b> <span class="hint">${why}</span></label>`).join('')}
      </fieldset>
      <div class="error" data-error-for="form"></div>
      <p class="hint">The history stays here.</p>
      <button type="submit" class="danger" id="stop-button">Stop copying</button></form>`;
}
function wireCopySettings(c) {
  const id = c.id, path = '/v1/copies/' + enc(id);
  const adjust = $('#adjust-form');
  let which = 'add';
  adjust.addEventListener('click', e => { if (e.target.name) which = e.target.name; });
  adjust.addEventListener('submit', e => {
    e.preventDefault(); clearErrors(adjust);
    submitting(adjust, async () => {
      try {
        const v = amountInput(adjust.delta.value, 'delta');
        const body = { delta: which === 'add' ? v : '-' + v };
        const after = await api('POST', path + '/investment', body, keyFor(adjust, body));
        toast(which === 'add' ? `Added ${v} USDT` : `Took out ${v} USDT`);
        if (after.fired) toast(`The ${after.stopReason === 'takeProfit' ? 'take profit' : 'stop loss'} was reached: the copy was stopped`);
        rerender();
      } catch (err) { if (!(err instanceof APIError)) throw err; showError(adjust, err, { delta: 'delta' }); }
    });
  });
  const th = $('#thresholds-form');
  th.addEventListener('submit', async e => {
    e.preventDefault(); clearErrors(th);
    let stopLoss, takeProfit;
    try {
      stopLoss = thresholdFrom(th, 'stopLoss'); takeProfit = thresholdFrom(th, 'takeProfit');
      const invested = D(c.netInvested);
      if (stopLoss && stopLoss.amount !== undefined && D(stopLoss.amount) > invested) throw invalid(`must be at most your net invested ${usd(invested)} USDT`, 'stopLoss.amount');
    } catch (err) { if (!(err instanceof APIError)) throw err; showError(th, err, { stopLoss: 'stopLoss', takeProfit: 'takeProfit' }); return; }
    const changes = [];
    if (!sameThreshold(stopLoss, c.stopLoss)) changes.push(['stop-loss', { stopLoss }]);
    if (!sameThreshold(takeProfit, c.takeProfit)) changes.push(['take-profit', { takeProfit }]);
    if (!changes.length) { toast('Nothing changed'); return; }
    // Already reached? Saving would stop the copy at once: say so first, with what it would sell for.
    const fresh = await get(path + '?view=summary');
    const equity = D(fresh.equity), invested = D(fresh.netInvested);
    const sl = thresholdDistance(stopLoss, invested), tp = thresholdDistance(takeProfit, invested);
    const reached = sl !== null && equity <= invested - sl ? ['stop loss', stopLoss, sl, 'loss'] : tp !== null && equity >= invested + tp ? ['take profit', takeProfit, tp, 'profit'] : null;
    const save = async () => {
      for (const [suffix, body] of changes) {
        const after = await api('PUT', `${path}/${suffix}`, body, keyFor(th, [suffix, body]));
        if (after.fired) { toast(`The ${reached ? reached[0] : 'threshold'} was reached: the copy sold everything and stopped`); break; }
      }
      th._sig = null;
      toast('Saved'); rerender();
    };
    if (reached) {
      const [name, t, distance, what] = reached, now = equity - invested;
      confirmBox(`<p>Your copy is worth <b>${usd(equity)} USDT</b> for <b>${usd(invested)} USDT</b> invested: a ${what} of <b>${usd(now < 0n ? -now : now)} USDT</b>.
        The ${name} you entered, a ${what} of ${t.amount !== undefined ? `${usd(distance)} USDT` : `${pct(t.ratio)} (${usd(distance)} USDT)`}, is already reached.</p>
        <p>Saving it <b>stops the copy now</b>: every holding is sold at market, for about <b>${usd(equity)} USDT</b> in all, and the cash goes to your main account.</p>`,
        'Save and stop the copy', save, 'Don\'t save');
      return;
    }
    try { await submitting(th, save); } catch (err) { if (!(err instanceof APIError)) throw err; showError(th, err, { stopLoss: 'stopLoss', takeProfit: 'takeProfit' }); }
  });
  const limits = $('#controls-form');
  if (limits) limits.addEventListener('submit', e => {
    e.preventDefault(); clearErrors(limits);
    submitting(limits, async () => {
      try {
        const body = controlsFrom(limits);
        await api('PUT', path + '/controls', body, keyFor(limits, body));
        toast(Object.keys(body).length ? 'Limits saved: ' + controlsText(body) : 'Limits removed'); rerender();
      } catch (err) { if (!(err instanceof APIError)) throw err; showError(limits, err, { pairs: 'pairs', maxSymbolWeight: 'maxSymbolWeight', maxOrderAmount: 'maxOrderAmount' }); }
    });
  });
  const stop = $('#stop-form');
  stop.addEventListener('submit', e => {
    e.preventDefault(); clearErrors(stop);
    const mode = stop.mode.value || 'sellAll';
    const what = {
      sellAll: `Every holding of this copy is sold at market (about ${usd(c.equity)} USDT in all) and the cash goes to your main account.`,
      keepHoldings: `Nothing is sold: the holdings move as they are, with their cost, to your main account, and its ${usd(c.cash)} USDT of cash (less any profit share due) goes there too.`,
      closeOnly: 'The copy buys nothing more and sells as the lead sells; it stops by itself once nothing is left to sell.',
    }[mode];
    confirmBox(`<p>Stop copying ${esc(c.lead)}? ${what}</p>`, mode === 'closeOnly' ? 'Close only' : 'Stop copying', async () => {
      const after = await api('DELETE', `${path}?mode=${mode}`, undefined, newKey());
      toast(after.status === 'closing' ? 'Closing: no more buys' : 'Copy stopped'); rerender();
    }, 'Keep copying');
  });
}

async function pageDashboard() {
  if (!S.key) return signInFirst();
  const me = await get('/v1/me'); S.me = me; showWho();
  let l = null;
  try { l = await get(`/v1/leads/${enc(me.id)}?curvePoints=0`); } catch (e) { if (e.status !== 404) throw e; }
  if (!l || l.status !== 'active') return dashboardStart(me, l);
  const [followers, open, recent, fills, markets, config] = await Promise.all([get('/v1/leading/followers'), get('/v1/orders?status=open'),
    get('/v1/orders?status=all&limit=10'), get(`/v1/leads/${enc(me.id)}/fills?limit=20`), get('/v1/markets'), getConfig()]);
  const active = followers.filter(f => f.status !== 'stopped');
  const pair = markets.some(m => m.symbol === S.dashPair) ? S.dashPair : markets[0]?.symbol;
  const held = Object.fromEntries(l.holdings.map(h => [h.symbol, h]));
  main().innerHTML = `<h1>Lead dashboard: ${esc(me.id)}</h1>
    <div class="grid">${stat('Portfolio equity', usd(l.equity) + ' USDT', '', 'portfolio-equity')}${stat('Portfolio cash', usd(l.cash) + ' USDT', '', 'portfolio-cash')}${stat('ROI', signed(l.roi, pct), cls(l.roi))}
      ${stat('Followers', `${l.followers} / ${l.followerLimit}`, '', 'followers')}${stat('AUM (copy accounts)', usd(l.aum) + ' USDT', '', 'aum')}
      ${stat('Profit share earned', usd(l.profitShareEarned) + ' USDT', '', 'earned')}</div>
    <h2>Lead portfolio</h2>
    <div class="scroll"><table id="portfolio" class="cards"><thead><tr><th>Asset</th><th>Quantity</th><th>Avg cost</th><th>Value (USDT)</th><th>Weight</th></tr></thead><tbody>
      ${l.holdings.map(h => `<tr data-symbol="${esc(h.symbol)}"><td>${esc(base(h.symbol))}</td><td>${esc(h.quantity)}</td><td>${usd(h.averageCost)}</td><td>${usd(h.value)}</td><td>${pct(h.weight)}</td></tr>`).join('')}
      <tr data-symbol="USDT"><td>USDT</td><td>${usd(l.cash)}</td><td></td><td>${usd(l.cash)}</td><td>${pct(D(l.equity) > 0n ? exact(ratioOf(D(l.cash), D(l.equity))) : '0')}</td></tr></tbody></table></div>
    <p class="hint">Your main account (${usd(me.main.USDT || '0')} USDT) is separate: only the lead portfolio's trades are copied.</p>
    <h2>Trade</h2>
    <form id="order-form" class="card" novalidate><div class="row">
      <select name="symbol" id="order-symbol" aria-label="Pair" data-kept>${markets.map(m => `<option value="${esc(m.symbol)}"${m.symbol === pair ? ' selected' : ''}>${esc(m.symbol)} · ${usd(m.price)}</option>`).join('')}</select>
      <select name="side" id="order-side" aria-label="Side"><option value="buy">Buy</option><option value="sell">Sell</option></select>
      <select name="type" id="order-type" aria-label="Type"><option value="market">Market</option><option value="limit">Limit</option></select>
      <input type="text" inputmode="decimal" name="amount" id="order-amount" placeholder="USDT to spend" class="medium" aria-label="Amount">
      <input type="text" inputmode="decimal" name="limitPrice" id="order-limit" placeholder="limit price" class="medium" hidden aria-label="Limit price">
      <button class="primary" type="submit" id="order-button">Review order</button></div>
      <div class="hint" id="order-hint"></div>
      <div class="error" data-error-for="amount"></div><div class="error" data-error-for="limitPrice"></div><div class="error" data-error-for="form"></div></form>
    <h2>Open orders</h2>
    <div class="scroll"><table id="orders" class="cards"><thead><tr><th>Order</th><th>Placed</th><th>Pair</th><th>Side</th><th>Limit</th><th>Remaining</th><th>Status</th><th></th></tr></thead><tbody>
      ${open.map(o => `<tr data-order="${o.id}"><td>#${o.id}</td><td>${when(o.time)}</td><td>${esc(o.symbol)}</td><td>${o.side}</td><td>${usd(o.limitPrice)}</td><td>${esc(o.remaining)}</td><td>${o.status}</td><td><button data-cancel="${o.id}">Cancel</button></td></tr>`).join('') || '<tr><td colspan="8" class="muted">None.</td></tr>'}</tbody></table></div>
    <h2>Recent orders</h2>
    <div class="scroll"><table id="recent-orders" class="cards"><thead><tr><th>Order</th><th>Placed</th><th>Pair</th><th>Side</th><th>Type</th><th>Filled</th><th>Avg price</th><th>Status</th><th>Copied</th></tr></thead><tbody>
      ${recent.map(o => `<tr data-order="${o.id}"><td>#${o.id}</td><td>${when(o.time)}</td><td>${esc(o.symbol)}</td><td>${o.side}</td><td>${o.type}</td><td>${esc(o.filledQuantity)}</td><td>${D(o.averagePrice) ? usd(o.averagePrice) : ''}</td><td>${o.status}</td><td>${o.account === 'portfolio' ? `${o.copies.filled} filled, ${o.copies.failed} failed` : 'not copied'}</td></tr>`).join('') || '<tr><td colspan="9" class="muted">None yet.</td></tr>'}</tbody></table></div>
    <h2>Your trades</h2>${leadFillsTable(fills.slice().reverse())}
    <h2>Followers (${active.length} running)</h2>
    <div class="scroll"><table id="followers" class="cards"><thead><tr><th>Copy</th><th>Status</th><th>Invested</th><th>Equity</th><th>ROI</th><th>Profit share paid</th><th></th></tr></thead><tbody>
      ${followers.map(f => `<tr data-copy="${esc(f.copy)}"><td>${esc(f.copy)}</td><td><span class="badge ${f.status}">${f.status}</span></td><td>${f.status !== 'stopped' ? usd(f.netInvested) : '<span class="muted" title="closed: everything went back to the follower">—</span>'}</td><td>${usd(f.equity)}</td><td class="${cls(f.roi)}">${signed(f.roi, pct)}</td><td>${usd(f.profitSharePaid)}</td>
        <td>${f.status !== 'stopped' ? `<button class="small-button" data-remove="${esc(f.copy)}">Remove</button>` : ''}</td></tr>`).join('') || '<tr><td colspan="7" class="muted">No followers yet.</td></tr>'}</tbody></table></div>
    ${statementSection('Profit share statement', 'Every profit-share payment your followers\' copies made to you: after each sale that realized profit above its high-water mark, and at each stop. Empty dates: all of it; "To" includes its day (UTC).')}
    <h2>Lead settings</h2>
    <form id="lead-settings" class="card" novalidate><div class="row wrap-row">
      <div class="field"><label for="set-rate">Profit share (%)</label><input type="text" inputmode="decimal" id="set-rate" name="rate" value="${esc(exact(D(l.profitShareRate) * 100n))}" class="short"><div class="error" data-error-for="profitShareRate"></div></div>
      <div class="field"><label for="set-slippage">Slippage limit (%)</label><input type="text" inputmode="decimal" id="set-slippage" name="slippage" value="${esc(exact(D(l.slippageLimit) * 100n))}" class="short"><div class="error" data-error-for="slippageLimit"></div></div>
      <div class="field"><label for="set-limit">Follower limit</label><input type="text" inputmode="numeric" id="set-limit" name="limit" value="${l.followerLimit}" class="short"><div class="error" data-error-for="followerLimit"></div></div>
      <div class="field"><label for="set-mode">Execution</label><select id="set-mode" name="mode"><option value="follow"${l.executionMode === 'block' ? '' : ' selected'}>Follow</option><option value="block"${l.executionMode === 'block' ? ' selected' : ''}>Block</option></select><div class="error" data-error-for="executionMode"></div></div></div>
      <div class="hint">The profit share applies to profit your followers realize from now on, above their high-water mark (at most ${pct(config.maxProfitShareRate, 0)}).
        Execution: <b>Follow</b> — your order executes first and each fill is copied; <b>Block</b> — your market order and your followers' orders are one order, everyone at the same average price (limit orders always follow).</div>
      <div class="error" data-error-for="form"></div><button type="submit" class="primary" id="save-lead-settings">Save settings</button></form>
    <div class="card"><b>Stop leading</b><p class="hint">Your ${active.length} followers' copies are stopped (their holdings sold at market, their cash back in their main accounts), your open orders cancelled, and the portfolio (cash and holdings, nothing sold) moves to your main account.</p>
      <button class="danger" id="stop-leading">Stop leading</button></div>`;
  wireStatement({ json: '/v1/leading/profit-share', csv: '/v1/leading/profit-share.csv', file: `profit-share-${me.id}.csv`, table: shareStatementTable });
  const f = $('#order-form');
  const hint = () => {
    const limit = f.type.value === 'limit', h = held[f.symbol.value];
    f.limitPrice.hidden = !limit;
    f.amount.placeholder = f.side.value === 'buy' ? 'USDT to spend' : '% of the holding';
    $('#order-hint').textContent = (f.side.value === 'buy' ? `Buy: USDT to spend, from ${usd(l.cash)} USDT of cash.` : `Sell: % of the ${h ? h.quantity + ' ' + base(h.symbol) : 'none'} held.`)
      + (limit ? ' A limit order rests until the price reaches the limit; each fill is copied.' : ' Followers copy the fill as the same share of their equity.');
  };
  ['change', 'input'].forEach(ev => f.addEventListener(ev, hint)); hint();
  f.symbol.addEventListener('change', () => { S.dashPair = f.symbol.value; });
  f.addEventListener('submit', e => {
    e.preventDefault(); clearErrors(f);
    S.dashPair = f.symbol.value;
    try {
      const body = { symbol: f.symbol.value, side: f.side.value };
      const market = markets.find(m => m.symbol === body.symbol), limit = f.type.value === 'limit';
      if (limit) body.limitPrice = amountInput(f.limitPrice.value, 'limitPrice');
      let what;
      if (body.side === 'buy') {
        body.quoteAmount = amountInput(f.amount.value, 'amount');
        if (D(body.quoteAmount) > D(l.cash)) throw invalid(`is more than the portfolio's cash, ${usd(l.cash)} USDT`, 'amount');
        what = `Buy ${base(body.symbol)} for ${usd(body.quoteAmount)} USDT`;
      } else {
        const h = held[body.symbol];
        if (!h) throw invalid(`your lead portfolio holds no ${base(body.symbol)} to sell`, 'amount');
        const share = percentInput(f.amount.value, 'amount', { max: SCALE, maxText: '100% (all of it)' });
        if (limit) {  // a limit sell names a quantity: the share of the holding, down to the quantity step
          const step = D(market.qtyStep), q = (D(h.quantity) * D(share) / SCALE) / step * step;
          if (q <= 0n) throw invalid(`${pct(share)} of ${h.quantity} ${base(body.symbol)} is less than one step (${market.qtyStep})`, 'amount');
          body.quantity = exact(q);
          what = `Sell ${exact(q)} ${base(body.symbol)} (${pct(share)} of the holding)`;
        } else {
          body.fraction = share;
          what = `Sell ${pct(share)} of your ${h.quantity} ${base(body.symbol)}`;
        }
      }
      const how = limit ? `with a limit at ${usd(body.limitPrice)}` : `at market (about ${usd(market.price)})`;
      confirmBox(`<p>${esc(what)} ${how}.</p><p>Your ${active.length} active followers copy it in proportion to their equity.</p>`, 'Place order', async () => {
        const order = await api('POST', '/v1/orders', body, keyFor(f, body));
        const filled = D(order.filledQuantity) > 0n ? `${order.side === 'buy' ? 'bought' : 'sold'} ${order.filledQuantity} ${base(order.symbol)} at ${usd(order.averagePrice)}` : 'resting on the book';
        toast(`Order #${order.id} ${order.status}: ${filled}; copies ${order.copies.filled} filled, ${order.copies.failed} failed`);
        f._sig = null; rerender();
      }, 'Cancel', err => { showError(f, err, { quoteAmount: 'amount', fraction: 'amount', quantity: 'amount', amount: 'amount', symbol: 'amount', limitPrice: 'limitPrice' }); return true; });
    } catch (err) { if (!(err instanceof APIError)) throw err; showError(f, err, { quoteAmount: 'amount', fraction: 'amount', amount: 'amount', limitPrice: 'limitPrice' }); }
  });
  $('#orders').addEventListener('click', async e => {
    const b = e.target.closest('button[data-cancel]'); if (!b) return;
    b.disabled = true;
    try { await api('DELETE', '/v1/orders/' + b.dataset.cancel, undefined, newKey()); toast(`Order #${b.dataset.cancel} cancelled`); rerender(); }
    catch (err) { b.disabled = false; toast(err.message, 'error'); }
  });
  $('#followers').addEventListener('click', e => {
    const b = e.target.closest('button[data-remove]'); if (!b) return;
    const copy = b.dataset.remove, row = followers.find(x => x.copy === copy);
    confirmBox(`<p>Remove the follower of copy <b>${esc(copy)}</b>? Their copy sells everything at market (about ${usd(row.equity)} USDT), pays any profit share due, and returns the cash to their main account.</p>`, 'Remove follower', async () => {
      await api('DELETE', '/v1/leading/followers/' + enc(copy), undefined, newKey()); toast(`Follower ${copy} removed`); rerender();
    }, 'Keep');
  });
  const settings = $('#lead-settings');
  settings.addEventListener('submit', e => {
    e.preventDefault(); clearErrors(settings);
    try {
      const body = {
        profitShareRate: percentInput(settings.rate.value, 'profitShareRate', { max: D(config.maxProfitShareRate), allowZero: true }),
        slippageLimit: percentInput(settings.slippage.value, 'slippageLimit', { max: SCALE, allowZero: true }),
      };
      const n = Number(settings.limit.value.trim());
      if (!/^\d+$/.test(settings.limit.value.trim()) || n < 1) throw invalid('must be a whole number of at least 1', 'followerLimit');
      body.followerLimit = n;
      if (settings.mode.value !== (l.executionMode || 'follow')) body.executionMode = settings.mode.value;
      submitting(settings, async () => {
        try { await api('PATCH', '/v1/leading', body, keyFor(settings, body)); toast('Settings saved'); rerender(); }
        catch (err) { if (!(err instanceof APIError)) throw err; showError(settings, err, { profitShareRate: 'profitShareRate', slippageLimit: 'slippageLimit', followerLimit: 'followerLimit', executionMode: 'executionMode' }); }
      });
    } catch (err) { if (!(err instanceof APIError)) throw err; showError(settings, err, { profitShareRate: 'profitShareRate', slippageLimit: 'slippageLimit', followerLimit: 'followerLimit', executionMode: 'executionMode' }); }
  });
  $('#stop-leading').addEventListener('click', () => confirmBox(`<p>Stop leading? Your ${active.length} followers' copies are stopped and sold at market, your open orders cancelled, and your portfolio moves to your main account.</p>`, 'Stop leading', async () => {
    await api('DELETE', '/v1/leading', undefined, newKey()); toast('You stopped leading'); rerender();
  }, 'Keep leading'));
  S.onEvent = paced(3000, ev => (ev.type === 'leadFill' && ev.lead === me.id) || ev.type === 'price');
}
function dashboardStart(me, l) {
  main().innerHTML = `<h1>Lead dashboard</h1><form id="lead-form" class="card" novalidate><p>${l ? 'You stopped leading. Start a new lead portfolio:' : 'You are not leading. Start a lead portfolio:'} followers copy its trades.</p>
    <div class="field"><label for="portfolio">Portfolio (USDT, from your main account: ${usd(me.main.USDT || '0')})</label><input type="text" inputmode="decimal" id="portfolio" name="portfolio" class="medium"><div class="error" data-error-for="portfolio"></div></div>
    <div class="field"><label for="rate">Profit share (%)</label><input type="text" inputmode="decimal" id="rate" name="rate" value="10" class="short"><div class="error" data-error-for="profitShareRate"></div></div>
    <div class="error" data-error-for="form"></div><button class="primary" type="submit">Start leading</button></form>`;
  const f = $('#lead-form');
  f.addEventListener('submit', async e => {
    e.preventDefault(); clearErrors(f);
    try {
      const body = { portfolio: amountInput(f.portfolio.value, 'portfolio'), profitShareRate: percentInput(f.rate.value, 'profitShareRate', { max: D((S.config || {}).maxProfitShareRate || '0.3'), allowZero: true }) };
      if (await submitting(f, () => api('POST', '/v1/leading', body, keyFor(f, body)))) rerender();
    } catch (err) { if (!(err instanceof APIError)) throw err; showError(f, err, { portfolio: 'portfolio', profitShareRate: 'profitShareRate' }); }
  });
}

async function pageSignIn() {
  const next = new URLSearchParams(location.search).get('next') || '/copies';
  main().innerHTML = `<h1>Sign in</h1><form id="signin-form" class="card" novalidate>
    <div class="field"><label for="key">API key</label><input type="password" id="key" name="key" autocomplete="off" placeholder="ssk_…">
      <div class="hint">Your operator issues keys (POST /v1/users, or <code>smartsync keys issue</code>); <code>smartsync serve --demo</code> prints the demo users' keys.</div>
      <div class="error" data-error-for="key"></div></div>
    <button type="submit" class="primary" id="signin-button">Sign in</button></form>`;
  const f = $('#signin-form');
  f.addEventListener('submit', async e => {
    e.preventDefault(); clearErrors(f);
    const key = f.key.value.trim();
    if (!key) { showError(f, invalid('enter your API key', 'key'), { key: 'key' }); return; }
    const previous = S.key; S.key = key;
    try { S.me = await get('/v1/me'); } catch (err) {
      S.key = previous;
      if (!(err instanceof APIError)) throw err;
      showError(f, new APIError(err.status === 401 ? 'This API key is not valid.' : err.message, err.status, err.code, 'key'), { key: 'key' }); return;
    }
    localStorage.setItem('smartsync.key', key); connect(); showWho();
    go(next.startsWith('/') && !next.startsWith('//') ? next : '/copies', true);
  });
}

// ---- alerts: webhooks the user registers, with each one's delivery log ----
const ALERTS = [['copyOrderFailed', 'A copy order failed'], ['stopLossFired', 'Stop loss fired'], ['takeProfitFired', 'Take profit fired'],
  ['trackingGap', 'Tracking gap beyond a threshold'], ['leadStopped', 'Lead stopped leading'], ['copyStopped', 'A copy stopped (any reason)']];
function newSecret() {
  const bytes = new Uint8Array(24); crypto.getRandomValues(bytes);
  return 'whsec_' + [...bytes].map(b => b.toString(16).padStart(2, '0')).join('');
}
async function pageAlerts() {
  if (!S.key) return signInFirst();
  const hooks = await get('/v1/hooks');
  const open = new URLSearchParams(location.search).get('hook');
  const log = open && hooks.some(h => h.id === open) ? await get(`/v1/hooks/${enc(open)}/deliveries?limit=50`) : null;
  const label = Object.fromEntries(ALERTS);
  main().innerHTML = `<h1>Alerts</h1>
    <p class="muted">SmartSync sends each alert you ask for to your URL as a JSON POST, signed: <code>SmartSync-Signature: sha256=&lt;hex&gt;</code> is HMAC-SHA256, keyed with your secret, of <code>&lt;SmartSync-Timestamp&gt;.&lt;body&gt;</code>. A delivery that fails is retried after 1 s, 10 s, 1 min, 10 min and 1 h; every attempt is in the hook's log.</p>
    <h2>Your webhooks</h2>
    <div class="scroll"><table id="hooks" class="cards"><thead><tr><th>Hook</th><th>URL</th><th>Alerts</th><th>Added</th><th></th></tr></thead><tbody>
      ${hooks.map(h => `<tr data-hook="${esc(h.id)}"><td>${esc(h.id)}</td><td class="wrap">${esc(h.url)}</td>
        <td class="wrap">${h.events.map(e => esc(label[e] || e) + (e === 'trackingGap' ? ` (${esc(h.trackingGap)} points)` : '')).join('<br>')}</td><td>${when(h.createdAt)}</td>
        <td class="wrap hook-actions"><a href="/alerts?hook=${enc(h.id)}" data-link>Deliveries</a> <button class="small-button" data-test="${esc(h.id)}">Send a test</button> <button class="small-button" data-delete="${esc(h.id)}">Remove</button></td></tr>`).join('')
        || '<tr><td colspan="5" class="muted">No webhook yet: add one below.</td></tr>'}
    </tbody></table></div>
    ${log ? `<h2 id="deliveries-title">Deliveries of ${esc(open)}</h2>
      <div class="scroll"><table id="deliveries" class="cards"><thead><tr><th>#</th><th>Alert</th><th>Status</th><th>Attempts</th><th>Answer</th><th>Last try</th><th>Body</th></tr></thead><tbody>
      ${log.map(d => `<tr data-delivery="${d.n}"><td>${d.n}</td><td>${esc(label[d.type] || d.type)}</td><td><span class="badge ${d.status === 'delivered' ? 'active' : d.status === 'failed' ? 'stopped' : ''}">${esc(d.status)}</span></td>
        <td>${d.attempts}</td><td>${d.responseStatus ?? '—'}${d.error ? ` <span class="muted">${esc(d.error)}</span>` : ''}</td><td>${when(d.updatedAt)}</td>
        <td><details><summary>JSON</summary><pre class="wrap">${esc(d.body)}</pre></details></td></tr>`).join('') || '<tr><td colspan="7" class="muted">Nothing sent yet.</td></tr>'}
      </tbody></table></div>` : ''}
    <h2>Add a webhook</h2>
    <form id="hook-form" class="card" novalidate>
      <label>URL <input name="url" type="text" placeholder="your receiver's address, starting with https: or http:" autocomplete="off"></label><div class="error" data-error-for="url"></div>
      <fieldset><legend>Alerts</legend>${ALERTS.map(([v, t]) => `<label class="check"><input type="checkbox" name="events" value="${v}"> ${esc(t)}</label>`).join('')}</fieldset>
      <div class="error" data-error-for="events"></div>
      <label>Tracking gap threshold, points <input name="gap" type="text" inputmode="decimal" placeholder="2" autocomplete="off"></label>
      <p class="muted small">With “Tracking gap”: an alert when a copy's return is further than this from its lead's (2 = 2 percentage points), again only after it came back within.</p>
      <div class="error" data-error-for="trackingGap"></div>
      <label>Secret <span class="row"><input name="secret" type="text" autocomplete="off" spellcheck="false"><button type="button" class="small-button" id="new-secret">Generate</button></span></label>
      <p class="muted small">16 to 200 characters, shown only now: keep it to check signatures.</p><div class="error" data-error-for="secret"></div>
      <div class="error" data-error-for="form"></div><button type="submit" class="primary" id="add-hook">Add webhook</button></form>`;
  const f = $('#hook-form');
  $('#new-secret').onclick = () => { f.secret.value = newSecret(); };
  f.addEventListener('submit', e => {
    e.preventDefault(); clearErrors(f);
    const events = $$('input[name=events]:checked', f).map(i => i.value);
    const body = { url: f.url.value.trim(), events, secret: f.secret.value.trim() };
    try {
      if (!body.url) throw invalid('is required', 'url');
      if (!events.length) throw invalid('pick at least one alert', 'events');
      if (events.includes('trackingGap')) body.trackingGap = amountInput(f.gap.value, 'trackingGap');
      if (!body.secret) throw invalid('is required: type one or press Generate', 'secret');
    } catch (err) { showError(f, err, { url: 'url', events: 'events', secret: 'secret', trackingGap: 'trackingGap' }); return; }
    submitting(f, async () => {
      try {
        const hook = await api('POST', '/v1/hooks', body);
        toast(`Webhook ${hook.id} added`); go('/alerts?hook=' + enc(hook.id));
      } catch (err) { if (!(err instanceof APIError)) throw err; showError(f, err, { url: 'url', events: 'events', secret: 'secret', trackingGap: 'trackingGap' }); }
    });
  });
  $('#hooks').addEventListener('click', async e => {
    const test = e.target.closest('button[data-test]'), del = e.target.closest('button[data-delete]');
    if (test) {
      test.disabled = true;
      try { await api('POST', `/v1/hooks/${enc(test.dataset.test)}/test`); toast('Test alert sent: see its delivery'); setTimeout(() => go('/alerts?hook=' + enc(test.dataset.test), true), 700); }
      catch (err) { test.disabled = false; toast(err.message, 'error'); }
    }
    if (del) confirmBox(`<p>Remove webhook <b>${esc(del.dataset.delete)}</b> and its delivery log? Alerts stop going to its URL.</p>`, 'Remove webhook', async () => {
      await api('DELETE', '/v1/hooks/' + enc(del.dataset.delete)); toast(`Webhook ${del.dataset.delete} removed`); go('/alerts', true);
    }, 'Keep');
  });
}

// ---- shell: router, header, live stream ----
const ROUTES = [[/^\/(?:leads)?$/, pageBoard, 'leads'], [/^\/leads\/([^/]+)$/, pageLead, 'leads'], [/^\/copy\/([^/]+)$/, pageCopySetup, 'leads'],
  [/^\/copies$/, pageMyCopies, 'copies'], [/^\/copies\/([^/]+)$/, pageCopy, 'copies'], [/^\/dashboard$/, pageDashboard, 'dashboard'],
  [/^\/alerts$/, pageAlerts, 'alerts'], [/^\/signin$/, pageSignIn, '']];
let rendering = Promise.resolve();
function rerender() { rendering = rendering.then(render, render); return rendering; }
// Renders the page of the current URL. A page that sends the browser elsewhere (sign in first, a key that is no
// longer valid) returns a redirect, followed here, inside this render: no render ever waits for another.
async function render() {
  for (let hops = 0; hops < 4; hops++) {
    // Events that come while the page is read and drawn are kept, and given to the page once it is drawn: its data
    // may predate them (a burst of fills would otherwise end with the page a few fills behind).
    S.onEvent = null; S.missed = []; S.drawings++; S.drawnAt = Date.now();
    const path = location.pathname;
    const route = ROUTES.find(([re]) => re.test(path));
    if (!route) { main().innerHTML = '<h1>Not found</h1><p><a href="/leads" data-link>Back to the leads</a></p>'; return; }
    const [re, page, nav] = route;
    $$('[data-nav]').forEach(a => a.classList.toggle('active', a.dataset.nav === nav));
    let outcome;
    try { outcome = await page(...path.match(re).slice(1).map(decodeURIComponent)); }
    catch (e) {
      if (e instanceof APIError && e.status === 401) {
        signOut(false);
        outcome = redirect('/signin?next=' + enc(path + location.search));
        toast('Your API key is no longer valid: sign in again', 'error');
      } else {
        main().innerHTML = `<h1>Something went wrong</h1><p class="error">${esc(e.message)}</p><p><a href="/leads" data-link>Back to the leads</a></p>`;
      }
    }
    if (outcome && outcome.redirect) { history.replaceState({}, '', outcome.redirect); continue; }
    document.title = ($('h1', main()) ? $('h1', main()).textContent.trim().replace(/\s+/g, ' ') + ' · ' : '') + 'SmartSync';
    const missed = S.missed; S.missed = null;
    if (S.onEvent) missed.forEach(ev => S.onEvent(ev));
    return;
  }
}
// Live redraws wait while someone is filling in a form on the page: their input is never wiped.
function typing() {
  const a = document.activeElement;
  if ($('#confirm-modal')) return true;
  if (a && main().contains(a) && ['INPUT', 'SELECT', 'TEXTAREA'].includes(a.tagName)) return true;
  if ($$('input[type=text], input[type=password]', main()).some(i => i.value !== i.defaultValue)) return true;
  return $$('select:not([data-kept])', main()).some(sel => [...sel.options].some(o => o.selected !== o.defaultSelected));
}
// A burst of events (a lead's many orders) makes one redraw, not one each: a redraw asked for while another is
// waiting to start joins it.
let liveWaiting = null;
function liveRerender() {
  if (liveWaiting) return liveWaiting.done;
  const page = location.pathname + location.search, entry = {};
  liveWaiting = entry;
  entry.done = new Promise(resolve => {
    const attempt = () => {
      if (location.pathname + location.search !== page) { if (liveWaiting === entry) liveWaiting = null; return resolve(); }
      if (typing()) return setTimeout(attempt, 1000);
      const run = () => { if (liveWaiting === entry) liveWaiting = null; return render(); };
      rendering = rendering.then(run, run);
      rendering.then(resolve, resolve);
    };
    setTimeout(attempt, 0);
  });
  return entry.done;
}
function go(path, replace) {
  S.shown = null;
  if (replace) history.replaceState({}, '', path); else history.pushState({}, '', path);
  return rerender();
}
function showWho() {
  const who = $('#who');
  if (S.key && S.me) {
    who.innerHTML = `<b id="who-name">${esc(S.me.id)}</b> <span class="balance">· ${usd(S.me.main.USDT || '0')} USDT</span> <button id="signout" class="small-button">Sign out</button>`;
    $('#signout').onclick = () => signOut(true);
  } else who.innerHTML = `<a href="/signin" data-link id="signin-link">Sign in</a>`;
}
function signOut(navigate) {
  S.key = null; S.me = null; localStorage.removeItem('smartsync.key');
  if (S.ws) { S.ws.onclose = null; S.ws.close(); S.ws = null; }
  $('#live').classList.remove('on'); showWho(); if (navigate) go('/leads');
}
async function getConfig() {
  if (!S.config) S.config = await get('/v1/config');
  return S.config;
}
// The market's clock in the header: in the demo a moment of 2021, not the reader's wall clock.
function showMarket(time) {
  if (time) S.market = time;
  const box = $('#market'), demo = S.config && S.config.demo;
  if (!box || !S.market) return;
  box.textContent = (demo ? 'Demo market ' : 'Market ') + when(S.market) + (demo && demo.finished ? ' · data ended' : '');
  box.title = demo ? `Real prices of ${demo.from.slice(0, 10)} to ${demo.to.slice(0, 10)}, replayed; times are market times in your time zone` : 'Time of the last market event';
}
function connect() {
  if (S.ws) return;
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/stream' + (S.key ? '?key=' + enc(S.key) : '?key=');
  if (!S.key) return;
  const ws = new WebSocket(url);
  S.ws = ws;
  ws.onopen = () => { S.wsRetry = 0; $('#live').classList.add('on'); $('#live').title = 'Live updates: connected'; };
  ws.onmessage = m => {
    let ev; try { ev = JSON.parse(m.data); } catch (_) { return; }
    if (ev.type === 'price' && ev.time) showMarket(ev.time);
    if (ev.type === 'copyFill') toast(`Copy ${ev.copy}: ${ev.side} ${ev.quantity} ${base(ev.symbol)} at ${usd(ev.price)}`);
    if (ev.type === 'failedCopyOrder') toast(`Copy ${ev.copy}: ${ev.side} ${ev.symbol} not executed: ${ev.explanation}`);
    if (ev.type === 'copyStatus' && ev.status === 'stopped') toast(`Copy ${ev.copy} stopped${ev.stopReason ? ': ' + (STOP[ev.stopReason] || ev.stopReason) : ''}`);
    if (['copyFill', 'copyStatus'].includes(ev.type)) refreshMe();
    if (S.onEvent) S.onEvent(ev); else if (S.missed && S.missed.length < 1000) S.missed.push(ev);
  };
  ws.onclose = () => {
    $('#live').classList.remove('on'); $('#live').title = 'Live updates: reconnecting';
    S.ws = null;
    if (!S.key) return;
    // A key that stopped working ends here: the next page load signs out.
    setTimeout(async () => {
      try { await get('/v1/me'); connect(); } catch (e) { if (e.status === 401) { signOut(false); rerender(); } else connect(); }
    }, Math.min(10000, 500 * 2 ** S.wsRetry++));
  };
}
const refreshMe = throttle(async () => { if (!S.key) return; try { S.me = await get('/v1/me'); showWho(); } catch (_) {} }, 2000);

// A dialog that asks before money moves. `onError` may show the error elsewhere (return true to close the box).
function confirmBox(html, action, run, cancel = 'Cancel', onError = null) {
  $('#confirm-modal')?.remove();
  const box = document.createElement('div');
  box.className = 'modal'; box.id = 'confirm-modal';
  box.innerHTML = `<div class="card" role="dialog" aria-modal="true" aria-labelledby="confirm-text"><div id="confirm-text">${html}</div><div class="error" data-error-for="form"></div>
    <div class="row"><button class="danger" id="confirm-yes">${esc(action)}</button><button id="confirm-no">${esc(cancel)}</button></div></div>`;
  document.body.appendChild(box);
  const close = () => box.remove();
  $('#confirm-no', box).onclick = close;
  box.addEventListener('keydown', e => { if (e.key === 'Escape') close(); });
  $('#confirm-yes', box).focus();
  let key = null;
  $('#confirm-yes', box).onclick = async () => {
    const yes = $('#confirm-yes', box);
    yes.disabled = true;
    try { await run(); close(); } catch (err) {
      yes.disabled = false;
      if (onError && err instanceof APIError && onError(err)) { close(); return; }
      $('[data-error-for="form"]', box).textContent = err.message;
    }
  };
}

// Toasts stack at the bottom; each can be dismissed and goes by itself after a while. The page keeps room below
// its content for them, so they never sit over a button that cannot be scrolled clear.
function toast(text, kind = '') {
  const stack = $('#toasts');
  const t = document.createElement('div');
  t.className = 'toast ' + kind; t.setAttribute('role', 'status');
  t.innerHTML = `<span>${esc(text)}</span><button class="dismiss" aria-label="Dismiss">×</button>`;
  const remove = () => { t.remove(); roomForToasts(); };
  $('.dismiss', t).onclick = remove;
  stack.appendChild(t);
  while (stack.children.length > 3) stack.firstElementChild.remove();
  roomForToasts();
  setTimeout(remove, kind === 'error' ? 10000 : 6000);
}
function roomForToasts() {
  const stack = $('#toasts');
  document.body.style.paddingBottom = stack.children.length ? (stack.offsetHeight + 16) + 'px' : '';
}
// A page's live redraws, at most one every `ms` counted from its last drawing: each drawing installs a new
// handler, so the pace is kept by the time of the last drawing, not by the handler (a fresh handler would otherwise
// redraw on the first event, every time). A handler of a page drawn again since does nothing.
function paced(ms, wanted = () => true) {
  const drawing = S.drawings;
  let timer = null;
  return ev => {
    if (timer || !wanted(ev)) return;
    timer = setTimeout(() => { timer = null; if (S.drawings === drawing) liveRerender(); }, Math.max(0, S.drawnAt + ms - Date.now()));
  };
}
function throttle(f, ms) {
  let last = 0, timer = null, pending = null;
  return (...a) => {
    pending = a; const now = Date.now();
    if (timer) return;
    const wait = Math.max(0, last + ms - now);
    timer = setTimeout(() => { timer = null; last = Date.now(); f(...pending); }, wait);
  };
}
function debounce(f, ms) { let t = null; return (...a) => { clearTimeout(t); t = setTimeout(() => f(...a), ms); }; }

// Card tables (a phone shows each row as a card): every cell carries its column's name, for the style sheet.
function labelCells() {
  for (const table of $$('table.cards', main())) {
    const heads = $$('thead th', table).map(th => th.textContent.trim());
    for (const td of $$('tbody td:not([data-label])', table)) td.dataset.label = td.colSpan === 1 ? heads[td.cellIndex] || '' : '';
  }
}
new MutationObserver(labelCells).observe(main(), { childList: true, subtree: true });

document.addEventListener('click', e => {
  const a = e.target.closest('a[data-link]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault(); go(a.getAttribute('href'));
});
window.addEventListener('popstate', () => { S.shown = null; rerender(); });
(async () => {
  try { await getConfig(); showMarket(S.config.marketTime); } catch (_) {}
  if (S.key) { try { S.me = await get('/v1/me'); connect(); } catch (e) { if (e.status === 401) signOut(false); } }
  showWho(); rerender();
})();
