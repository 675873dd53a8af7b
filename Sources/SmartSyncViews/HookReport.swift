import SmartSyncCore

/// A registered webhook as the API answers it (the contract's `Hook`): never its secret.
public struct HookReport: Encodable, Hashable, Sendable {
    public var id: String
    public var url: String
    public var events: [String]
    /// For `trackingGap` alerts: the points a copy's return may be off its lead's (null when not asked for).
    @EncodesNull public var trackingGap: Fixed?
    public var createdAt: String

    public init(id: String, url: String, events: [String], trackingGap: Fixed?, createdAt: String) {
        (self.id, self.url, self.events, self.trackingGap, self.createdAt) = (id, url, events, trackingGap, createdAt)
    }

}

/// One alert sent (or being sent) to a webhook (the contract's `HookDelivery`).
public struct HookDeliveryReport: Encodable, Hashable, Sendable {
    public var n: Int
    public var type: String
    /// pending, delivered or failed.
    public var status: String
    public var attempts: Int
    /// The receiver's last HTTP status, null when none came.
    @EncodesNull public var responseStatus: Int?
    /// Why the last attempt failed, null once delivered.
    @EncodesNull public var error: String?
    public var createdAt: String
    public var updatedAt: String
    /// The JSON sent, byte for byte what was signed.
    public var body: String

    public init(
        n: Int, type: String, status: String, attempts: Int, responseStatus: Int?, error: String?, createdAt: String,
        updatedAt: String, body: String
    ) {
        (self.n, self.type, self.status, self.attempts, self.responseStatus) = (n, type, status, attempts, responseStatus)
        (self.error, self.createdAt, self.updatedAt, self.body) = (error, createdAt, updatedAt, body)
    }

}
