import HTTPTypes
import Hummingbird

/// The web pages: one HTML shell for every page path (the script routes on the path), its script, style sheet and
/// icon. Everything is in the binary; the Content-Security-Policy allows nothing from elsewhere.
enum WebRoutes {
    /// Page paths a browser may open directly (or reload).
    static let pages = ["/", "/leads", "/leads/:user", "/copy/:lead", "/copies", "/copies/:id", "/dashboard", "/signin"]

    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
        .xContentTypeOptions: "nosniff",
        .cacheControl: "no-cache",
    ]

    static func register(on router: Router<AppContext>) {
        for path in pages {
            router.get(RouterPath(path)) { _, _ in asset(WebShell.html, type: "text/html; charset=utf-8") }
        }
        router.get("/assets/app.js") { _, _ in asset(WebScript.js, type: "text/javascript; charset=utf-8") }
        router.get("/assets/app.css") { _, _ in asset(WebShell.css, type: "text/css; charset=utf-8") }
        router.get("/assets/icon.svg") { _, _ in asset(WebShell.icon, type: "image/svg+xml") }
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
