'use strict';
const S = { key: localStorage.getItem('smartsync.key'), me: null, ws: null, onEvent: null, wsRetry: 0 };
const $ = (sel, root = document) => root.querySelector(sel);
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
  let s = (v / SCALE).toString(), f = (v % SCALE).toString().padStart(8, '0').replace(/0+$/, '');
  return (neg ? '-' : '') + s + (f ? '.' + f : '');
}
function fixed(v, places) {  // units -> rounded half away from zero, grouped
  const neg = v < 0n; if (neg) v = -v;
  const div = 10n ** BigInt(8 - places);
  const q = (v + div / 2n) / div;
  let s = q.toString().padStart(places + 1, '0');
  let a = places ? s.slice(0, -places) : s, b = places ? s.slice(-places) : '';
  a = a.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg && q !== 0n ? '-' : '') + a + (b ? '.' + b : '');
}
const usd = s => fixed(D(s), 2);
const pct = (s, places = 2) => fixed(D(s) * 100n, places) + '%';
const ratioOf = (a, b) => b === 0n ? 0n : (a * SCALE) / b;
const cls = v => (typeof v === 'bigint' ? v : D(v)) > 0n ? 'up' : (typeof v === 'bigint' ? v : D(v)) < 0n ? 'down' : '';
const signed = (s, f = usd) => (D(s) > 0n ? '+' : '') + f(s);
const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const when = t => t ? new Date(t).toISOString().replace('T', ' ').slice(0, 19) : '';
const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now());

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
  form.querySelectorAll('button').forEach(b => b.disabled = true);
  try { await run(); form._sig = null; return true; }
  finally { form._busy = false; form.querySelectorAll('button').forEach(b => b.disabled = false); }
}

// ---- forms: the API's message next to the field it names ----
function clearErrors(form) { form.querySelectorAll('.error').forEach(e => e.textContent = ''); }
function showError(form, err, fieldMap = {}) {
  const field = err.field || '';
  const target = fieldMap[field] || fieldMap[field.split('.')[0]] || 'form';
  const box = form.querySelector(`[data-error-for="${target}"]`) || form.querySelector('[data-error-for="form"]');
  box.textContent = err.message;
}
function pctToRatio(text, field) {  // "20" (%) -> "0.2", exactly
  const v = dec(text);
  if (v === null || v % 100n !== 0n) throw new APIError('must be a percentage with at most 6 decimals', 400, 'invalidInput', field);
  return exact(v / 100n);
}
function thresholdFrom(form, name) {
  const kind = form.elements[name + 'Kind'].value, value = form.elements[name + 'Value'].value.trim();
  if (kind === 'none') return null;
  if (!value) throw new APIError('enter a value or choose "none"', 400, 'invalidInput', name);
  return kind === 'ratio' ? { ratio: pctToRatio(value, name + '.ratio') } : { amount: value };
}
function thresholdText(t) {
  if (!t) return 'none';
  return t.amount !== undefined ? `${usd(t.amount)} USDT` : pct(t.ratio);
}
function thresholdFields(name, label, t, help) {
  const kind = !t ? 'none' : t.amount !== undefined ? 'amount' : 'ratio';
  const value = !t ? '' : t.amount !== undefined ? t.amount : exact(D(t.ratio) * 100n);
  return `<div class="field"><label for="${name}Value">${label}</label>
    <div class="row"><select name="${name}Kind" id="${name}Kind">
      <option value="none"${kind === 'none' ? ' selected' : ''}>none</option>
      <option value="amount"${kind === 'amount' ? ' selected' : ''}>amount (USDT)</option>
      <option value="ratio"${kind === 'ratio' ? ' selected' : ''}>% of investment</option></select>
    <input type="text" inputmode="decimal" name="${name}Value" id="${name}Value" value="${esc(value)}" style="width:9rem"></div>
    <div class="hint">${help}</div><div class="error" data-error-for="${name}"></div></div>`;
}

// ---- charts (SVG) ----
function lineChart(series, { width = 640, height = 240, yLabel = s => usd(s) } = {}) {
  const pad = { l: 70, r: 12, t: 12, b: 26 };
  const all = series.flatMap(s => s.points);
  if (all.length === 0) return '<p class="muted">No history yet.</p>';
  const xs = all.map(p => p.x), ys = all.map(p => Number(p.y));
  let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (x1 === x0) { x1 = x0 + 1; } if (y1 === y0) { y0 -= 1; y1 += 1; }
  const m = (y1 - y0) * 0.08; y0 -= m; y1 += m;
  const X = x => pad.l + (x - x0) / (x1 - x0) * (width - pad.l - pad.r);
  const Y = y => pad.t + (1 - (y - y0) / (y1 - y0)) * (height - pad.t - pad.b);
  let out = `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img">`;
  for (let k = 0; k <= 3; k++) {
    const v = y0 + (y1 - y0) * k / 3, y = Y(v);
    out += `<line x1="${pad.l}" x2="${width - pad.r}" y1="${y}" y2="${y}" stroke="#eef1f4"/>`;
    out += `<text x="${pad.l - 6}" y="${y + 4}" text-anchor="end">${esc(yLabel(v.toFixed(8)))}</text>`;
  }
  const first = all.reduce((a, p) => p.x < a.x ? p : a), last = all.reduce((a, p) => p.x > a.x ? p : a);
  if (first.t) out += `<text x="${pad.l}" y="${height - 6}">${esc(when(first.t).slice(0, 16))}</text>`;
  if (last.t) out += `<text x="${width - pad.r}" y="${height - 6}" text-anchor="end">${esc(when(last.t).slice(0, 16))}</text>`;
  for (const s of series) {
    if (!s.points.length) continue;
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${X(p.x).toFixed(1)},${Y(Number(p.y)).toFixed(1)}`).join('');
    out += `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"><title>${esc(s.name)}</title></path>`;
    const p = s.points[s.points.length - 1];
    out += `<circle cx="${X(p.x)}" cy="${Y(Number(p.y))}" r="3" fill="${s.color}"><title>${esc(s.name)}: ${esc(yLabel(p.y))}</title></circle>`;
  }
  if (series.length > 1) {
    out += series.map((s, i) => `<text x="${pad.l + 8 + i * 150}" y="${pad.t + 12}" style="fill:${s.color};font-weight:600">${esc(s.name)}</text>`).join('');
  }
  return out + '</svg>';
}
function sparkline(points) {
  if (points.length < 2) return '';
  const ys = points.map(p => Number(p.nav)), y0 = Math.min(...ys), y1 = Math.max(...ys) || 1;
  const d = ys.map((y, i) => `${i ? 'L' : 'M'}${(i / (ys.length - 1) * 100).toFixed(1)},${(26 - (y - y0) / ((y1 - y0) || 1) * 24).toFixed(1)}`).join('');
  const up = ys[ys.length - 1] >= ys[0];
  return `<svg viewBox="0 0 100 28" width="100" height="28" aria-hidden="true"><path d="${d}" fill="none" stroke="${up ? '#0b7a5a' : '#c0392b'}" stroke-width="1.5"/></svg>`;
}
const stat = (label, value, c = '', id = '') => `<div class="stat"${id ? ` data-stat="${id}"` : ''}><div class="label">${label}</div><div class="value ${c}">${value}</div></div>`;
const bar = (ratio, lead) => `<span class="bar${lead ? ' lead' : ''}" style="width:${Math.max(0, Math.min(100, Number(ratio) * 100)).toFixed(1)}px"></span>`;

// ---- pages ----
const SORTS = [['roi', 'ROI'], ['pnl', 'PnL'], ['aum', 'AUM'], ['followers', 'Followers'], ['maxDrawdown', 'Max drawdown'], ['winRate', 'Win rate']];
async function pageBoard() {
  const sort = new URLSearchParams(location.search).get('sort') || 'roi';
  const leads = await get('/v1/leads?sort=' + encodeURIComponent(sort));
  main().innerHTML = `<h1>Lead traders</h1>
    <div class="sorts" id="sorts">Sort by ${SORTS.map(([k, l]) => `<button data-sort="${k}" class="${k === sort ? 'on' : ''}">${l}</button>`).join('')}</div>
    <div class="scroll"><table id="board"><thead><tr><th>Lead</th><th>ROI</th><th>PnL (USDT)</th><th>AUM (USDT)</th><th>Followers</th><th>Max drawdown</th><th>Win rate</th><th class="hide-phone">NAV</th></tr></thead><tbody>
    ${leads.map(l => `<tr data-lead="${esc(l.user)}"><td><a href="/leads/${encodeURIComponent(l.user)}" data-link>${esc(l.user)}</a></td>
      <td class="${cls(l.roi)}">${pct(l.roi)}</td><td class="${cls(l.pnl)}">${usd(l.pnl)}</td><td>${usd(l.aum)}</td>
      <td>${l.followers} / ${l.followerLimit}</td><td>${pct(l.maxDrawdown)}</td><td>${pct(l.winRate)}</td>
      <td class="hide-phone">${sparkline(l.equityCurve || [])}</td></tr>`).join('') || '<tr><td colspan="8" class="muted">Nobody is leading yet.</td></tr>'}
    </tbody></table></div>`;
  $('#sorts').addEventListener('click', e => { const b = e.target.closest('button[data-sort]'); if (b) go('/leads?sort=' + b.dataset.sort); });
  S.onEvent = throttle(ev => { if (ev.type === 'leadFill' || ev.type === 'price') liveRerender(); }, 3000);
}

async function pageLead(user) {
  const [l, fills, config] = await Promise.all([get('/v1/leads/' + encodeURIComponent(user)), get(`/v1/leads/${encodeURIComponent(user)}/fills?limit=20`), get('/v1/config')]);
  const full = l.followers >= l.followerLimit, self = S.me && S.me.id === l.user;
  const cashWeight = D(l.equity) > 0n ? exact(ratioOf(D(l.cash), D(l.equity))) : '0';
  main().innerHTML = `<h1>${esc(l.user)} <span class="badge ${l.status}">${l.status}</span></h1>
    <div class="grid">
      ${stat('ROI', pct(l.roi), cls(l.roi), 'roi')}${stat('PnL', usd(l.pnl) + ' USDT', cls(l.pnl))}${stat('Equity', usd(l.equity) + ' USDT')}
      ${stat('AUM (copy accounts)', usd(l.aum) + ' USDT')}${stat('Followers', `${l.followers} / ${l.followerLimit}`, '', 'followers')}
      ${stat('Win rate', `${pct(l.winRate)} <span class="muted">(${l.closedRoundTrips} closed)</span>`)}${stat('Max drawdown', pct(l.maxDrawdown))}
      ${stat('Profit share', pct(l.profitShareRate))}
    </div>
    <div class="card" style="margin-top:1rem"><div class="row" style="justify-content:space-between">
      <div>Copy ${esc(l.user)} in <b>Smart Sync</b> mode: every trade is copied as the same share of your copy's equity. Minimum ${usd(config.minInvestment)} USDT.</div>
      ${l.status !== 'active' ? '<span class="muted">not leading</span>' : self ? '<span class="muted">this is you</span>' : full ? '<button disabled>Full</button>' : `<a class="button primary" id="copy-button" href="/copy/${encodeURIComponent(l.user)}" data-link>Copy</a>`}
    </div></div>
    <h2>Equity</h2>${lineChart([{ name: 'Equity', color: '#1f5fbf', points: l.equityCurve.map(p => ({ x: p.event, y: p.equity, t: p.time })) }])}
    <h2>Portfolio now</h2>
    <div class="scroll"><table id="weights"><thead><tr><th>Asset</th><th>Quantity</th><th>Value (USDT)</th><th>Weight</th></tr></thead><tbody>
      ${l.holdings.map(h => `<tr><td>${esc(h.symbol.split('-')[0])}</td><td>${esc(h.quantity)}</td><td>${usd(h.value)}</td><td>${bar(h.weight)} ${pct(h.weight)}</td></tr>`).join('')}
      <tr><td>USDT</td><td>${usd(l.cash)}</td><td>${usd(l.cash)}</td><td>${bar(cashWeight)} ${pct(cashWeight)}</td></tr>
    </tbody></table></div>
    <h2>Latest trades</h2>${leadFillsTable(fills.slice().reverse())}`;
  S.onEvent = throttle(ev => { if ((ev.type === 'leadFill' && ev.lead === user) || ev.type === 'price') liveRerender(); }, 2000);
}
function leadFillsTable(fills) {
  return `<div class="scroll"><table class="lead-fills"><thead><tr><th>Time</th><th>Pair</th><th>Side</th><th>Quantity</th><th>Price</th><th>Value (USDT)</th></tr></thead><tbody>
    ${fills.map(f => `<tr><td>${when(f.time)}</td><td>${esc(f.symbol)}</td><td class="${f.side === 'buy' ? 'up' : 'down'}">${f.side}</td><td>${esc(f.quantity)}</td><td>${esc(f.price)}</td><td>${usd(f.quote)}</td></tr>`).join('') || '<tr><td colspan="6" class="muted">No trades yet.</td></tr>'}
    </tbody></table></div>`;
}

async function pageCopySetup(lead) {
  if (!S.key) return go('/signin?next=' + encodeURIComponent(location.pathname), true);
  const [l, config, me] = await Promise.all([get('/v1/leads/' + encodeURIComponent(lead)), get('/v1/config'), get('/v1/me')]);
  const balance = me.main.USDT || '0';
  main().innerHTML = `<h1>Copy ${esc(l.user)} <span class="muted" style="font-size:1rem">Smart Sync</span></h1>
    <form id="copy-form" class="card" novalidate>
      <div class="field"><label for="investment">Total investment (USDT)</label>
        <input type="text" inputmode="decimal" id="investment" name="investment" autocomplete="off" placeholder="${esc(config.minInvestment)}" style="width:12rem">
        <div class="hint">Minimum ${usd(config.minInvestment)} USDT · available in your main account ${usd(balance)} USDT</div>
        <div class="error" data-error-for="investment"></div></div>
      <div class="field"><label><input type="checkbox" id="buyExisting" name="buyExisting"> Buy existing assets</label>
        <div class="hint">Buy the lead's current holdings now, in the lead's weights, so your copy starts where the lead is.</div>
        <div id="preview"></div></div>
      ${thresholdFields('stopLoss', 'Total stop loss', null, 'Stops the copy and sells everything when the loss reaches this amount or share of your investment.')}
      ${thresholdFields('takeProfit', 'Take profit', null, 'Stops the copy and sells everything when the profit reaches this.')}
      <div class="error" data-error-for="form"></div>
      <div id="review"></div>
      <div class="row"><button type="submit" class="primary" id="review-button">Review</button><a href="/leads/${encodeURIComponent(l.user)}" data-link>Cancel</a></div>
    </form>`;
  const form = $('#copy-form');
  let body = null;
  const fieldMap = { investment: 'investment', stopLoss: 'stopLoss', takeProfit: 'takeProfit' };
  const refreshPreview = debounce(async () => {
    const box = $('#preview');
    if (!form.buyExisting.checked) { box.innerHTML = ''; return; }
    const inv = form.investment.value.trim();
    if (dec(inv) === null || D(inv) <= 0n) { box.innerHTML = '<p class="hint">Enter the investment to see what it would buy.</p>'; return; }
    try {
      const rows = await get(`/v1/leads/${encodeURIComponent(lead)}/buy-existing?investment=${encodeURIComponent(inv)}`);
      box.innerHTML = rows.length ? `<table id="preview-table"><thead><tr><th>Asset</th><th>Lead weight</th><th>Spend (USDT)</th><th>≈ Quantity</th><th>at price</th></tr></thead><tbody>
        ${rows.map(r => `<tr><td>${esc(r.symbol.split('-')[0])}</td><td>${pct(r.weight)}</td><td>${usd(r.notional)}</td><td>${r.skipped ? `<span class="muted">not bought: ${esc(r.explanation)}</span>` : esc(r.quantity)}</td><td>${esc(r.price)}</td></tr>`).join('')}</tbody></table>
        <p class="hint">At current prices; the orders execute when you confirm.</p>` : '<p class="hint">The lead holds only USDT now: nothing to buy.</p>';
    } catch (e) { box.innerHTML = `<div class="error">${esc(e.message)}</div>`; }
  }, 250);
  const unreview = () => { body = null; $('#review').innerHTML = ''; };
  form.investment.addEventListener('input', () => { unreview(); refreshPreview(); });
  form.buyExisting.addEventListener('change', () => { unreview(); refreshPreview(); });
  form.addEventListener('change', unreview);
  // Review (the form's submit) shows the summary; only its own Confirm button sends the request.
  form.addEventListener('submit', async e => {
    e.preventDefault(); clearErrors(form);
    try {
      {
        const inv = form.investment.value.trim();
        if (!inv) throw new APIError('is required', 400, 'invalidInput', 'investment');
        if (dec(inv) === null) throw new APIError('must be a decimal amount with at most 8 decimals', 400, 'invalidInput', 'investment');
        const b = { lead, investment: inv, mode: 'smartSync', buyExisting: form.buyExisting.checked };
        const sl = thresholdFrom(form, 'stopLoss'), tp = thresholdFrom(form, 'takeProfit');
        if (sl) b.stopLoss = sl; if (tp) b.takeProfit = tp;
        body = b;
        $('#review').innerHTML = `<div class="card" id="confirm-box"><b>Please confirm</b><ul>
          <li>Copy <b>${esc(lead)}</b> in Smart Sync mode with <b>${esc(exact(D(inv)))} USDT</b>, moved from your main account to a new copy account.</li>
          <li>${b.buyExisting ? 'Buy the lead\'s current holdings now.' : 'Start in cash; copy the lead\'s next trades.'}</li>
          <li>Stop loss: ${thresholdText(sl)} · take profit: ${thresholdText(tp)}</li>
          <li>The lead receives ${pct(l.profitShareRate)} of the profit your copy realizes above its high-water mark.</li></ul>
          <button type="button" class="primary" id="confirm-button">Confirm and copy</button></div>`;
        $('#confirm-button').addEventListener('click', () => submitting(form, async () => {
          clearErrors(form);
          try {
            const copy = await api('POST', '/v1/copies', body, keyFor(form, body));
            toast(`Copy of ${lead} started`);
            go('/copies?new=' + encodeURIComponent(copy.id));
          } catch (err) {
            if (!(err instanceof APIError)) throw err;
            if (err.status < 500) unreview();
            showError(form, err, fieldMap);
          }
        }));
      }
    } catch (err) {
      if (!(err instanceof APIError)) throw err;
      unreview();
      showError(form, err, fieldMap);
    }
  });
}

async function pageMyCopies() {
  if (!S.key) return go('/signin?next=/copies', true);
  const copies = await get('/v1/copies');
  const fresh = new URLSearchParams(location.search).get('new');
  const active = copies.filter(c => c.status === 'active');
  const inv = active.reduce((a, c) => a + D(c.netInvested), 0n), eq = active.reduce((a, c) => a + D(c.equity), 0n);
  const pnlAll = copies.reduce((a, c) => a + D(c.pnl), 0n);
  main().innerHTML = `<h1>My copies</h1>
    <div class="grid">${stat('Active copies', active.length)}${stat('Invested (active)', fixed(inv, 2) + ' USDT')}${stat('Equity (active)', fixed(eq, 2) + ' USDT', '', 'equity')}
      ${stat('PnL, all copies', fixed(pnlAll, 2) + ' USDT', cls(pnlAll), 'pnl')}</div>
    <h2>Copies</h2>
    <div class="scroll"><table id="copies"><thead><tr><th>Lead</th><th>Status</th><th>Invested</th><th>Equity</th><th>PnL</th><th>ROI</th><th></th></tr></thead><tbody>
      ${copies.map(c => `<tr data-copy="${esc(c.id)}" class="${c.id === fresh ? 'flash' : ''}"><td><a href="/leads/${encodeURIComponent(c.lead)}" data-link>${esc(c.lead)}</a></td>
        <td><span class="badge ${c.status}">${c.status}</span>${c.stopReason ? ` <span class="muted">${esc(STOP[c.stopReason] || c.stopReason)}</span>` : ''}</td>
        <td>${c.status === 'active' ? usd(c.netInvested) : '<span class="muted" title="closed: everything went back to your main account">—</span>'}</td><td>${usd(c.equity)}</td><td class="${cls(c.pnl)}">${signed(c.pnl)}</td><td class="${cls(c.roi)}">${pct(c.roi)}</td>
        <td><a href="/copies/${encodeURIComponent(c.id)}" data-link>Details</a></td></tr>`).join('') || '<tr><td colspan="7" class="muted">No copies yet: pick a lead on the <a href="/leads" data-link>board</a>.</td></tr>'}
      ${active.length ? `<tr class="total"><td>Total active</td><td></td><td>${fixed(inv, 2)}</td><td>${fixed(eq, 2)}</td><td class="${cls(eq - inv)}">${fixed(eq - inv, 2)}</td><td class="${cls(eq - inv)}">${fixed(ratioOf(eq - inv, inv) * 100n, 2)}%</td><td></td></tr>` : ''}
    </tbody></table></div>`;
  S.onEvent = throttle(ev => { if (['copyFill', 'copyStatus', 'failedCopyOrder', 'price'].includes(ev.type)) liveRerender(); }, 1500);
}
const STOP = { follower: 'stopped by you', leadStopped: 'the lead stopped leading', removedByLead: 'removed by the lead', stopLoss: 'stop loss reached', takeProfit: 'take profit reached' };
const TRACK = [
  ['fees', 'Trading fees'], ['profitShare', 'Profit share paid'], ['priceDifference', 'Price difference from the lead\'s fills'],
  ['failedOrCapped', 'Failed or cash-capped copy orders'], ['sizing', 'Sizing by design (no buy-existing, added money, fixed amounts)'], ['rounding', 'Rounding and the rest'],
];

async function pageCopy(id) {
  if (!S.key) return go('/signin?next=' + encodeURIComponent(location.pathname), true);
  const c = await get('/v1/copies/' + encodeURIComponent(id));
  const [curve, l, leadFills] = await Promise.all([get(`/v1/copies/${encodeURIComponent(id)}/equity-curve`), get('/v1/leads/' + encodeURIComponent(c.lead)), get(`/v1/leads/${encodeURIComponent(c.lead)}/fills?limit=10000`)]);
  const byId = new Map(leadFills.map(f => [f.id, f]));
  const start = curve.length ? curve[0].event : 0, end = c.status === 'active' ? Infinity : (curve.length ? curve[curve.length - 1].event : 0);
  const leadPoints = l.equityCurve.filter(p => p.event >= start && p.event <= end);
  const mine = S.me && S.me.id === c.user;
  const t = c.tracking;
  main().innerHTML = `<h1>Copy of <a href="/leads/${encodeURIComponent(c.lead)}" data-link>${esc(c.lead)}</a> <span class="badge ${c.status}" id="copy-status">${c.status}</span>
      ${c.stopReason ? `<span class="muted" style="font-size:1rem">${esc(STOP[c.stopReason] || c.stopReason)}</span>` : ''}</h1>
    <div class="grid">${stat('Equity', usd(c.equity) + ' USDT', '', 'equity')}${stat(c.status === 'active' ? 'Invested' : 'Net invested (paid in − paid out)', usd(c.netInvested) + ' USDT', '', 'invested')}${stat('PnL', signed(c.pnl) + ' USDT', cls(c.pnl))}
      ${stat('ROI', pct(c.roi), cls(c.roi))}${stat('Lead ROI (same period)', pct(t.leadRoi), cls(t.leadRoi))}${stat('Fees paid', usd(c.feesPaid) + ' USDT')}${stat('Profit share paid', usd(c.profitSharePaid) + ' USDT')}
      ${stat('Stop loss / take profit', thresholdText(c.stopLoss) + ' / ' + thresholdText(c.takeProfit))}</div>
    <div class="two" style="margin-top:1rem">
      <div><h2>Your copy</h2>${lineChart([{ name: 'Copy equity', color: '#0b7a5a', points: curve.map(p => ({ x: p.event, y: p.equity, t: p.time })) }])}</div>
      <div><h2>${esc(c.lead)} (lead)</h2>${lineChart([{ name: 'Lead equity', color: '#1f5fbf', points: leadPoints.map(p => ({ x: p.event, y: p.equity, t: p.time })) }])}</div>
    </div>
    <h2>Holdings</h2>
    <div class="scroll"><table id="holdings"><thead><tr><th>Asset</th><th>Quantity</th><th>Value (USDT)</th><th>Your weight</th><th>Lead weight</th></tr></thead><tbody>
      ${c.holdings.map(h => `<tr><td>${esc(h.symbol.split('-')[0])}${h.dust ? ' <span class="muted">dust</span>' : ''}</td><td>${esc(h.quantity)}</td><td>${usd(h.value)}</td><td>${bar(h.weight)} ${pct(h.weight)}</td><td>${bar(h.leadWeight || '0', true)} ${pct(h.leadWeight || '0')}</td></tr>`).join('')}
      <tr><td>USDT</td><td>${usd(c.cash)}</td><td>${usd(c.cash)}</td><td colspan="2"></td></tr></tbody></table></div>
    <h2>Copy trades and the lead trades behind them</h2>
    <div class="scroll"><table id="fills"><thead><tr><th>Time</th><th>Pair</th><th>Side</th><th>Your quantity</th><th>Your price</th><th>Fee</th><th>Lead quantity</th><th>Lead price</th></tr></thead><tbody>
      ${c.fills.slice().reverse().map(f => { const lf = f.leadFill ? byId.get(f.leadFill) : null;
        return `<tr data-event="${f.event}"><td>${when(f.time)}</td><td>${esc(f.symbol)}</td><td class="${f.side === 'buy' ? 'up' : 'down'}">${f.side}</td>
        <td>${esc(f.quantity)}${f.cappedByCash ? ' <span class="muted" title="capped by the cash in the copy">capped</span>' : ''}</td><td>${esc(f.price)}</td><td>${esc(f.fee)}</td>
        <td>${lf ? esc(lf.quantity) : `<span class="muted">${f.leadFill ? '' : f.side === 'buy' ? 'existing assets bought' : 'sold to stop or reduce'}</span>`}</td><td>${esc(f.leadPrice)}</td></tr>`; }).join('') || '<tr><td colspan="8" class="muted">No copy trades yet: they appear here when the lead trades.</td></tr>'}
    </tbody></table></div>
    <h2>Failed copy orders</h2>
    <div class="scroll"><table id="failed"><thead><tr><th>Event</th><th>Pair</th><th>Side</th><th>Why</th><th>Value (USDT)</th></tr></thead><tbody>
      ${c.failedOrders.slice().reverse().map(f => `<tr><td>#${f.event}</td><td>${esc(f.symbol)}</td><td>${f.side}</td><td>${esc(f.explanation || f.reason)}</td><td>${f.notional ? usd(f.notional) : ''}</td></tr>`).join('') || '<tr><td colspan="5" class="muted">None.</td></tr>'}
    </tbody></table></div>
    <h2>Tracking report</h2>
    <p>Your ROI ${pct(t.copyRoi, 4)} against the lead's ${pct(t.leadRoi, 4)} over the same period: a gap of <b class="${cls(t.gap)}">${pct(t.gap, 4)}</b>, made of</p>
    <div class="scroll"><table id="tracking"><tbody>${TRACK.map(([k, label]) => `<tr data-part="${k}"><td style="white-space:normal">${label}</td><td class="${cls(t.breakdown[k])}">${pct(t.breakdown[k], 4)}</td></tr>`).join('')}</tbody></table></div>
    ${mine && c.status === 'active' ? copySettings(c) : ''}`;
  if (mine && c.status === 'active') wireCopySettings(c);
  const onPrice = throttle(liveRerender, 2000);
  S.onEvent = ev => {
    if ((ev.type === 'copyFill' || ev.type === 'copyStatus' || ev.type === 'failedCopyOrder') && ev.copy === id) liveRerender().then(() => {
      if (ev.type === 'copyFill') document.querySelectorAll(`#fills tr[data-event="${ev.event}"]`).forEach(r => r.classList.add('flash'));
    });
    else if (ev.type === 'price' || (ev.type === 'leadFill' && ev.lead === c.lead)) onPrice();
  };
}
function copySettings(c) {
  return `<h2>Settings</h2><div class="two">
    <form id="adjust-form" class="card" novalidate><label for="delta">Adjust investment (USDT)</label>
      <input type="text" inputmode="decimal" id="delta" name="delta" style="width:10rem" placeholder="100">
      <div class="hint">Adding moves USDT from your main account. Removing takes cash first, then sells the same share of every holding.</div>
      <div class="error" data-error-for="delta"></div><div class="error" data-error-for="form"></div>
      <div class="row"><button type="submit" name="add" value="add" class="primary" id="add-button">Add</button><button type="submit" name="remove" value="remove" id="remove-button">Remove</button></div></form>
    <form id="thresholds-form" class="card" novalidate>
      ${thresholdFields('stopLoss', 'Total stop loss', c.stopLoss, 'Amount in USDT or % of your net investment.')}
      ${thresholdFields('takeProfit', 'Take profit', c.takeProfit, '')}
      <div class="error" data-error-for="form"></div><button type="submit" class="primary" id="save-thresholds">Save</button></form></div>
    <div class="card"><b>Stop copying</b><p class="hint">Sells every holding at market and moves all cash to your main account. The history stays here.</p>
      <button class="danger" id="stop-button">Stop copying</button></div>`;
}
function wireCopySettings(c) {
  const id = c.id, path = '/v1/copies/' + encodeURIComponent(id);
  const adjust = $('#adjust-form');
  let which = 'add';
  adjust.addEventListener('click', e => { if (e.target.name) which = e.target.name; });
  adjust.addEventListener('submit', e => {
    e.preventDefault(); clearErrors(adjust);
    const v = adjust.delta.value.trim();
    submitting(adjust, async () => {
      try {
        if (dec(v) === null || D(v) <= 0n) throw new APIError('enter a positive amount', 400, 'invalidInput', 'delta');
        const body = { delta: which === 'add' ? v : '-' + v };
        await api('POST', path + '/investment', body, keyFor(adjust, body));
        toast(which === 'add' ? `Added ${v} USDT` : `Removed ${v} USDT`); rerender();
      } catch (err) { if (!(err instanceof APIError)) throw err; showError(adjust, err, { delta: 'delta' }); }
    });
  });
  const th = $('#thresholds-form');
  th.addEventListener('submit', async e => {
    e.preventDefault(); clearErrors(th);
    try {
      // Both read (and checked) before either is sent.
      const stopLoss = thresholdFrom(th, 'stopLoss'), takeProfit = thresholdFrom(th, 'takeProfit');
      const saved = await submitting(th, async () => {
        await api('PUT', path + '/stop-loss', { stopLoss }, newKey());
        await api('PUT', path + '/take-profit', { takeProfit }, newKey());
      });
      if (saved) { toast('Saved'); rerender(); }
    } catch (err) { if (!(err instanceof APIError)) throw err; showError(th, err, { stopLoss: 'stopLoss', takeProfit: 'takeProfit' }); }
  });
  $('#stop-button').addEventListener('click', () => confirmBox(`Stop copying ${esc(c.lead)}? Every holding of this copy is sold at market and ${'all cash'} goes to your main account.`, 'Stop copying', async () => {
    await api('DELETE', path, undefined, newKey()); toast('Copy stopped'); rerender();
  }));
}

async function pageDashboard() {
  if (!S.key) return go('/signin?next=/dashboard', true);
  const me = S.me || await get('/v1/me');
  let l = null;
  try { l = await get('/v1/leads/' + encodeURIComponent(me.id)); } catch (e) { if (e.status !== 404) throw e; }
  if (!l || l.status !== 'active') {
    main().innerHTML = `<h1>Lead dashboard</h1><form id="lead-form" class="card" novalidate><p>You are not leading. Start a lead portfolio: followers copy its trades.</p>
      <div class="field"><label for="portfolio">Portfolio (USDT, from your main account: ${usd(me.main.USDT || '0')})</label><input type="text" inputmode="decimal" id="portfolio" name="portfolio" style="width:12rem"><div class="error" data-error-for="portfolio"></div></div>
      <div class="field"><label for="rate">Profit share (%)</label><input type="text" inputmode="decimal" id="rate" name="rate" value="10" style="width:6rem"><div class="error" data-error-for="profitShareRate"></div></div>
      <div class="error" data-error-for="form"></div><button class="primary" type="submit">Start leading</button></form>`;
    const f = $('#lead-form');
    f.addEventListener('submit', async e => {
      e.preventDefault(); clearErrors(f);
      try {
        const body = { portfolio: f.portfolio.value.trim(), profitShareRate: pctToRatio(f.rate.value, 'profitShareRate') };
        if (await submitting(f, () => api('POST', '/v1/leading', body, keyFor(f, body)))) rerender();
      } catch (err) { if (!(err instanceof APIError)) throw err; showError(f, err, { portfolio: 'portfolio', profitShareRate: 'profitShareRate' }); }
    });
    return;
  }
  const [followers, orders, fills, markets] = await Promise.all([get('/v1/leading/followers'), get('/v1/orders'), get(`/v1/leads/${encodeURIComponent(me.id)}/fills?limit=50`), get('/v1/markets')]);
  const active = followers.filter(f => f.status === 'active');
  main().innerHTML = `<h1>Lead dashboard: ${esc(me.id)}</h1>
    <div class="grid">${stat('Followers', `${l.followers} / ${l.followerLimit}`, '', 'followers')}${stat('AUM (copy accounts)', usd(l.aum) + ' USDT', '', 'aum')}
      ${stat('Profit share earned', usd(l.profitShareEarned) + ' USDT', '', 'earned')}${stat('Portfolio equity', usd(l.equity) + ' USDT')}${stat('ROI', pct(l.roi), cls(l.roi))}${stat('Profit share rate', pct(l.profitShareRate))}</div>
    <h2>Trade</h2>
    <form id="order-form" class="card" novalidate><div class="row">
      <select name="symbol" id="order-symbol">${markets.map(m => `<option value="${esc(m.symbol)}">${esc(m.symbol)} · ${esc(m.price)}</option>`).join('')}</select>
      <select name="side" id="order-side"><option value="buy">Buy</option><option value="sell">Sell</option></select>
      <input type="text" inputmode="decimal" name="amount" id="order-amount" placeholder="USDT to spend" style="width:10rem">
      <button class="primary" type="submit" id="order-button">Place market order</button></div>
      <div class="hint" id="order-hint">Buy: USDT to spend. Sell: % of the holding. Followers copy the fill as the same share of their equity.</div>
      <div class="error" data-error-for="amount"></div><div class="error" data-error-for="form"></div></form>
    <h2>Open orders</h2>
    <div class="scroll"><table id="orders"><thead><tr><th>Order</th><th>Pair</th><th>Side</th><th>Limit</th><th>Remaining</th><th></th></tr></thead><tbody>
      ${orders.map(o => `<tr><td>#${o.id}</td><td>${esc(o.symbol)}</td><td>${o.side}</td><td>${esc(o.limitPrice)}</td><td>${esc(o.remaining)}</td><td><button data-cancel="${o.id}">Cancel</button></td></tr>`).join('') || '<tr><td colspan="6" class="muted">None.</td></tr>'}</tbody></table></div>
    <h2>Your trades</h2>${leadFillsTable(fills.slice().reverse())}
    <h2>Followers (${active.length} active)</h2>
    <div class="scroll"><table id="followers"><thead><tr><th>Copy</th><th>Status</th><th>Invested</th><th>Equity</th><th>ROI</th><th>Profit share paid</th></tr></thead><tbody>
      ${followers.map(f => `<tr><td>${esc(f.copy)}</td><td><span class="badge ${f.status}">${f.status}</span></td><td>${usd(f.netInvested)}</td><td>${usd(f.equity)}</td><td class="${cls(f.roi)}">${pct(f.roi)}</td><td>${usd(f.profitSharePaid)}</td></tr>`).join('') || '<tr><td colspan="6" class="muted">No followers yet.</td></tr>'}</tbody></table></div>`;
  const f = $('#order-form');
  f.side.addEventListener('change', () => { f.amount.placeholder = f.side.value === 'buy' ? 'USDT to spend' : '% of holding'; });
  f.addEventListener('submit', async e => {
    e.preventDefault(); clearErrors(f);
    const v = f.amount.value.trim();
    try {
      const body = { symbol: f.symbol.value, side: f.side.value };
      if (f.side.value === 'buy') body.quoteAmount = v; else body.fraction = pctToRatio(v, 'amount');
      if (!v) throw new APIError('is required', 400, 'invalidInput', 'amount');
      if (await submitting(f, () => api('POST', '/v1/orders', body, keyFor(f, body)))) { toast('Order executed'); rerender(); }
    } catch (err) { if (!(err instanceof APIError)) throw err; showError(f, err, { quoteAmount: 'amount', fraction: 'amount', amount: 'amount' }); }
  });
  $('#orders').addEventListener('click', async e => {
    const b = e.target.closest('button[data-cancel]'); if (!b) return;
    await api('DELETE', '/v1/orders/' + b.dataset.cancel, undefined, newKey()); rerender();
  });
  S.onEvent = throttle(ev => { if (ev.type === 'leadFill' && ev.lead === me.id) liveRerender(); }, 1000);
}

async function pageSignIn() {
  const next = new URLSearchParams(location.search).get('next') || '/copies';
  main().innerHTML = `<h1>Sign in</h1><form id="signin-form" class="card" novalidate>
    <div class="field"><label for="key">API key</label><input type="password" id="key" name="key" autocomplete="off" placeholder="ssk_…">
      <div class="hint">Your operator issues keys (POST /v1/users); <code>smartsync serve --demo</code> prints the demo users' keys.</div>
      <div class="error" data-error-for="key"></div></div>
    <button type="submit" class="primary" id="signin-button">Sign in</button></form>`;
  const f = $('#signin-form');
  f.addEventListener('submit', async e => {
    e.preventDefault(); clearErrors(f);
    const key = f.key.value.trim();
    if (!key) { showError(f, new APIError('enter your API key', 400, 'invalidInput', 'key'), { key: 'key' }); return; }
    const previous = S.key; S.key = key;
    try { S.me = await get('/v1/me'); } catch (err) {
      S.key = previous;
      if (!(err instanceof APIError)) throw err;
      showError(f, new APIError(err.status === 401 ? 'This API key is not valid.' : err.message, err.status, err.code, 'key'), { key: 'key' }); return;
    }
    localStorage.setItem('smartsync.key', key); connect(); showWho(); go(next);
  });
}

// ---- shell: router, header, live stream ----
const ROUTES = [[/^\/(?:leads)?$/, pageBoard, 'leads'], [/^\/leads\/([^/]+)$/, pageLead, 'leads'], [/^\/copy\/([^/]+)$/, pageCopySetup, 'leads'],
  [/^\/copies$/, pageMyCopies, 'copies'], [/^\/copies\/([^/]+)$/, pageCopy, 'copies'], [/^\/dashboard$/, pageDashboard, 'dashboard'], [/^\/signin$/, pageSignIn, '']];
let rendering = Promise.resolve();
function rerender() { rendering = rendering.then(render, render); return rendering; }
async function render() {
  S.onEvent = null;
  const path = location.pathname;
  for (const [re, page, nav] of ROUTES) {
    const m = path.match(re);
    if (!m) continue;
    document.querySelectorAll('[data-nav]').forEach(a => a.classList.toggle('active', a.dataset.nav === nav));
    try { await page(...m.slice(1).map(decodeURIComponent)); }
    catch (e) {
      if (e instanceof APIError && e.status === 401) { signOut(false); return go('/signin?next=' + encodeURIComponent(path), true); }
      main().innerHTML = `<h1>Something went wrong</h1><p class="error">${esc(e.message)}</p><p><a href="/leads" data-link>Back to the leads</a></p>`;
    }
    document.title = ($('h1', main()) ? $('h1', main()).textContent.trim().replace(/\s+/g, ' ') + ' · ' : '') + 'SmartSync';
    return;
  }
  main().innerHTML = '<h1>Not found</h1><p><a href="/leads" data-link>Back to the leads</a></p>';
}
// Live redraws wait while someone is filling in a form on the page: their input is never wiped.
function typing() {
  const a = document.activeElement;
  if (a && main().contains(a) && ['INPUT', 'SELECT', 'TEXTAREA'].includes(a.tagName)) return true;
  if ([...main().querySelectorAll('input[type=text], input[type=password]')].some(i => i.value !== i.defaultValue)) return true;
  return [...main().querySelectorAll('select')].some(sel => [...sel.options].some(o => o.selected !== o.defaultSelected));
}
function liveRerender() {
  const page = location.pathname + location.search;
  return new Promise(resolve => {
    const attempt = () => {
      if (location.pathname + location.search !== page) return resolve();
      if (typing()) return setTimeout(attempt, 1000);
      rerender().then(resolve);
    };
    attempt();
  });
}
function go(path, replace) {
  if (replace) history.replaceState({}, '', path); else history.pushState({}, '', path);
  return rerender();
}
function showWho() {
  const who = $('#who');
  if (S.key && S.me) { who.innerHTML = `Signed in as <b id="who-name">${esc(S.me.id)}</b> · ${usd(S.me.main.USDT || '0')} USDT <button id="signout">Sign out</button>`; $('#signout').onclick = () => signOut(true); }
  else who.innerHTML = `<a href="/signin" data-link id="signin-link">Sign in</a>`;
}
function signOut(navigate) {
  S.key = null; S.me = null; localStorage.removeItem('smartsync.key');
  if (S.ws) { S.ws.onclose = null; S.ws.close(); S.ws = null; }
  $('#live').classList.remove('on'); showWho(); if (navigate) go('/leads');
}
function connect() {
  if (!S.key || S.ws) return;
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/stream?key=' + encodeURIComponent(S.key));
  S.ws = ws;
  ws.onopen = () => { S.wsRetry = 0; $('#live').classList.add('on'); $('#live').title = 'Live updates: connected'; };
  ws.onmessage = m => {
    let ev; try { ev = JSON.parse(m.data); } catch (_) { return; }
    if (ev.type === 'copyFill') toast(`Copy ${ev.copy}: ${ev.side} ${ev.quantity} ${ev.symbol.split('-')[0]} at ${ev.price}`);
    if (ev.type === 'failedCopyOrder') toast(`Copy ${ev.copy}: ${ev.side} ${ev.symbol} not executed: ${ev.explanation}`);
    if (ev.type === 'copyStatus' && ev.status === 'stopped') toast(`Copy ${ev.copy} stopped`);
    if (['copyFill', 'copyStatus'].includes(ev.type)) refreshMe();
    if (S.onEvent) S.onEvent(ev);
  };
  ws.onclose = () => {
    $('#live').classList.remove('on'); $('#live').title = 'Live updates: reconnecting';
    S.ws = null; if (S.key) setTimeout(connect, Math.min(10000, 500 * 2 ** S.wsRetry++));
  };
}
const refreshMe = throttle(async () => { if (!S.key) return; try { S.me = await get('/v1/me'); showWho(); } catch (_) {} }, 2000);
function confirmBox(text, action, run) {
  const box = document.createElement('div');
  box.className = 'modal'; box.id = 'confirm-modal';
  box.innerHTML = `<div class="card" role="dialog" aria-modal="true"><p>${text}</p><div class="error" data-error-for="form"></div>
    <div class="row"><button class="danger" id="confirm-yes">${esc(action)}</button><button id="confirm-no">Keep copying</button></div></div>`;
  document.body.appendChild(box);
  $('#confirm-no', box).onclick = () => box.remove();
  $('#confirm-yes', box).onclick = async () => {
    $('#confirm-yes', box).disabled = true;
    try { await run(); box.remove(); } catch (err) { $('#confirm-yes', box).disabled = false; $('[data-error-for="form"]', box).textContent = err.message; }
  };
}
let toastTimer = null;
function toast(text) { const t = $('#toast'); t.textContent = text; t.hidden = false; clearTimeout(toastTimer); toastTimer = setTimeout(() => t.hidden = true, 4000); }
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

document.addEventListener('click', e => {
  const a = e.target.closest('a[data-link]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault(); go(a.getAttribute('href'));
});
window.addEventListener('popstate', () => rerender());
(async () => {
  if (S.key) { try { S.me = await get('/v1/me'); connect(); } catch (e) { if (e.status === 401) signOut(false); } }
  showWho(); rerender();
})();
