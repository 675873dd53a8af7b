import Foundation
import HTTPTypes
import Hummingbird
import SmartSyncAssets

/// The web pages: one HTML shell for every page path (the script routes on the path), its script, style sheet and
/// icon, all compiled into the binary (`Sources/SmartSyncAssets/Public/`). The Content-Security-Policy allows
/// nothing from elsewhere.
enum WebRoutes {
    /// Page paths a browser may open directly (or reload).
    static let pages = ["/", "/leads", "/leads/:user", "/copy/:lead", "/copies", "/copies/:id", "/dashboard", "/alerts", "/signin"]

    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
        .xContentTypeOptions: "nosniff",
        .cacheControl: "no-cache",
    ]

    /// With `SMARTSYNC_WEB_DIR` set (developing the pages), the files are read from that folder at each request
    /// instead of the copies in the binary, so that a change shows on reload without a rebuild.
    static let developmentFolder = ProcessInfo.processInfo.environment["SMARTSYNC_WEB_DIR"]

    static func register(on router: Router<AppContext>) {
        for path in pages {
            router.get(RouterPath(path)) { _, _ in asset("/") }
        }
        for path in Assets.web.keys where path != "/" {
            router.get(RouterPath(path)) { _, _ in asset(path) }
        }
    }

    static func asset(_ path: String) -> Response {
        guard let (type, embedded) = Assets.web[path] else { return Response(status: .notFound) }
        var bytes = embedded
        if let folder = developmentFolder {
            let file = folder + (path == "/" ? "/index.html" : "/" + path.split(separator: "/").last!)
            if let data = FileManager.default.contents(atPath: file) { bytes = [UInt8](data) }
        }
        var headers = securityHeaders
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
