import FaultlineSupport
import Hummingbird
import HTTPTypes

/// What every listener refuses before a route runs, so that nothing but the faultline CLI and
/// scripts can drive the daemon:
/// - requests a web browser made (an `Origin` or `Sec-Fetch-*` header): a page must never submit
///   a campaign, even a "simple" cross-origin POST that needs no preflight;
/// - a body that is neither JSON nor YAML on a call that changes state (`text/plain` and form
///   types are what a page can send without asking);
/// - on TCP, a `Host` that is not the listener's own address (DNS rebinding: a name that resolves
///   to 127.0.0.1 reaches the listener with the attacker's name in `Host`).
struct RequestGuardMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    /// The `Host` values accepted (lowercased, with port); nil accepts any (the unix socket).
    let allowedHosts: Set<String>?

    static let bodyTypes = ["application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let origin = request.headers[.origin] ?? request.headers[HTTPField.Name("Sec-Fetch-Site")!] {
            return APIRoutes.errorResponse(APIError(status: 403, message: "requests from web pages are refused (the request came from '\(origin.prefix(100))'): the daemon's API is for the faultline CLI and scripts"))
        }
        if let allowedHosts {
            let host = (request.head.authority ?? "").lowercased()
            guard allowedHosts.contains(host) else {
                return APIRoutes.errorResponse(APIError(status: 421, message: "Host '\(host.prefix(100))' is not this listener (expected \(allowedHosts.sorted().joined(separator: " or ")))"))
            }
        }
        if request.method != .get, request.method != .head {
            let type = (request.headers[.contentType] ?? "").lowercased()
            let hasBody = request.headers[.contentLength].map { $0 != "0" } ?? (request.headers[.transferEncoding] != nil)
            if hasBody && !Self.bodyTypes.contains(where: { type.hasPrefix($0) }) {
                return APIRoutes.errorResponse(APIError(status: 415, message: "a request body must be JSON or YAML (Content-Type: application/json or application/yaml), not '\(type.prefix(100))'"))
            }
        }
        return try await next(request, context)
    }

    /// The `Host` values a TCP listener on `host:port` answers to: the address as given, and for a
    /// loopback address every loopback spelling; nil (any) for a wildcard listener (0.0.0.0, ::),
    /// which clients reach by whatever name the machine has (the token still guards it).
    static func hosts(listeningOn host: String, port: Int) -> Set<String>? {
        if host == "0.0.0.0" || host == "::" { return nil }
        let literal = host.contains(":") ? "[\(host.lowercased())]" : host.lowercased()
        var names: Set<String> = ["\(literal):\(port)"]
        if LoopbackAddress.contains(host) {
            names.formUnion(["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"])
        }
        return names
    }
}
