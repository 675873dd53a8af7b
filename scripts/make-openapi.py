import json, os
ROOT=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
amount={"type":"string","pattern":r"^-?[0-9]+(\.[0-9]{1,8})?$","examples":["1000.5"]}
def ref(n): return {"$ref":f"#/components/schemas/{n}"}
err={"description":"Error","content":{"application/json":{"schema":ref("Error")}}}
def ok(schema, code="200", desc="OK"): return {code:{"description":desc,"content":{"application/json":{"schema":schema}}}}
def errs(*codes):
    d={}
    for c in codes: d[str(c)]=err
    return d
def nullable(schema):
    """An optional field may also be null, which the server reads as absent."""
    t = schema.get("type")
    if t == "null" or (isinstance(t, list) and "null" in t): return schema
    if any(x.get("type") == "null" for x in schema.get("oneOf", [])): return schema
    return {"oneOf": [schema, {"type": "null"}]}
def strict(schema):
    """A request body refuses fields it does not declare (the server answers 400 naming the field); its optional
    fields may be null (read as absent)."""
    if isinstance(schema, dict) and schema.get("type") == "object":
        required = set(schema.get("required", []))
        schema = dict(schema, additionalProperties=False,
                      properties={k: (strict(v) if k in required else nullable(strict(v))) for k, v in schema["properties"].items()})
    if isinstance(schema, dict) and "oneOf" in schema:
        schema = dict(schema, oneOf=[strict(x) for x in schema["oneOf"]])
    return schema
def body(schema): return {"required":True,"content":{"application/json":{"schema":strict(schema)}}}
sec=[{"apiKey":[]}]
idem={"name":"Idempotency-Key","in":"header","required":False,"schema":{"type":"string","minLength":1,"maxLength":200},"description":"A retried request with the same key does not act twice."}
def idp(name): return {"name":name,"in":"path","required":True,"schema":{"type":"string","minLength":1}}
obj=lambda props, req=(): {"type":"object","properties":props,"required":list(req)}
threshold={"oneOf":[obj({"amount":amount},["amount"]),obj({"ratio":amount},["ratio"])]}
nullable_threshold={"oneOf":[threshold,{"type":"null"}]}
applied=obj({"applied":{"type":"boolean"},"event":{"type":"integer"},"commands":{"type":"integer"}},["applied","commands"])
period=obj({"roi":amount,"pnl":amount},["roi","pnl"])
returns=obj({k:period for k in ["7d","30d","90d","all"]},["7d","30d","90d","all"])
order=obj({"id":{"type":"integer"},"status":{"type":"string","enum":["accepted","partiallyFilled","filled","cancelled","expired"]},"account":{"type":"string","enum":["portfolio","main"]},"symbol":{"type":"string"},"side":{"type":"string","enum":["buy","sell"]},"type":{"type":"string","enum":["market","limit"]},
 "quantity":{"oneOf":[amount,{"type":"null"}]},"quoteAmount":{"oneOf":[amount,{"type":"null"}]},"limitPrice":{"oneOf":[amount,{"type":"null"}]},"remaining":amount,"filledQuantity":amount,"filledQuote":amount,"averagePrice":amount,"fees":amount,"event":{"type":"integer"},"time":{"type":"string"},
 "fills":{"type":"array","items":obj({"id":{"type":["string","null"]},"quantity":amount,"price":amount,"quote":amount,"fee":amount,"event":{"type":"integer"},"time":{"type":"string"}},["quantity","price","quote","fee"])},
 "copies":obj({"filled":{"type":"integer"},"failed":{"type":"integer"}},["filled","failed"]),"cancelReason":{"type":["string","null"]},"applied":{"type":"boolean"},"clientOrderId":{"type":["string","null"],"description":"at an external venue: the order's client order id there"},"venueStatus":{"type":["string","null"],"enum":["new","sent","accepted","partiallyFilled","filled","cancelled","rejected","expired",None]}},["id","status","symbol","side","type","filledQuantity","fills","copies"])
def q(name, schema, desc):
    return {"name":name,"in":"query","required":False,"schema":schema,"description":desc}
paging=[q("order",{"type":"string","enum":["oldest","newest"]},"oldest first (the default) or newest first"),
        q("limit",{"type":"integer","minimum":1,"maximum":1000000},"how many (default all when oldest first, 50 when newest first)"),
        q("before",{"type":"integer","minimum":0,"maximum":2147483647},"newest first: the items numbered below this `n`"),
        q("after",{"type":"integer","minimum":0,"maximum":2147483647},"oldest first: the items numbered above this `n`")]
holding=obj({"symbol":{"type":"string"},"quantity":amount,"averageCost":amount,"value":amount,"mark":amount,"weight":amount,"unrealizedPnl":amount,"dust":{"type":"boolean"},"leadWeight":amount},["symbol","quantity","averageCost","value"])
lead=obj({"user":{"type":"string"},"status":{"type":"string","enum":["active","stopped"]},"cash":amount,"holdings":{"type":"array","items":holding},"equity":amount,"roi":amount,"pnl":amount,"aum":amount,"followers":{"type":"integer"},"followerLimit":{"type":"integer"},"winRate":amount,"closedRoundTrips":{"type":"integer"},"maxDrawdown":amount,"profitShareRate":amount,"profitShareEarned":amount,"nav":amount,"fills":{"type":"integer"},
 "slippageLimit":amount,"executionMode":{"type":"string","enum":["follow","block"]},"returns":returns,"sparkline":{"type":"array","items":amount},
 "equityCurve":{"type":"array","items":obj({"time":{"type":"string"},"event":{"type":"integer"},"equity":amount,"nav":amount})}},["user","status","equity","roi","pnl","aum","followers","winRate","maxDrawdown","profitShareEarned","returns"])
fill=obj({"n":{"type":"integer"},"lead":{"oneOf":[{"type":"null"},obj({"quantity":amount,"price":amount,"quote":amount,"fee":amount,"time":{"type":"string"}})]},"event":{"type":"integer"},"time":{"type":"string"},"symbol":{"type":"string"},"side":{"type":"string","enum":["buy","sell"]},"quantity":amount,"price":amount,"quote":amount,"fee":amount,"leadPrice":amount,"leadFill":{"type":["string","null"]},"cappedByCash":{"type":"boolean"}},["event","symbol","side","quantity","price","fee","leadPrice","cappedByCash"])
failed=obj({"n":{"type":"integer"},"time":{"type":["string","null"]},"event":{"type":"integer"},"symbol":{"type":"string"},"side":{"type":"string","enum":["buy","sell"]},"reason":{"type":"string","enum":["belowMinNotional","belowMinQty","insufficientCash","slippageExceeded","noLiquidity","copyNotActive"]},"explanation":{"type":"string"},"notional":amount},["event","symbol","side","reason"])
tracking=obj({"copyRoi":amount,"leadRoi":amount,"gap":amount,"breakdown":obj({k:amount for k in ["fees","profitShare","priceDifference","failedOrCapped","sizing","rounding"]})},["copyRoi","leadRoi","gap"])
copy=obj({"id":{"type":"string"},"user":{"type":"string"},"lead":{"type":"string"},"mode":{"type":"string","enum":["smartSync","fixedAmount"]},"status":{"type":"string","enum":["active","stopped"]},"stopReason":{"type":["string","null"]},"netInvested":amount,"pnl":amount,"stopLoss":nullable_threshold,"takeProfit":nullable_threshold,"cash":amount,"equity":amount,"holdings":{"type":"array","items":holding},"realizedPnl":amount,"unrealizedPnl":amount,"roi":amount,"feesPaid":amount,"profitSharePaid":amount,"fills":{"type":"array","items":fill},"failedOrders":{"type":"array","items":failed},"tracking":tracking,
 "fired":{"type":"boolean","description":"On a change: true when it stopped the copy at once (a stop loss or take profit already reached)."},
 "fillCount":{"type":"integer"},"failedOrderCount":{"type":"integer"},"startedEvent":{"type":"integer"},"startedTime":{"type":["string","null"]},"stoppedTime":{"type":["string","null"]},
 "failedOrderReasons":{"type":"array","items":obj({"reason":{"type":"string"},"explanation":{"type":"string"},"count":{"type":"integer"},"lastEvent":{"type":"integer"},"lastTime":{"type":["string","null"]}},["reason","count"])}},["id","user","lead","mode","status","netInvested","equity","roi","tracking"])
doc={"openapi":"3.1.0","info":{"title":"SmartSync API","version":"1.0.0","description":"Spot copy trading in Smart Sync mode. Amounts are decimal strings. Errors are {\"error\": {\"code\", \"message\", \"field\"}}."},
 "servers":[{"url":"/"}],
 "components":{"securitySchemes":{"apiKey":{"type":"http","scheme":"bearer"}},
  "schemas":{"Error":obj({"error":obj({"code":{"type":"string"},"message":{"type":"string"},"field":{"type":["string","null"]}},["code","message"])},["error"]),
   "Lead":lead,"Copy":copy,"Applied":applied,"Threshold":strict(threshold),"Order":order}},
 "paths":{}}
P=doc["paths"]
P["/health"]={"get":{"operationId":"health","responses":ok(obj({"status":{"type":"string"}},["status"]))}}
P["/v1/markets"]={"get":{"operationId":"markets","responses":ok({"type":"array","items":obj({"symbol":{"type":"string"},"price":amount,"qtyStep":amount,"priceTick":amount,"minQty":amount,"minNotional":amount},["symbol","price"])})}}
P["/v1/leads"]={"get":{"operationId":"leadBoard","description":"Active leads, compact (a NAV sparkline instead of the curve), sorted; ROI and PnL sort over `period`.","parameters":[{"name":"sort","in":"query","required":False,"schema":{"type":"string","enum":["roi","pnl","aum","followers","maxDrawdown","winRate"]}},q("period",{"type":"string","enum":["7d","30d","90d","all"]},"the window ROI and PnL sort by (trailing, of the market's clock)")],"responses":{**ok({"type":"array","items":ref("Lead")}),**errs(400)}}}
P["/v1/leads/{user}"]={"get":{"operationId":"leadProfile","parameters":[idp("user"),q("curvePoints",{"type":"integer","minimum":0,"maximum":100000},"at most this many points of the equity curve, evenly spread (default all; 0: a sparkline instead)"),q("curveFrom",{"type":"integer","minimum":0,"maximum":2147483647},"the curve from this event on")],"responses":{**ok(ref("Lead")),**errs(404)}}}
P["/v1/me"]={"get":{"operationId":"me","security":sec,"responses":{**ok(obj({"id":{"type":"string"},"main":{"type":"object","additionalProperties":amount},"role":{"type":"string"}},["id","main"])),**errs(401,404)}}}
P["/v1/transfers"]={"post":{"operationId":"transfer","security":sec,"parameters":[idem],"requestBody":body(obj({"amount":amount,"from":{"type":"string","enum":["main","portfolio"]},"to":{"type":"string","enum":["main","portfolio"]}},["amount","from","to"])),"responses":{**ok(ref("Applied")),**errs(400,401,404,409)}}}
P["/v1/orders"]={"post":{"operationId":"placeOrder","security":sec,"parameters":[idem],"requestBody":body(obj({"symbol":{"type":"string"},"side":{"type":"string","enum":["buy","sell"]},"account":{"type":"string","enum":["portfolio","main"]},"quoteAmount":amount,"quantity":amount,"limitPrice":amount,"fraction":amount},["symbol","side"])),"responses":{**ok(ref("Order"),"201","Placed: the order with what it executed and how many copies it fanned out to"),**ok(ref("Order"),"200","Already placed by an earlier request with this Idempotency-Key"),**errs(400,401,404,409,413,422)}}}
P["/v1/orders/{id}"]={"get":{"operationId":"order","security":sec,"parameters":[idp("id")],"responses":{**ok(ref("Order")),**errs(401,404)}},
 "delete":{"operationId":"cancelOrder","security":sec,"parameters":[idp("id"),idem],"responses":{**ok(ref("Order")),**errs(400,401,404,409,422)}}}
P["/v1/leading"]={"post":{"operationId":"startLeading","security":sec,"parameters":[idem],"requestBody":body(obj({"portfolio":amount,"profitShareRate":amount,"slippageLimit":amount,"followerLimit":{"type":"integer"}},["portfolio"])),"responses":{**ok(ref("Applied"),"201","Applied"),**ok(ref("Applied")),**errs(400,401,404,409)}},
 "delete":{"operationId":"stopLeading","security":sec,"parameters":[idem],"responses":{**ok(ref("Applied")),**errs(401,404,409)}}}
P["/v1/leading"]["patch"]={"operationId":"updateLeading","security":sec,"parameters":[idem],"requestBody":body(obj({"profitShareRate":amount,"slippageLimit":amount,"followerLimit":{"type":"integer"},"executionMode":{"type":"string","enum":["follow","block"],"description":"follow: copies trade after the lead's fill; block: the lead's market orders and its copies' are one order, allocated at one average price"}})),"responses":{**ok(ref("Applied")),**errs(400,401,404,409)}}
P["/v1/leading/followers"]={"get":{"operationId":"followers","security":sec,"responses":{**ok({"type":"array","items":obj({"copy":{"type":"string"},"status":{"type":"string"},"netInvested":amount,"equity":amount,"roi":amount,"profitSharePaid":amount},["copy","status"])}),**errs(401,404)}}}
P["/v1/leading/followers/{copy}"]={"delete":{"operationId":"removeFollower","security":sec,"parameters":[idp("copy"),idem],"responses":{**ok(ref("Applied")),**errs(401,404,409)}}}
view=q("view",{"type":"string","enum":["full","summary"]},"summary: without fills and failed orders (read them by page), with their counts")
P["/v1/copies"]={"get":{"operationId":"myCopies","security":sec,"parameters":[view],"responses":{**ok({"type":"array","items":ref("Copy")}),**errs(401)}},
 "post":{"operationId":"startCopy","security":sec,"parameters":[idem],"requestBody":body(obj({"id":{"type":"string","pattern":"^[A-Za-z0-9._-]{1,64}$"},"lead":{"type":"string"},"investment":amount,"mode":{"type":"string","enum":["smartSync","fixedAmount"]},"buyExisting":{"type":"boolean"},"stopLoss":ref("Threshold"),"takeProfit":ref("Threshold"),"amountPerOrder":amount},["lead","investment"])),"responses":{**ok(ref("Copy"),"201","Started"),**ok(ref("Copy"),"200","Already started by an earlier request with this Idempotency-Key"),**errs(400,401,404,409)}}}
P["/v1/copies/{id}"]={"get":{"operationId":"copyDetails","security":sec,"parameters":[idp("id"),view],"responses":{**ok(ref("Copy")),**errs(401,403,404)}},
 "delete":{"operationId":"stopCopy","security":sec,"parameters":[idp("id"),idem],"responses":{**ok(ref("Copy")),**errs(401,403,404,409)}}}
P["/v1/copies/{id}/fills"]={"get":{"operationId":"copyFills","security":sec,"description":"The copy's fills, each with `n` (its number, the cursor) and the lead fill behind it.","parameters":[idp("id")]+paging,"responses":{**ok({"type":"array","items":fill}),**errs(401,403,404)}}}
P["/v1/copies/{id}/failed-orders"]={"get":{"operationId":"failedOrders","security":sec,"description":"Copy orders not sent or not fully executed, with their reason and time.","parameters":[idp("id"),q("reason",{"type":"string","enum":["belowMinNotional","belowMinQty","insufficientCash","slippageExceeded","noLiquidity","copyNotActive"]},"only this reason")]+paging,"responses":{**ok({"type":"array","items":failed}),**errs(401,403,404)}}}
P["/v1/copies/{id}/history"]={"get":{"operationId":"copyHistory","security":sec,"description":"The copy's start, its follower's changes (investment, stop loss, take profit) and its stop, oldest first.","parameters":[idp("id")],"responses":{**ok({"type":"array","items":obj({"event":{"type":"integer"},"time":{"type":["string","null"]},"type":{"type":"string","enum":["started","startedWith","investmentAdded","investmentRemoved","stopLossSet","takeProfitSet","stopped"]},"amount":amount,"stopLoss":nullable_threshold,"takeProfit":nullable_threshold,"stopReason":{"type":"string"},"netInvested":amount},["event","type","netInvested"])}),**errs(401,403,404)}}}
P["/v1/copies/{id}/tracking"]={"get":{"operationId":"tracking","security":sec,"parameters":[idp("id")],"responses":{**ok(tracking),**errs(401,403,404)}}}
P["/v1/copies/{id}/investment"]={"post":{"operationId":"adjustInvestment","security":sec,"parameters":[idp("id"),idem],"requestBody":body(obj({"delta":amount},["delta"])),"responses":{**ok(ref("Copy")),**errs(400,401,403,404,409)}}}
P["/v1/copies/{id}/stop-loss"]={"put":{"operationId":"setStopLoss","security":sec,"parameters":[idp("id"),idem],"requestBody":body(obj({"stopLoss":nullable_threshold},["stopLoss"])),"responses":{**ok(ref("Copy")),**errs(400,401,403,404,409)}}}
P["/v1/copies/{id}/take-profit"]={"put":{"operationId":"setTakeProfit","security":sec,"parameters":[idp("id"),idem],"requestBody":body(obj({"takeProfit":nullable_threshold},["takeProfit"])),"responses":{**ok(ref("Copy")),**errs(400,401,403,404,409)}}}
P["/v1/stream"]={"get":{"operationId":"stream","description":"Upgrades to a WebSocket of the caller's live events (JSON text messages with a `type`: hello, price, leadFill, copyFill, failedCopyOrder, copyStatus). Browsers pass the API key as `?key=`.","parameters":[{"name":"key","in":"query","required":False,"schema":{"type":"string"}}],"responses":{"101":{"description":"Switching to the WebSocket protocol"},"401":err,"404":{"description":"Not a WebSocket upgrade request"}}}}
P["/v1/users"]={"post":{"operationId":"createUser","security":sec,"requestBody":body(obj({"id":{"type":"string","pattern":"^[A-Za-z0-9._-]{1,64}$"},"role":{"type":"string","enum":["user","operator"]}},["id"])),"responses":{**ok(obj({"id":{"type":"string"},"role":{"type":"string"},"apiKey":{"type":"string"}},["id","role","apiKey"]),"201","Created"),**errs(400,401,403,404,409)}}}
for name,op in [("deposits","deposit"),("withdrawals","withdraw")]:
    P[f"/v1/{name}"]={"post":{"operationId":op,"security":sec,"parameters":[idem],"requestBody":body(obj({"user":{"type":"string"},"amount":amount},["user","amount"])),"responses":{**ok(ref("Applied"),"201","Applied"),**ok(ref("Applied")),**errs(400,401,403,404,409)}}}
P["/v1/prices"]={"post":{"operationId":"setPrice","security":sec,"parameters":[idem],"requestBody":body(obj({"symbol":{"type":"string"},"price":amount},["symbol","price"])),"responses":{**ok(ref("Applied")),**errs(400,401,403,404,409)}}}
P["/v1/leads/{user}/fills"]={"get":{"operationId":"leadFills","description":"The lead's fills (its own orders' executions), oldest first; `limit` keeps the latest.","parameters":[idp("user"),{"name":"limit","in":"query","required":False,"schema":{"type":"integer","minimum":1,"maximum":10000}}],"responses":{**ok({"type":"array","items":obj({"id":{"type":"string"},"event":{"type":"integer"},"time":{"type":"string"},"symbol":{"type":"string"},"side":{"type":"string","enum":["buy","sell"]},"quantity":amount,"price":amount,"quote":amount,"fee":amount},["id","event","time","symbol","side","quantity","price"])}),**errs(400,404)}}}
P["/v1/leads/{user}/buy-existing"]={"get":{"operationId":"buyExistingPreview","description":"What a copy with this investment and \"buy existing assets\" would buy now, at current prices.","parameters":[idp("user"),{"name":"investment","in":"query","required":True,"schema":amount}],"responses":{**ok({"type":"array","items":obj({"symbol":{"type":"string"},"weight":amount,"notional":amount,"quantity":amount,"price":amount,"skipped":{"type":["string","null"]},"explanation":{"type":["string","null"]}},["symbol","notional","quantity","price"])}),**errs(400,404,409)}}}
P["/v1/copies/{id}/equity-curve"]={"get":{"operationId":"copyEquityCurve","security":sec,"description":"Equity, net invested and unit NAV (money added or taken out is not a gain) over the copy's life.","parameters":[idp("id"),q("points",{"type":"integer","minimum":2,"maximum":100000},"at most this many points, evenly spread")],"responses":{**ok({"type":"array","items":obj({"event":{"type":"integer"},"time":{"type":["string","null"]},"equity":amount,"netInvested":amount,"nav":amount},["event","equity","netInvested","nav"])}),**errs(400,401,403,404)}}}
P["/v1/orders"]["get"]={"operationId":"orders","security":sec,"description":"The caller's orders, newest first: the resting ones (status=open, the default) or all.","parameters":[q("status",{"type":"string","enum":["open","all"]},"open (resting) or all"),q("limit",{"type":"integer","minimum":1,"maximum":1000},"at most this many (default 100)")],"responses":{**ok({"type":"array","items":ref("Order")}),**errs(400,401,404)}}
P["/v1/config"]={"get":{"operationId":"config","description":"The rules a follower needs before copying.","responses":ok(obj({"minInvestment":amount,"takerFeeRate":amount,"maxActiveCopiesPerFollower":{"type":"integer"},"maxProfitShareRate":amount,"slippageLimit":amount,"defaultFollowerLimit":{"type":"integer"},
  "marketTime":{"type":["string","null"],"description":"the time of the last command: the market's clock (in the demo, a moment of 2021)"},
  "demo":{"oneOf":[{"type":"null"},obj({"from":{"type":"string"},"to":{"type":"string"},"finished":{"type":"boolean"}},["from","to","finished"])]}},["minInvestment","takerFeeRate"]))}}
settings_schema=obj({"takerFeeRate":amount,"minInvestment":amount,"slippageLimit":amount,"maxActiveCopiesPerFollower":{"type":"integer"},"defaultFollowerLimit":{"type":"integer"},"maxProfitShareRate":amount,"defaultExecutionMode":{"type":"string","enum":["follow","block"]},"venue":{"type":"string","enum":["simulated","external"]}},["takerFeeRate","minInvestment"])
P["/v1/venue"]={"get":{"operationId":"venue","description":"Where orders execute; at an external venue, the orders open there and the venue reports not applied as sent (refused and never applied, or a fill booked with the fee at the taker fee rate: commissionAboveRate), newest first.","security":sec,"responses":{**ok(obj({"venue":{"type":"string","enum":["simulated","external"]},"defaultExecutionMode":{"type":"string","enum":["follow","block"]},"ordersSent":{"type":"integer"},
 "open":{"type":"array","items":obj({"clientOrderId":{"type":"string"},"status":{"type":"string"},"for":{"type":"string","enum":["lead","main","copies","block"],"description":"whose order: a lead portfolio, a main account, a lead's copies (merged), or a block order (a lead and its copies)"},"symbol":{"type":"string"},"side":{"type":"string","enum":["buy","sell"]},"limitPrice":{"type":["string","null"]},"filledQuantity":amount,"reserved":amount,"cancelRequested":{"type":"boolean"}},["clientOrderId","status","for","symbol","side"])},
 "refusals":{"type":"array","items":obj({"clientOrderId":{"type":"string"},"kind":{"type":"string"},"detail":{"type":"string"},"event":{"type":"integer"},"time":{"type":"string"}},["clientOrderId","kind","detail"])}},["venue","open","refusals"])),**errs(401,403)}}}
P["/v1/settings"]={"get":{"operationId":"settings","security":sec,"responses":{**ok(settings_schema),**errs(401,403)}},
 "patch":{"operationId":"updateSettings","security":sec,"parameters":[idem],"requestBody":body(obj({"takerFeeRate":amount,"minInvestment":amount,"maxActiveCopiesPerFollower":{"type":"integer"},"defaultFollowerLimit":{"type":"integer"},"defaultExecutionMode":{"type":"string","enum":["follow","block"]}})),"responses":{**ok(settings_schema),**errs(400,401,403)}}}
P["/v1/symbols"]={"post":{"operationId":"listSymbol","security":sec,"parameters":[idem],"requestBody":body(obj({"symbol":{"type":"string"},"price":amount,"qtyStep":amount,"priceTick":amount,"minQty":amount,"minNotional":amount},["symbol","price","qtyStep","priceTick"])),"responses":{**ok(ref("Applied"),"201","Applied"),**ok(ref("Applied")),**errs(400,401,403,404,409)}}}
# Every operation with a body may get 413 (over 64 KiB); every one taking an Idempotency-Key 422 (the key was used
# for another request); every one 414/431 (a request line or head too large); every one with parameters 400 (a query
# value or header the rules refuse, e.g. an Idempotency-Key over 200 characters).
for path_item in P.values():
    for op in path_item.values():
        if op.get("parameters"): op["responses"].setdefault("400", err)
        if "requestBody" in op: op["responses"].setdefault("413", err)
        if idem in op.get("parameters", []): op["responses"].setdefault("422", err)
        op["responses"].setdefault("414", err)
text=json.dumps(doc,indent=1,sort_keys=False)
open(os.path.join(ROOT,'openapi.json'),'w').write(text+"\n")
compact=json.dumps(doc,separators=(",",":"))
lines=[compact[i:i+110] for i in range(0,len(compact),110)]
swift='// swift-format-ignore-file: generated by scripts/make-openapi.py.\n\n/// The OpenAPI 3.1 document of the API, served at `/openapi.json`, minified; `openapi.json` at the repository root is\n/// the same document, indented (a test keeps them equal). Regenerate both with `python3 scripts/make-openapi.py`.\nenum OpenAPIDocument {\n    static let json = [\n'+''.join('        ##"'+l+'"##,\n' for l in lines)+'    ].joined()\n}\n'
open(os.path.join(ROOT,'Sources/SmartSyncServer/OpenAPIDocument.swift'),'w').write(swift)
print(len(text))
