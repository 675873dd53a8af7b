/// The OpenAPI 3.1 document of the API, served at `/openapi.json`; `openapi.json` at the repository root is the same
/// text (a test keeps them equal). Regenerate both with `python3 scripts/make-openapi.py`.
enum OpenAPIDocument {
    static let json = #"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "SmartSync API",
  "version": "1.0.0",
  "description": "Spot copy trading in Smart Sync mode. Amounts are decimal strings. Errors are {\"error\": {\"code\", \"message\", \"field\"}}."
 },
 "servers": [
  {
   "url": "/"
  }
 ],
 "components": {
  "securitySchemes": {
   "apiKey": {
    "type": "http",
    "scheme": "bearer"
   }
  },
  "schemas": {
   "Error": {
    "type": "object",
    "properties": {
     "error": {
      "type": "object",
      "properties": {
       "code": {
        "type": "string"
       },
       "message": {
        "type": "string"
       },
       "field": {
        "type": [
         "string",
         "null"
        ]
       }
      },
      "required": [
       "code",
       "message"
      ]
     }
    },
    "required": [
     "error"
    ]
   },
   "Lead": {
    "type": "object",
    "properties": {
     "user": {
      "type": "string"
     },
     "status": {
      "type": "string",
      "enum": [
       "active",
       "stopped"
      ]
     },
     "cash": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "holdings": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "symbol": {
         "type": "string"
        },
        "quantity": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "averageCost": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "value": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "mark": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "weight": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "unrealizedPnl": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "dust": {
         "type": "boolean"
        },
        "leadWeight": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        }
       },
       "required": [
        "symbol",
        "quantity",
        "averageCost",
        "value"
       ]
      }
     },
     "equity": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "roi": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "pnl": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "aum": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "followers": {
      "type": "integer"
     },
     "followerLimit": {
      "type": "integer"
     },
     "winRate": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "closedRoundTrips": {
      "type": "integer"
     },
     "maxDrawdown": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "profitShareRate": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "profitShareEarned": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "nav": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "fills": {
      "type": "integer"
     },
     "equityCurve": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "time": {
         "type": "string"
        },
        "event": {
         "type": "integer"
        },
        "equity": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "nav": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        }
       },
       "required": []
      }
     }
    },
    "required": [
     "user",
     "status",
     "equity",
     "roi",
     "pnl",
     "aum",
     "followers",
     "winRate",
     "maxDrawdown",
     "profitShareEarned"
    ]
   },
   "Copy": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "user": {
      "type": "string"
     },
     "lead": {
      "type": "string"
     },
     "mode": {
      "type": "string",
      "enum": [
       "smartSync",
       "fixedAmount"
      ]
     },
     "status": {
      "type": "string",
      "enum": [
       "active",
       "stopped"
      ]
     },
     "stopReason": {
      "type": [
       "string",
       "null"
      ]
     },
     "netInvested": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "cash": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "equity": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "holdings": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "symbol": {
         "type": "string"
        },
        "quantity": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "averageCost": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "value": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "mark": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "weight": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "unrealizedPnl": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "dust": {
         "type": "boolean"
        },
        "leadWeight": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        }
       },
       "required": [
        "symbol",
        "quantity",
        "averageCost",
        "value"
       ]
      }
     },
     "realizedPnl": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "unrealizedPnl": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "roi": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "feesPaid": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "profitSharePaid": {
      "type": "string",
      "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
      "examples": [
       "1000.5"
      ]
     },
     "fills": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "event": {
         "type": "integer"
        },
        "symbol": {
         "type": "string"
        },
        "side": {
         "type": "string",
         "enum": [
          "buy",
          "sell"
         ]
        },
        "quantity": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "price": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "quote": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "fee": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "leadPrice": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        },
        "cappedByCash": {
         "type": "boolean"
        }
       },
       "required": [
        "event",
        "symbol",
        "side",
        "quantity",
        "price",
        "fee",
        "leadPrice",
        "cappedByCash"
       ]
      }
     },
     "failedOrders": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "event": {
         "type": "integer"
        },
        "symbol": {
         "type": "string"
        },
        "side": {
         "type": "string",
         "enum": [
          "buy",
          "sell"
         ]
        },
        "reason": {
         "type": "string",
         "enum": [
          "belowMinNotional",
          "belowMinQty",
          "insufficientCash",
          "slippageExceeded",
          "noLiquidity",
          "copyNotActive"
         ]
        },
        "notional": {
         "type": "string",
         "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
         "examples": [
          "1000.5"
         ]
        }
       },
       "required": [
        "event",
        "symbol",
        "side",
        "reason"
       ]
      }
     },
     "tracking": {
      "type": "object",
      "properties": {
       "copyRoi": {
        "type": "string",
        "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
        "examples": [
         "1000.5"
        ]
       },
       "leadRoi": {
        "type": "string",
        "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
        "examples": [
         "1000.5"
        ]
       },
       "gap": {
        "type": "string",
        "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
        "examples": [
         "1000.5"
        ]
       },
       "breakdown": {
        "type": "object",
        "properties": {
         "fees": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "profitShare": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "priceDifference": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "failedOrCapped": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "sizing": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "rounding": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         }
        },
        "required": []
       }
      },
      "required": [
       "copyRoi",
       "leadRoi",
       "gap"
      ]
     }
    },
    "required": [
     "id",
     "user",
     "lead",
     "mode",
     "status",
     "netInvested",
     "equity",
     "roi",
     "fills",
     "failedOrders",
     "tracking"
    ]
   },
   "Applied": {
    "type": "object",
    "properties": {
     "applied": {
      "type": "boolean"
     },
     "commands": {
      "type": "integer"
     }
    },
    "required": [
     "applied",
     "commands"
    ]
   },
   "Threshold": {
    "oneOf": [
     {
      "type": "object",
      "properties": {
       "amount": {
        "type": "string",
        "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
        "examples": [
         "1000.5"
        ]
       }
      },
      "required": [
       "amount"
      ]
     },
     {
      "type": "object",
      "properties": {
       "ratio": {
        "type": "string",
        "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
        "examples": [
         "1000.5"
        ]
       }
      },
      "required": [
       "ratio"
      ]
     }
    ]
   }
  }
 },
 "paths": {
  "/health": {
   "get": {
    "operationId": "health",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "status": {
           "type": "string"
          }
         },
         "required": [
          "status"
         ]
        }
       }
      }
     }
    }
   }
  },
  "/v1/markets": {
   "get": {
    "operationId": "markets",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "type": "object",
          "properties": {
           "symbol": {
            "type": "string"
           },
           "price": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           },
           "qtyStep": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           },
           "priceTick": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           },
           "minQty": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           },
           "minNotional": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           }
          },
          "required": [
           "symbol",
           "price"
          ]
         }
        }
       }
      }
     }
    }
   }
  },
  "/v1/leads": {
   "get": {
    "operationId": "leadBoard",
    "parameters": [
     {
      "name": "sort",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "roi",
        "pnl",
        "aum",
        "followers",
        "maxDrawdown",
        "winRate"
       ]
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Lead"
         }
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/leads/{user}": {
   "get": {
    "operationId": "leadProfile",
    "parameters": [
     {
      "name": "user",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "minLength": 1
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Lead"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/me": {
   "get": {
    "operationId": "me",
    "security": [
     {
      "apiKey": []
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "id": {
           "type": "string"
          },
          "main": {
           "type": "object",
           "additionalProperties": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           }
          },
          "role": {
           "type": "string"
          }
         },
         "required": [
          "id",
          "main"
         ]
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/transfers": {
   "post": {
    "operationId": "transfer",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 200
      },
      "description": "A retried request with the same key does not act twice."
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "amount": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "from": {
          "type": "string",
          "enum": [
           "main",
           "portfolio"
          ]
         },
         "to": {
          "type": "string",
          "enum": [
           "main",
           "portfolio"
          ]
         }
        },
        "required": [
         "amount",
         "from",
         "to"
        ]
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Applied"
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/orders": {
   "post": {
    "operationId": "placeOrder",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 200
      },
      "description": "A retried request with the same key does not act twice."
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "symbol": {
          "type": "string"
         },
         "side": {
          "type": "string",
          "enum": [
           "buy",
           "sell"
          ]
         },
         "account": {
          "type": "string",
          "enum": [
           "portfolio",
           "main"
          ]
         },
         "quoteAmount": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "quantity": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "limitPrice": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "fraction": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         }
        },
        "required": [
         "symbol",
         "side"
        ]
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Applied",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Applied"
        }
       }
      }
     },
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Applied"
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/orders/{id}": {
   "delete": {
    "operationId": "cancelOrder",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "minLength": 1
      }
     },
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 200
      },
      "description": "A retried request with the same key does not act twice."
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Applied"
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/leading": {
   "post": {
    "operationId": "startLeading",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 200
      },
      "description": "A retried request with the same key does not act twice."
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "portfolio": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "profitShareRate": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "slippageLimit": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "followerLimit": {
          "type": "integer"
         }
        },
        "required": [
         "portfolio"
        ]
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Applied",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Applied"
        }
       }
      }
     },
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Applied"
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   },
   "delete": {
    "operationId": "stopLeading",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 200
      },
      "description": "A retried request with the same key does not act twice."
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Applied"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/leading/followers": {
   "get": {
    "operationId": "followers",
    "security": [
     {
      "apiKey": []
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "type": "object",
          "properties": {
           "copy": {
            "type": "string"
           },
           "status": {
            "type": "string"
           },
           "netInvested": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           },
           "equity": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           },
           "roi": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           },
           "profitSharePaid": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           }
          },
          "required": [
           "copy",
           "status"
          ]
         }
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/leading/followers/{copy}": {
   "delete": {
    "operationId": "removeFollower",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "copy",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "minLength": 1
      }
     },
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 200
      },
      "description": "A retried request with the same key does not act twice."
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Applied"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/copies": {
   "get": {
    "operationId": "myCopies",
    "security": [
     {
      "apiKey": []
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Copy"
         }
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   },
   "post": {
    "operationId": "startCopy",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 200
      },
      "description": "A retried request with the same key does not act twice."
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "id": {
          "type": "string"
         },
         "lead": {
          "type": "string"
         },
         "investment": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "mode": {
          "type": "string",
          "enum": [
           "smartSync",
           "fixedAmount"
          ]
         },
         "buyExisting": {
          "type": "boolean"
         },
         "stopLoss": {
          "$ref": "#/components/schemas/Threshold"
         },
         "takeProfit": {
          "$ref": "#/components/schemas/Threshold"
         },
         "amountPerOrder": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         }
        },
        "required": [
         "lead",
         "investment"
        ]
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Started",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Copy"
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/copies/{id}": {
   "get": {
    "operationId": "copyDetails",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "minLength": 1
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Copy"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   },
   "delete": {
    "operationId": "stopCopy",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "minLength": 1
      }
     },
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 200
      },
      "description": "A retried request with the same key does not act twice."
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Copy"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/copies/{id}/fills": {
   "get": {
    "operationId": "copyFills",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "minLength": 1
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "type": "object",
          "properties": {
           "event": {
            "type": "integer"
           },
           "symbol": {
            "type": "string"
           },
           "side": {
            "type": "string",
            "enum": [
             "buy",
             "sell"
            ]
           },
           "quantity": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           },
           "price": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           },
           "quote": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           },
           "fee": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           },
           "leadPrice": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           },
           "cappedByCash": {
            "type": "boolean"
           }
          },
          "required": [
           "event",
           "symbol",
           "side",
           "quantity",
           "price",
           "fee",
           "leadPrice",
           "cappedByCash"
          ]
         }
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/copies/{id}/failed-orders": {
   "get": {
    "operationId": "failedOrders",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "minLength": 1
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "type": "object",
          "properties": {
           "event": {
            "type": "integer"
           },
           "symbol": {
            "type": "string"
           },
           "side": {
            "type": "string",
            "enum": [
             "buy",
             "sell"
            ]
           },
           "reason": {
            "type": "string",
            "enum": [
             "belowMinNotional",
             "belowMinQty",
             "insufficientCash",
             "slippageExceeded",
             "noLiquidity",
             "copyNotActive"
            ]
           },
           "notional": {
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
            "examples": [
             "1000.5"
            ]
           }
          },
          "required": [
           "event",
           "symbol",
           "side",
           "reason"
          ]
         }
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/copies/{id}/tracking": {
   "get": {
    "operationId": "tracking",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "minLength": 1
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "copyRoi": {
           "type": "string",
           "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
           "examples": [
            "1000.5"
           ]
          },
          "leadRoi": {
           "type": "string",
           "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
           "examples": [
            "1000.5"
           ]
          },
          "gap": {
           "type": "string",
           "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
           "examples": [
            "1000.5"
           ]
          },
          "breakdown": {
           "type": "object",
           "properties": {
            "fees": {
             "type": "string",
             "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
             "examples": [
              "1000.5"
             ]
            },
            "profitShare": {
             "type": "string",
             "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
             "examples": [
              "1000.5"
             ]
            },
            "priceDifference": {
             "type": "string",
             "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
             "examples": [
              "1000.5"
             ]
            },
            "failedOrCapped": {
             "type": "string",
             "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
             "examples": [
              "1000.5"
             ]
            },
            "sizing": {
             "type": "string",
             "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
             "examples": [
              "1000.5"
             ]
            },
            "rounding": {
             "type": "string",
             "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
             "examples": [
              "1000.5"
             ]
            }
           },
           "required": []
          }
         },
         "required": [
          "copyRoi",
          "leadRoi",
          "gap"
         ]
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/copies/{id}/investment": {
   "post": {
    "operationId": "adjustInvestment",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "minLength": 1
      }
     },
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 200
      },
      "description": "A retried request with the same key does not act twice."
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "delta": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         }
        },
        "required": [
         "delta"
        ]
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Copy"
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/copies/{id}/stop-loss": {
   "put": {
    "operationId": "setStopLoss",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "minLength": 1
      }
     },
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 200
      },
      "description": "A retried request with the same key does not act twice."
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "stopLoss": {
          "oneOf": [
           {
            "oneOf": [
             {
              "type": "object",
              "properties": {
               "amount": {
                "type": "string",
                "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
                "examples": [
                 "1000.5"
                ]
               }
              },
              "required": [
               "amount"
              ]
             },
             {
              "type": "object",
              "properties": {
               "ratio": {
                "type": "string",
                "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
                "examples": [
                 "1000.5"
                ]
               }
              },
              "required": [
               "ratio"
              ]
             }
            ]
           },
           {
            "type": "null"
           }
          ]
         }
        },
        "required": [
         "stopLoss"
        ]
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Copy"
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/copies/{id}/take-profit": {
   "put": {
    "operationId": "setTakeProfit",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "minLength": 1
      }
     },
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 200
      },
      "description": "A retried request with the same key does not act twice."
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "takeProfit": {
          "oneOf": [
           {
            "oneOf": [
             {
              "type": "object",
              "properties": {
               "amount": {
                "type": "string",
                "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
                "examples": [
                 "1000.5"
                ]
               }
              },
              "required": [
               "amount"
              ]
             },
             {
              "type": "object",
              "properties": {
               "ratio": {
                "type": "string",
                "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
                "examples": [
                 "1000.5"
                ]
               }
              },
              "required": [
               "ratio"
              ]
             }
            ]
           },
           {
            "type": "null"
           }
          ]
         }
        },
        "required": [
         "takeProfit"
        ]
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Copy"
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/stream": {
   "get": {
    "operationId": "stream",
    "description": "Upgrades to a WebSocket of the caller's live events (JSON text messages with a `type`: hello, price, leadFill, copyFill, failedCopyOrder, copyStatus). Browsers pass the API key as `?key=`.",
    "parameters": [
     {
      "name": "key",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "101": {
      "description": "Switching to the WebSocket protocol"
     },
     "404": {
      "description": "Not a WebSocket upgrade request"
     },
     "405": {
      "description": "An unknown key"
     }
    }
   }
  },
  "/v1/users": {
   "post": {
    "operationId": "createUser",
    "security": [
     {
      "apiKey": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "id": {
          "type": "string",
          "minLength": 1
         },
         "role": {
          "type": "string",
          "enum": [
           "user",
           "operator"
          ]
         }
        },
        "required": [
         "id"
        ]
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Created",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "id": {
           "type": "string"
          },
          "role": {
           "type": "string"
          },
          "apiKey": {
           "type": "string"
          }
         },
         "required": [
          "id",
          "role",
          "apiKey"
         ]
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/deposits": {
   "post": {
    "operationId": "deposit",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 200
      },
      "description": "A retried request with the same key does not act twice."
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "user": {
          "type": "string"
         },
         "amount": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         }
        },
        "required": [
         "user",
         "amount"
        ]
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Applied",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Applied"
        }
       }
      }
     },
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Applied"
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/withdrawals": {
   "post": {
    "operationId": "withdraw",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 200
      },
      "description": "A retried request with the same key does not act twice."
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "user": {
          "type": "string"
         },
         "amount": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         }
        },
        "required": [
         "user",
         "amount"
        ]
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Applied",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Applied"
        }
       }
      }
     },
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Applied"
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/prices": {
   "post": {
    "operationId": "setPrice",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 200
      },
      "description": "A retried request with the same key does not act twice."
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "symbol": {
          "type": "string"
         },
         "price": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         }
        },
        "required": [
         "symbol",
         "price"
        ]
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Applied"
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/symbols": {
   "post": {
    "operationId": "listSymbol",
    "security": [
     {
      "apiKey": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 200
      },
      "description": "A retried request with the same key does not act twice."
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "symbol": {
          "type": "string"
         },
         "price": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "qtyStep": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "priceTick": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "minQty": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         },
         "minNotional": {
          "type": "string",
          "pattern": "^-?[0-9]+(\\.[0-9]{1,8})?$",
          "examples": [
           "1000.5"
          ]
         }
        },
        "required": [
         "symbol",
         "price",
         "qtyStep",
         "priceTick"
        ]
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Applied",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Applied"
        }
       }
      }
     },
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Applied"
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  }
 }
}
"""#
}
