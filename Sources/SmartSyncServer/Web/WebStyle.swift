/// The pages' HTML shell and style sheet, served by the binary (no CDN, no external asset).
enum WebShell {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>SmartSync copy trading</title>
        <link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
        <link rel="stylesheet" href="/assets/app.css">
        </head>
        <body>
        <header class="top">
          <a class="brand" href="/leads" data-link>SmartSync</a>
          <nav>
            <a href="/leads" data-link data-nav="leads">Leads</a>
            <a href="/copies" data-link data-nav="copies">My copies</a>
            <a href="/dashboard" data-link data-nav="dashboard">Lead dashboard</a>
          </nav>
          <span class="who" id="who"></span>
          <span class="live" id="live" title="Live updates"></span>
        </header>
        <main id="main"><p class="muted">Loading…</p></main>
        <div id="toast" class="toast" hidden></div>
        <noscript>These pages need JavaScript; the JSON API is at /openapi.json.</noscript>
        <script src="/assets/app.js"></script>
        </body>
        </html>
        """#

    static let icon = #"""
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b7a5a"/><path d="M6 22 L13 14 L18 18 L26 9" stroke="#fff" stroke-width="3" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>
        """#

    static let css = #"""
        :root { --fg:#17212b; --muted:#66707a; --line:#e3e7eb; --bg:#f6f8fa; --card:#fff; --up:#0b7a5a; --down:#c0392b; --accent:#1f5fbf; }
        * { box-sizing: border-box; }
        body { margin:0; font:15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
        a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
        header.top { display:flex; flex-wrap:wrap; align-items:center; gap:.5rem 1.25rem; padding:.6rem 1rem; background:#101820; color:#fff; }
        header.top a { color:#dfe6ee; } header.top a.active { color:#fff; font-weight:600; border-bottom:2px solid #3ecf9a; }
        .brand { font-weight:700; font-size:1.1rem; color:#fff !important; }
        header nav { display:flex; gap:1rem; flex-wrap:wrap; }
        .who { margin-left:auto; font-size:.9rem; } .who button { margin-left:.5rem; }
        .live { width:.7rem; height:.7rem; border-radius:50%; background:#666; display:inline-block; }
        .live.on { background:#3ecf9a; }
        main { max-width:1100px; margin:0 auto; padding:1rem; }
        h1 { font-size:1.4rem; margin:.4rem 0 1rem; } h2 { font-size:1.1rem; margin:1.4rem 0 .6rem; }
        .card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:1rem; margin-bottom:1rem; }
        .grid { display:grid; grid-template-columns:repeat(auto-fit, minmax(150px, 1fr)); gap:.75rem; }
        .stat { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:.6rem .8rem; }
        .stat .label { color:var(--muted); font-size:.8rem; } .stat .value { font-size:1.15rem; font-weight:600; }
        .two { display:grid; grid-template-columns:1fr 1fr; gap:1rem; }
        .scroll { overflow-x:auto; }
        table { border-collapse:collapse; width:100%; background:var(--card); }
        th, td { padding:.45rem .6rem; border-bottom:1px solid var(--line); text-align:right; white-space:nowrap; }
        th:first-child, td:first-child { text-align:left; }
        th { font-size:.8rem; color:var(--muted); font-weight:600; }
        tr.total td { font-weight:700; border-top:2px solid var(--fg); }
        .up { color:var(--up); } .down { color:var(--down); } .muted { color:var(--muted); }
        .sorts { display:flex; flex-wrap:wrap; gap:.4rem; margin-bottom:.8rem; }
        button, .button { font:inherit; padding:.45rem .9rem; border-radius:6px; border:1px solid var(--line); background:#fff; cursor:pointer; color:var(--fg); }
        button.primary, .button.primary { background:var(--up); color:#fff; border-color:var(--up); }
        button.danger { background:var(--down); color:#fff; border-color:var(--down); }
        button.on { background:#101820; color:#fff; }
        button:disabled { opacity:.5; cursor:default; }
        form .field { margin-bottom:.9rem; }
        label { display:block; font-weight:600; margin-bottom:.25rem; }
        input, select { font:inherit; padding:.45rem .5rem; border:1px solid #c5ccd3; border-radius:6px; max-width:100%; }
        input[type=text], input[type=password] { width:22rem; }
        .row { display:flex; flex-wrap:wrap; gap:.5rem; align-items:center; }
        .hint { color:var(--muted); font-size:.85rem; margin-top:.2rem; }
        .error { color:var(--down); font-size:.9rem; margin-top:.25rem; }
        .error:empty { display:none; }
        .badge { display:inline-block; padding:0 .45rem; border-radius:10px; font-size:.8rem; background:#e8edf2; }
        .badge.active { background:#d7f3e7; color:var(--up); } .badge.stopped { background:#f6dede; color:var(--down); }
        .bar { height:.5rem; background:#3ecf9a; border-radius:3px; display:inline-block; vertical-align:middle; }
        .bar.lead { background:#8fb3e8; }
        svg.chart { width:100%; height:auto; background:var(--card); border:1px solid var(--line); border-radius:8px; }
        svg.chart text { font-size:11px; fill:var(--muted); }
        .flash { animation: flash 2.5s ease-out; }
        @keyframes flash { from { background:#fff3b0; } to { background:transparent; } }
        .modal { position:fixed; inset:0; background:rgba(0,0,0,.45); display:flex; align-items:center; justify-content:center; padding:1rem; }
        .modal .card { max-width:28rem; width:100%; }
        .toast { position:fixed; bottom:1rem; left:50%; transform:translateX(-50%); background:#101820; color:#fff; padding:.6rem 1rem; border-radius:6px; }
        @media (max-width: 700px) {
          .two { grid-template-columns:1fr; }
          main { padding:.6rem; }
          input[type=text], input[type=password] { width:100%; }
          th, td { padding:.35rem .4rem; font-size:.85rem; }
          .hide-phone { display:none; }
          header.top { gap:.4rem .9rem; }
          .who { margin-left:0; flex:1 1 auto; font-size:.85rem; }
          .who button { padding:.25rem .6rem; }
        }
        """#
}
