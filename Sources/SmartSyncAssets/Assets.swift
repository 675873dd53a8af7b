/// Files compiled into the binary (SwiftPM `embedInCode` resources), so that `smartsync` is one file that runs
/// from any folder: the web pages' shell, script, style sheet and icon, and the demo market's price data.
public enum Assets {
    /// The web pages by the path they are served at.
    public static let web: [String: (type: String, bytes: [UInt8])] = [
        "/": ("text/html; charset=utf-8", PackageResources.index_html),
        "/assets/app.js": ("text/javascript; charset=utf-8", PackageResources.app_js),
        "/assets/app.css": ("text/css; charset=utf-8", PackageResources.app_css),
        "/assets/icon.svg": ("image/svg+xml", PackageResources.icon_svg),
    ]

    /// The real 2021 daily prices of the demo market (`Data/` in the repository), by file name.
    public static let demoPrices: [String: [UInt8]] = [
        "btc-usd-daily-2021.csv": PackageResources.btc_usd_daily_2021_csv,
        "eth-usd-daily-2021.csv": PackageResources.eth_usd_daily_2021_csv,
        "bch-usd-daily-2021.csv": PackageResources.bch_usd_daily_2021_csv,
    ]

    /// The API's contract (OpenAPI 3.1, YAML): what `/openapi.json` serves and what request bodies are checked against.
    public static let openAPI: [UInt8] = PackageResources.openapi_yaml
}
