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
def body(schema): return {"required":True,"content":{"application/json":{"schema":schema}}}
sec=[{"apiKey":[]}]
idem={"name":"Idempotency-Key","in":"header","required":False,"schema":{"type":"string","maxLength":200},"description":"A retried request with the same key does not act twice."}
def idp(name): return {"name":name,"in":"path","required":True,"schema":{"type":"string","minLength":1}}
obj=lambda props, req=(): {"type":"object","properties":props,"required":list(req)}
threshold={"oneOf":[obj({"amount":amount},["amount"]),obj({"ratio":amount},["ratio"])]}
nullable_threshold={"oneOf":[threshold,{"type":"null"}]}
applied=obj({"applied":{"type":"boolean"},"commands":{"type":"integer"}},["applied","commands"])
holding=obj({"symbol":{"type":"string"},"quantity":amount,"averageCost":amount,"value":amount,"mark":amount,"weight":amount,"unrealizedPnl":amount,"dust":{"type":"boolean"},"leadWeight":amount},["symbol","quantity","averageCost","value"])
lead=obj({"user":{"type":"string"},"status":{"type":"string","enum":["active","stopped"]},"cash":amount,"holdings":{"type":"array","items":holding},"equity":amount,"roi":amount,"pnl":amount,"aum":amount,"followers":{"type":"integer"},"followerLimit":{"type":"integer"},"winRate":amount,"closedRoundTrips":{"type":"integer"},"maxDrawdown":amount,"profitShareRate":amount,"profitShareEarned":amount,"nav":amount,"fills":{"type":"integer"},
 "equityCurve":{"type":"array","items":obj({"time":{"type":"string"},"event":{"type":"integer"},"equity":amount,"nav":amount})}},["user","status","equity","roi","pnl","aum","followers","winRate","maxDrawdown","profitShareEarned"])
fill=obj({"event":{"type":"integer"},"time":{"type":"string"},"symbol":{"type":"string"},"side":{"type":"string","enum":["buy","sell"]},"quantity":amount,"price":amount,"quote":amount,"fee":amount,"leadPrice":amount,"leadFill":{"type":["string","null"]},"cappedByCash":{"type":"boolean"}},["event","symbol","side","quantity","price","fee","leadPrice","cappedByCash"])
failed=obj({"event":{"type":"integer"},"symbol":{"type":"string"},"side":{"type":"string","enum":["buy","sell"]},"reason":{"type":"string","enum":["belowMinNotional","belowMinQty","insufficientCash","slippageExceeded","noLiquidity","copyNotActive"]},"explanation":{"type":"string"},"notional":amount},["event","symbol","side","reason"])
tracking=obj({"copyRoi":amount,"leadRoi":amount,"gap":amount,"breakdown":obj({k:amount for k in ["fees","profitShare","priceDifference","failedOrCapped","sizing","rounding"]})},["copyRoi","leadRoi","gap"])
copy=obj({"id":{"type":"string"},"user":{"type":"string"},"lead":{"type":"string"},"mode":{"type":"string","enum":["smartSync","fixedAmount"]},"status":{"type":"string","enum":["active","stopped"]},"stopReason":{"type":["string","null"]},"netInvested":amount,"pnl":amount,"stopLoss":nullable_threshold,"takeProfit":nullable_threshold,"cash":amount,"equity":amount,"holdings":{"type":"array","items":holding},"realizedPnl":amount,"unrealizedPnl":amount,"roi":amount,"feesPaid":amount,"profitSharePaid":amount,"fills":{"type":"array","items":fill},"failedOrders":{"type":"array","items":failed},"tracking":tracking},["id","user","lead","mode","status","netInvested","equity","roi","fills","failedOrders","tracking"])
doc={"openapi":"3.1.0","info":{"title":"SmartSync API","version":"1.0.0","description":"Spot copy trading in Smart Sync mode. Amounts are decimal strings. Errors are {\"error\": {\"code\", \"message\", \"field\"}}."},
 "servers":[{"url":"/"}],
 "components":{"securitySchemes":{"apiKey":{"type":"http","scheme":"bearer"}},
  "schemas":{"Error":obj({"error":obj({"code":{"type":"string"},"message":{"type":"string"},"field":{"type":["string","null"]}},["code","message"])},["error"]),
   "Lead":lead,"Copy":copy,"Applied":applied,"Threshold":threshold}},
 "paths":{}}
P=doc["paths"]
P["/health"]={"get":{"operationId":"health","responses":ok(obj({"status":{"type":"string"}},["status"]))}}
P["/v1/markets"]={"get":{"operationId":"markets","responses":ok({"type":"array","items":obj({"symbol":{"type":"string"},"price":amount,"qtyStep":amount,"priceTick":amount,"minQty":amount,"minNotional":amount},["symbol","price"])})}}
P["/v1/leads"]={"get":{"operationId":"leadBoard","parameters":[{"name":"sort","in":"query","required":False,"schema":{"type":"string","enum":["roi","pnl","aum","followers","maxDrawdown","winRate"]}}],"responses":{**ok({"type":"array","items":ref("Lead")}),**errs(400)}}}
P["/v1/leads/{user}"]={"get":{"operationId":"leadProfile","parameters":[idp("user")],"responses":{**ok(ref("Lead")),**errs(404)}}}
P["/v1/me"]={"get":{"operationId":"me","security":sec,"responses":{**ok(obj({"id":{"type":"string"},"main":{"type":"object","additionalProperties":amount},"role":{"type":"string"}},["id","main"])),**errs(401,404)}}}
P["/v1/transfers"]={"post":{"operationId":"transfer","security":sec,"parameters":[idem],"requestBody":body(obj({"amount":amount,"from":{"type":"string","enum":["main","portfolio"]},"to":{"type":"string","enum":["main","portfolio"]}},["amount","from","to"])),"responses":{**ok(ref("Applied")),**errs(400,401,404,409)}}}
P["/v1/orders"]={"post":{"operationId":"placeOrder","security":sec,"parameters":[idem],"requestBody":body(obj({"symbol":{"type":"string"},"side":{"type":"string","enum":["buy","sell"]},"account":{"type":"string","enum":["portfolio","main"]},"quoteAmount":amount,"quantity":amount,"limitPrice":amount,"fraction":amount},["symbol","side"])),"responses":{**ok(ref("Applied"),"201","Applied"),**ok(ref("Applied")),**errs(400,401,404,409)}}}
P["/v1/orders/{id}"]={"delete":{"operationId":"cancelOrder","security":sec,"parameters":[idp("id"),idem],"responses":{**ok(ref("Applied")),**errs(400,401,404,409)}}}
P["/v1/leading"]={"post":{"operationId":"startLeading","security":sec,"parameters":[idem],"requestBody":body(obj({"portfolio":amount,"profitShareRate":amount,"slippageLimit":amount,"followerLimit":{"type":"integer"}},["portfolio"])),"responses":{**ok(ref("Applied"),"201","Applied"),**ok(ref("Applied")),**errs(400,401,404,409)}},
 "delete":{"operationId":"stopLeading","security":sec,"parameters":[idem],"responses":{**ok(ref("Applied")),**errs(401,404,409)}}}
P["/v1/leading"]["patch"]={"operationId":"updateLeading","security":sec,"parameters":[idem],"requestBody":body(obj({"profitShareRate":amount,"slippageLimit":amount,"followerLimit":{"type":"integer"}})),"responses":{**ok(ref("Applied")),**errs(400,401,404,409)}}
P["/v1/leading/followers"]={"get":{"operationId":"followers","security":sec,"responses":{**ok({"type":"array","items":obj({"copy":{"type":"string"},"status":{"type":"string"},"netInvested":amount,"equity":amount,"roi":amount,"profitSharePaid":amount},["copy","status"])}),**errs(401,404)}}}
P["/v1/leading/followers/{copy}"]={"delete":{"operationId":"removeFollower","security":sec,"parameters":[idp("copy"),idem],"responses":{**ok(ref("Applied")),**errs(401,404,409)}}}
P["/v1/copies"]={"get":{"operationId":"myCopies","security":sec,"responses":{**ok({"type":"array","items":ref("Copy")}),**errs(401)}},
 "post":{"operationId":"startCopy","security":sec,"parameters":[idem],"requestBody":body(obj({"id":{"type":"string","pattern":"^[A-Za-z0-9._-]{1,64}$"},"lead":{"type":"string"},"investment":amount,"mode":{"type":"string","enum":["smartSync","fixedAmount"]},"buyExisting":{"type":"boolean"},"stopLoss":ref("Threshold"),"takeProfit":ref("Threshold"),"amountPerOrder":amount},["lead","investment"])),"responses":{**ok(ref("Copy"),"201","Started"),**ok(ref("Copy"),"200","Already started by an earlier request with this Idempotency-Key"),**errs(400,401,404,409)}}}
P["/v1/copies/{id}"]={"get":{"operationId":"copyDetails","security":sec,"parameters":[idp("id")],"responses":{**ok(ref("Copy")),**errs(401,403,404)}},
 "delete":{"operationId":"stopCopy","security":sec,"parameters":[idp("id"),idem],"responses":{**ok(ref("Copy")),**errs(401,403,404,409)}}}
P["/v1/copies/{id}/fills"]={"get":{"operationId":"copyFills","security":sec,"parameters":[idp("id")],"responses":{**ok({"type":"array","items":fill}),**errs(401,403,404)}}}
P["/v1/copies/{id}/failed-orders"]={"get":{"operationId":"failedOrders","security":sec,"parameters":[idp("id")],"responses":{**ok({"type":"array","items":failed}),**errs(401,403,404)}}}
P["/v1/copies/{id}/tracking"]={"get":{"operationId":"tracking","security":sec,"parameters":[idp("id")],"responses":{**ok(tracking),**errs(401,403,404)}}}
P["/v1/copies/{id}/investment"]={"post":{"operationId":"adjustInvestment","security":sec,"parameters":[idp("id"),idem],"requestBody":body(obj({"delta":amount},["delta"])),"responses":{**ok(ref("Copy")),**errs(400,401,403,404,409)}}}
P["/v1/copies/{id}/stop-loss"]={"put":{"operationId":"setStopLoss","security":sec,"parameters":[idp("id"),idem],"requestBody":body(obj({"stopLoss":nullable_threshold},["stopLoss"])),"responses":{**ok(ref("Copy")),**errs(400,401,403,404,409)}}}
P["/v1/copies/{id}/take-profit"]={"put":{"operationId":"setTakeProfit","security":sec,"parameters":[idp("id"),idem],"requestBody":body(obj({"takeProfit":nullable_threshold},["takeProfit"])),"responses":{**ok(ref("Copy")),**errs(400,401,403,404,409)}}}
P["/v1/stream"]={"get":{"operationId":"stream","description":"Upgrades to a WebSocket of the caller's live events (JSON text messages with a `type`: hello, price, leadFill, copyFill, failedCopyOrder, copyStatus). Browsers pass the API key as `?key=`.","parameters":[{"name":"key","in":"query","required":False,"schema":{"type":"string"}}],"responses":{"101":{"description":"Switching to the WebSocket protocol"},"404":{"description":"Not a WebSocket upgrade request"},"405":{"description":"An unknown key"}}}}
P["/v1/users"]={"post":{"operationId":"createUser","security":sec,"requestBody":body(obj({"id":{"type":"string","pattern":"^[A-Za-z0-9._-]{1,64}$"},"role":{"type":"string","enum":["user","operator"]}},["id"])),"responses":{**ok(obj({"id":{"type":"string"},"role":{"type":"string"},"apiKey":{"type":"string"}},["id","role","apiKey"]),"201","Created"),**errs(400,401,403,404,409)}}}
for name,op in [("deposits","deposit"),("withdrawals","withdraw")]:
    P[f"/v1/{name}"]={"post":{"operationId":op,"security":sec,"parameters":[idem],"requestBody":body(obj({"user":{"type":"string"},"amount":amount},["user","amount"])),"responses":{**ok(ref("Applied"),"201","Applied"),**ok(ref("Applied")),**errs(400,401,403,404,409)}}}
P["/v1/prices"]={"post":{"operationId":"setPrice","security":sec,"parameters":[idem],"requestBody":body(obj({"symbol":{"type":"string"},"price":amount},["symbol","price"])),"responses":{**ok(ref("Applied")),**errs(400,401,403,404,409)}}}
P["/v1/leads/{user}/fills"]={"get":{"operationId":"leadFills","description":"The lead's fills (its own orders' executions), oldest first; `limit` keeps the latest.","parameters":[idp("user"),{"name":"limit","in":"query","required":False,"schema":{"type":"integer","minimum":1,"maximum":10000}}],"responses":{**ok({"type":"array","items":obj({"id":{"type":"string"},"event":{"type":"integer"},"time":{"type":"string"},"symbol":{"type":"string"},"side":{"type":"string","enum":["buy","sell"]},"quantity":amount,"price":amount,"quote":amount,"fee":amount},["id","event","time","symbol","side","quantity","price"])}),**errs(400,404)}}}
P["/v1/leads/{user}/buy-existing"]={"get":{"operationId":"buyExistingPreview","description":"What a copy with this investment and \"buy existing assets\" would buy now, at current prices.","parameters":[idp("user"),{"name":"investment","in":"query","required":True,"schema":amount}],"responses":{**ok({"type":"array","items":obj({"symbol":{"type":"string"},"weight":amount,"notional":amount,"quantity":amount,"price":amount,"skipped":{"type":["string","null"]},"explanation":{"type":["string","null"]}},["symbol","notional","quantity","price"])}),**errs(400,404,409)}}}
P["/v1/copies/{id}/equity-curve"]={"get":{"operationId":"copyEquityCurve","security":sec,"parameters":[idp("id")],"responses":{**ok({"type":"array","items":obj({"event":{"type":"integer"},"time":{"type":["string","null"]},"equity":amount},["event","equity"])}),**errs(401,403,404)}}}
P["/v1/orders"]["get"]={"operationId":"openOrders","security":sec,"description":"The caller's resting limit orders.","responses":{**ok({"type":"array","items":obj({"id":{"type":"integer"},"account":{"type":"string"},"symbol":{"type":"string"},"side":{"type":"string","enum":["buy","sell"]},"limitPrice":amount,"remaining":amount,"event":{"type":"integer"}},["id","symbol","side","limitPrice","remaining"])}),**errs(401,404)}}
P["/v1/config"]={"get":{"operationId":"config","description":"The rules a follower needs before copying.","responses":ok(obj({"minInvestment":amount,"takerFeeRate":amount,"maxActiveCopiesPerFollower":{"type":"integer"},"maxProfitShareRate":amount},["minInvestment","takerFeeRate"]))}}
settings_schema=obj({"takerFeeRate":amount,"minInvestment":amount,"slippageLimit":amount,"maxActiveCopiesPerFollower":{"type":"integer"},"defaultFollowerLimit":{"type":"integer"},"maxProfitShareRate":amount},["takerFeeRate","minInvestment"])
P["/v1/settings"]={"get":{"operationId":"settings","security":sec,"responses":{**ok(settings_schema),**errs(401,403)}},
 "patch":{"operationId":"updateSettings","security":sec,"parameters":[idem],"requestBody":body(obj({"takerFeeRate":amount,"minInvestment":amount,"maxActiveCopiesPerFollower":{"type":"integer"},"defaultFollowerLimit":{"type":"integer"}})),"responses":{**ok(settings_schema),**errs(400,401,403)}}}
P["/v1/symbols"]={"post":{"operationId":"listSymbol","security":sec,"parameters":[idem],"requestBody":body(obj({"symbol":{"type":"string"},"price":amount,"qtyStep":amount,"priceTick":amount,"minQty":amount,"minNotional":amount},["symbol","price","qtyStep","priceTick"])),"responses":{**ok(ref("Applied"),"201","Applied"),**ok(ref("Applied")),**errs(400,401,403,404,409)}}}
text=json.dumps(doc,indent=1,sort_keys=False)
open(os.path.join(ROOT,'openapi.json'),'w').write(text+"\n")
compact=json.dumps(doc,separators=(",",":"))
lines=[compact[i:i+110] for i in range(0,len(compact),110)]
swift='/// The OpenAPI 3.1 document of the API, served at `/openapi.json`, minified; `openapi.json` at the repository root is\n/// the same document, indented (a test keeps them equal). Regenerate both with `python3 scripts/make-openapi.py`.\nenum OpenAPIDocument {\n    static let json = [\n'+''.join('        ##"'+l+'"##,\n' for l in lines)+'    ].joined()\n}\n'
open(os.path.join(ROOT,'Sources/SmartSyncServer/OpenAPIDocument.swift'),'w').write(swift)
print(len(text))
